"""Gate layouts and activations shared by the LSTM-type cells.

The stacked gate input of :func:`~chainer.functions.lstm` and
:func:`~chainer.functions.slstm` interleaves its gates unit by unit: an input
of shape ``(B, 4 * H, ...)`` is read as ``(B, H, 4, ...)`` and the last of
these axes picks the gate.  Tree LSTMs keep each gate in one contiguous block
instead.
"""
from __future__ import annotations

from typing import Any, List, Tuple

import numpy

import chainer
from chainer import backend
from chainer.utils import array as array_utils


def rest_size(shape: tuple) -> int:
    """The number of elements per unit after the first two axes."""
    r = 1
    for s in shape[2:]:
        r *= s
    return r


def split_interleaved(x: Any, n: int) -> Any:
    """Array view of ``x`` (``(B, n * H, ...)``) as ``(B, H, n, R)``."""
    return x.reshape(x.shape[0], x.shape[1] // n, n, rest_size(x.shape))


def gate_vars(x: Any, n: int, interleaved: bool = True) -> List[Any]:
    """The ``n`` gate inputs of the stacked Variable ``x`` as Variables of shape
    ``(B, H, ...)`` (differentiable)."""
    F = chainer.functions
    b, units = x.shape[0], x.shape[1] // n
    rest = tuple(x.shape[2:])
    if interleaved:
        r = F.reshape(x, (b, units, n) + rest)
        return [F.reshape(g, (b, units) + rest) for g in F.split_axis(r, n, axis=2)]
    return list(F.split_axis(x, n, axis=1))


def join_gate_vars(gs: List[Any], interleaved: bool = True) -> Any:
    """Inverse of :func:`gate_vars`: stacks per-gate Variables ``(B, H, ...)``."""
    F = chainer.functions
    if not interleaved:
        return F.concat(gs, axis=1)
    b, units = gs[0].shape[0], gs[0].shape[1]
    rest = tuple(gs[0].shape[2:])
    s = F.stack(gs, axis=2)
    return F.reshape(s, (b, units * len(gs)) + rest)


def zeros_var(shape: tuple, like: Any) -> Any:
    """A constant zero Variable of ``shape`` with the dtype and device of ``like``."""
    arr = like.array if isinstance(like, chainer.Variable) else like
    xp = backend.get_array_module(arr)
    with backend.using_device(backend.get_device_from_array(arr)):
        z = xp.zeros(shape, arr.dtype)
    return chainer.Variable(z, requires_grad=False)


def _pairs(a_in: Any, i_in: Any) -> Tuple[List[Any], List[Any], bool]:
    """The cell-input and input-gate pre-activations as lists, and whether they came
    as lists (one ``tanh(a_k) sigmoid(i_k)`` term per pair)."""
    if isinstance(a_in, list):
        return a_in, i_in, True
    return [a_in], [i_in], False


def cell_forward(a_in: Any, i_in: Any, o_in: Any, f_ins: List[Any],
                 cs: List[Any], children_first: bool = False) -> Tuple[Any, Any]:
    """Arrays ``(c, h)`` of a cell ``c = sum_k tanh(a_k) sigmoid(i_k) + sum_k
    sigmoid(f_k) c_k``, ``h = sigmoid(o) tanh(c)`` from gate pre-activations
    (``a_in``/``i_in`` one array each, or lists of pairs; computed in float32 for
    float16 input). The terms are added left to right (Chainer's S-LSTM), or with
    ``children_first`` the children's terms summed first (Chainer's tree LSTM)."""
    a_ins, i_ins, _ = _pairs(a_in, i_in)
    xp = backend.get_array_module(o_in)
    dtype = o_in.dtype
    comp = array_utils.as_compute
    c = cell_state([xp.tanh(comp(a_k)) for a_k in a_ins],
                   [array_utils.sigmoid(comp(i_k)) for i_k in i_ins],
                   [array_utils.sigmoid(comp(f_in)) for f_in in f_ins], cs, children_first)
    h = array_utils.sigmoid(comp(o_in)) * xp.tanh(c)
    return c.astype(dtype, copy=False), h.astype(dtype, copy=False)


def cell_state(acts, gates, fs, cs, children_first: bool = False):
    """``c = sum_k acts_k gates_k + sum_k fs_k cs_k`` (a new array) in the order of
    :func:`cell_forward`."""
    c = None
    for a, i in zip(acts, gates):
        c = a * i if c is None else c + a * i
    if children_first:  # a * i + (((0 + f_1 c_1) + f_2 c_2) + ...), Python's sum
        return c + sum(f * ck for f, ck in zip(fs, cs))
    for f, ck in zip(fs, cs):
        c += f * ck
    return c


def cell_grad(a_in, i_in, o_in, f_ins, cs, gc, gh, c=None, children_first: bool = False):
    """Arrays ``(g_a, g_i, g_o, [g_f_k], [g_c_k])``: the gradient of the cell of
    :func:`cell_forward` with respect to its gate pre-activations and child cell
    states, given the gradients ``gc`` and ``gh`` of its outputs (in float32 for
    float16 input; cast back). ``g_a`` and ``g_i`` are lists when ``a_in`` is.
    ``tanh(c)`` is taken of the given new cell ``c``, or of the one the gates make."""
    a_ins, i_ins, as_list = _pairs(a_in, i_in)
    xp = backend.get_array_module(o_in)
    dtype = o_in.dtype
    comp = array_utils.as_compute
    acts = [xp.tanh(comp(a_k)) for a_k in a_ins]
    gates = [array_utils.sigmoid(comp(i_k)) for i_k in i_ins]
    o = array_utils.sigmoid(comp(o_in))
    fs = [array_utils.sigmoid(comp(f)) for f in f_ins]
    if c is None:
        c = cell_state(acts, gates, fs, cs, children_first)
    t = xp.tanh(comp(c))
    gh = comp(gh)
    one = o.dtype.type(1)
    # The products below in place, in Chainer's order (the same bits):
    # u = gh * o * (1 - t * t) + gc, g_a = u * i * (1 - a * a),
    # g_i = u * a * (i * (1 - i)), g_o = gh * t * (o * (1 - o)),
    # g_f = u * c_k * (f * (1 - f)), g_c = u * f.
    u = gh * o
    u *= _one_minus(t * t, one)
    u += comp(gc)
    g_as = [_times(u * i, _one_minus(a * a, one), dtype) for a, i in zip(acts, gates)]
    g_is = [_times(u * a, _grad_sigmoid(i, one), dtype) for a, i in zip(acts, gates)]
    g_o = _times(gh * t, _grad_sigmoid(o, one), dtype)
    g_fs = [_times(u * ck, _grad_sigmoid(f, one), dtype) for f, ck in zip(fs, cs)]
    g_cs = [(u * f).astype(dtype, copy=False) for f in fs]
    if not as_list:
        return g_as[0], g_is[0], g_o, g_fs, g_cs
    return g_as, g_is, g_o, g_fs, g_cs


def _grad_sigmoid(s, one):
    """``s * (1 - s)`` (a new array) of a sigmoid ``s``."""
    return _times(_one_minus(s, one, copy=True), s)


def _one_minus(v, one, copy: bool = False):
    """``1 - v``, written over ``v`` unless ``copy``."""
    if copy or isinstance(v, numpy.generic):
        return one - v
    return backend.get_array_module(v).subtract(one, v, out=v)


def _times(v, w, dtype=None):
    """``v * w`` written over ``v`` (a temporary), cast to ``dtype`` if given."""
    v *= w
    return v if dtype is None else v.astype(dtype, copy=False)


def _plus(x, term_of, factor):
    return x if term_of is None else x + term_of * factor


def cell_grad_grad(a_in, i_in, o_in, f_ins, cs, gc, gh, gg_a, gg_i, gg_o, gg_fs, gg_cs,
                   c_next=None):
    """Second-order terms of :func:`cell_grad`, as Variables built from
    differentiable functions: the gradients, with respect to ``(a_in, i_in,
    o_in, [f_in_k], [c_k], gc, gh)``, of the outputs of :func:`cell_grad`
    contracted with ``(gg_a, gg_i, gg_o, [gg_f_k], [gg_c_k])`` (``a_in``,
    ``i_in``, ``gg_a``, ``gg_i`` and the returned ``g_a``, ``g_i`` lists of
    pairs, or one Variable each).

    Given ``c_next`` (the new cell, an input of its own as in Chainer's gradient
    nodes), ``tanh`` is taken of it and the gradient with respect to it comes
    last; otherwise the cell is made from the gates and that gradient flows into
    them."""
    F = chainer.functions
    a_ins, i_ins, as_list = _pairs(a_in, i_in)
    gg_as, gg_is, _ = _pairs(gg_a, gg_i)
    acts = [F.tanh(a_k) for a_k in a_ins]
    gates = [F.sigmoid(i_k) for i_k in i_ins]
    o = F.sigmoid(o_in)
    fs = [F.sigmoid(f) for f in f_ins]
    c = c_next
    if c is None:
        for a, i in zip(acts, gates):
            c = a * i if c is None else c + a * i
        for f, ck in zip(fs, cs):
            c = c + f * ck
    t = F.tanh(c)
    das = [1 - a * a for a in acts]
    dis = [i * (1 - i) for i in gates]
    do, dt = o * (1 - o), 1 - t * t
    dfs = [f * (1 - f) for f in fs]
    u = gh * o * dt + gc
    # Gradient reaching u (the total gradient of c) from every output.
    gu = None
    for a, i, da, di, gg_a_k, gg_i_k in zip(acts, gates, das, dis, gg_as, gg_is):
        term = gg_a_k * i * da + gg_i_k * a * di
        gu = term if gu is None else gu + term
    for f, df, ck, gg_f, gg_c in zip(fs, dfs, cs, gg_fs, gg_cs):
        gu = gu + gg_c * f + gg_f * ck * df
    # products read by two terms each are formed once (the same values)
    gg_o_gh = gg_o * gh
    g_c = (gg_o_gh * do - 2 * gu * gh * o * t) * dt
    g_o = gg_o_gh * t * (1 - 2 * o) + gu * gh * dt
    g_gh = gg_o * t * do + gu * o * dt
    # The gradient reaching the cell through tanh(c) flows into the gates that
    # make it, unless the cell is an input of its own.
    chain = g_c if c_next is None else None
    gg_i_us = [gg_i_k * u for gg_i_k in gg_is]
    gg_f_us = [gg_f * u for gg_f in gg_fs]
    g_as = [_plus(-2 * gg_a_k * u * i * a + gg_i_u * di, chain, i) * da
            for a, i, da, di, gg_a_k, gg_i_u in zip(acts, gates, das, dis, gg_as, gg_i_us)]
    g_is = [_plus(gg_a_k * u * da + gg_i_u * a * (1 - 2 * i), chain, a) * di
            for a, i, da, di, gg_a_k, gg_i_u in zip(acts, gates, das, dis, gg_as, gg_i_us)]
    g_fs = [_plus(gg_c * u + gg_f_u * ck * (1 - 2 * f), chain, ck) * df
            for f, df, ck, gg_f_u, gg_c in zip(fs, dfs, cs, gg_f_us, gg_cs)]
    g_cs = [_plus(gg_f_u * df, chain, f) for f, df, gg_f_u in zip(fs, dfs, gg_f_us)]
    out = (g_as, g_is) if as_list else (g_as[0], g_is[0])
    out += (g_o * do, g_fs, g_cs, gu, g_gh)
    return out if c_next is None else out + (g_c,)


def zeros_like_or(v: Any, like: Any) -> Any:
    """``v``, or a constant zero Variable shaped like ``like`` when ``v`` is None."""
    return zeros_var(like.shape, like) if v is None else v
