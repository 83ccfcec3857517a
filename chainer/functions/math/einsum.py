"""Einstein summation (``numpy.einsum`` semantics), differentiable."""
from __future__ import annotations

from typing import TYPE_CHECKING
import string

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.cast import cast
from chainer.functions.array.reshape import reshape
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


# The labels of subscripts, in the order integer labels map to them (as numpy's).
einsum_symbols = string.ascii_letters
einsum_symbols_set = frozenset(einsum_symbols)


def _parse(subscripts: str, ndims: list) -> tuple:
    """Returns (input subscripts, output subscript) with every ``...`` spelled out."""
    if not isinstance(subscripts, str):
        raise TypeError(f'subscripts must be a str, not {type(subscripts).__name__}')
    subscripts = subscripts.replace(' ', '')
    if '->' in subscripts:
        lhs, out = subscripts.split('->', 1)
        if '->' in out:
            raise ValueError(f'invalid subscripts: {subscripts!r}')
    else:
        lhs, out = subscripts, None
    ins = lhs.split(',')
    if len(ins) != len(ndims):
        raise ValueError(
            f'einsum got {len(ndims)} operands but the subscripts {subscripts!r} '
            f'name {len(ins)}')
    allowed = einsum_symbols_set
    for s in ins + ([out] if out is not None else []):
        if s.count('...') > 1:
            raise ValueError(f"'...' appears more than once in {s!r} "
                             f'(subscripts {subscripts!r})')
        body = s.replace('...', '')
        if any(c not in allowed for c in body):
            raise ValueError(f'invalid subscripts: {subscripts!r}')
    used = set(subscripts)
    pool = [c for c in einsum_symbols if c not in used]
    ell_ndim = 0
    for s, nd in zip(ins, ndims):
        n = len(s.replace('...', ''))
        if '...' in s:
            ell_ndim = max(ell_ndim, nd - n)
    if ell_ndim > len(pool):
        raise ValueError('too many dimensions for einsum')
    ell = ''.join(pool[:ell_ndim])
    new_ins = []
    for s, nd in zip(ins, ndims):
        if '...' in s:
            k = nd - len(s.replace('...', ''))
            if k < 0:
                raise ValueError(f'operand has fewer dimensions than subscripts {s!r}')
            s = s.replace('...', ell[ell_ndim - k:] if k else '')
        if len(s) != nd:
            raise ValueError(
                f'einsum subscripts {s!r} do not match an operand of {nd} dimensions')
        new_ins.append(s)
    if out is None:
        counts = {}
        for s in new_ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + ''.join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    else:
        if '...' in out and '...' not in lhs:
            raise ValueError(
                f"einsum output subscripts use '...' but no operand does: {subscripts!r}")
        if ell_ndim and '...' not in out:
            # NumPy has accepted this in some versions and not in others.
            raise ValueError(
                f"einsum does not sum over the axes of '...': the output of "
                f"{subscripts!r} needs '...' as the operands' '...' spans "
                f'{ell_ndim} axes')
        out = out.replace('...', ell)
        if len(set(out)) != len(out):
            raise ValueError(f'output subscripts repeat a label: {subscripts!r}')
        present = set(''.join(new_ins))
        if any(c not in present for c in out):
            raise ValueError(f'output label not found in the inputs: {subscripts!r}')
    return new_ins, out


def _sublist_to_str(sublist) -> str:
    """A numpy-style subscript list (ints in [0, 52), ``Ellipsis``) as letters."""
    if not isinstance(sublist, (list, tuple)):
        raise TypeError(
            'einsum takes a subscripts str, or operands alternating with subscript '
            f'lists; got {type(sublist).__name__} where a list was expected')
    letters = einsum_symbols
    out = []
    for label in sublist:
        if label is Ellipsis:
            out.append('...')
        elif isinstance(label, (int, numpy.integer)) and 0 <= label < len(letters):
            out.append(letters[label])
        else:
            raise ValueError(
                f'einsum subscript lists hold ints in [0, {len(letters)}) and '
                f'Ellipsis, got {label!r}')
    return ''.join(out)


def _from_interleaved(operands) -> tuple:
    """``(op0, sub0, op1, sub1, ..., [out])`` as a subscripts string and operands."""
    operands = list(operands)
    out = operands.pop() if len(operands) % 2 else None
    xs = operands[0::2]
    subs = ','.join(_sublist_to_str(sub) for sub in operands[1::2])
    if out is not None:
        subs += '->' + _sublist_to_str(out)
    return subs, tuple(xs)


def _split_subs(in_subs) -> tuple:
    """Input subscripts as a tuple (Chainer also passes them joined by commas)."""
    return tuple(in_subs.split(',')) if isinstance(in_subs, str) else tuple(in_subs)


def _unique(s: str) -> str:
    return ''.join(dict.fromkeys(s))


def _check_operands(in_types, in_subs) -> None:
    """Chainer's checks of the operands, named ``x0``, ``x1`` ...: each a float, as many
    as the subscripts, each of their rank, and labels of one length."""
    for i, t in enumerate(in_types):
        type_check._argname((t,), (f'x{i}',))
        type_check.expect(t.dtype.kind == 'f')
    type_check.expect(in_types.size() == len(in_subs))
    for t, sub in zip(in_types, in_subs):
        type_check.expect(t.ndim == len(sub))
    _check_label_sizes(in_types, in_subs)


def _check_label_sizes(in_types, in_subs) -> None:
    """Every label names one length across the operands (length 1 broadcasts)."""
    seen: dict = {}
    for i, (t, sub) in enumerate(zip(in_types, in_subs)):
        for axis, c in enumerate(sub):
            size = type_check.eval(t.shape[axis])
            if c not in seen:
                seen[c] = (i, axis, size)
                continue
            j, other_axis, other = seen[c]
            if size != other and 1 not in (size, other):
                type_check.expect(in_types[j].shape[other_axis] == t.shape[axis])
            elif other == 1:
                seen[c] = (i, axis, size)


def _operand_grad(i, in_subs, out_sub, xs, gy):
    """Gradient of the linear map ``xs -> einsum(in_subs -> out_sub)`` for operand ``i``.

    Contracts ``gy`` with the other operands down to the labels of operand
    ``i``; labels met nowhere else are broadcast back, labels broadcast from
    length 1 are summed back, and repeated labels put the result on a diagonal.
    """
    x = xs[i]
    sub = in_subs[i]
    uniq = _unique(sub)
    sizes = {c: x.shape[sub.index(c)] for c in uniq}
    others = [out_sub] + [s for j, s in enumerate(in_subs) if j != i]
    operands = [gy] + [v for j, v in enumerate(xs) if j != i]
    present = set(''.join(others))
    kept = ''.join(c for c in uniq if c in present)
    g = EinSum(others, kept).apply(operands)[0]
    shape_g = tuple(g.shape[kept.index(c)] if c in kept else 1 for c in uniq)
    if shape_g != g.shape:
        g = reshape(g, shape_g)
    target = tuple(sizes[c] for c in uniq)
    mid = tuple(1 if t == 1 else s for s, t in zip(shape_g, target))
    if mid != shape_g:
        g = sum_to(g, mid)
    if mid != target:
        g = broadcast_to(g, target)
    if uniq != sub:
        g = DiagEinSum((uniq,), sub, x.shape).apply((g,))[0]
    if g.dtype != x.dtype:
        g = cast(g, x.dtype)
    return g


class EinSum(function_node.FunctionNode):
    """``einsum`` on operands whose subscripts are already fully spelled out.

    ``in_subs`` is a sequence of subscripts (or one string joining them with
    commas), one per operand; ``out_sub`` names the output's axes.
    """

    def __init__(self, in_subs, out_sub: str) -> None:
        self.in_subs = _split_subs(in_subs)
        self.out_sub = out_sub

    @property
    def label(self):
        return 'EinSum'

    def check_type_forward(self, in_types):
        _check_operands(in_types, self.in_subs)

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        xp = backend.get_array_module(*inputs)
        out_dtype = numpy.result_type(*inputs)
        inputs = [as_compute(x) for x in inputs]
        spec = ','.join(self.in_subs) + '->' + self.out_sub
        # With three operands or more the contraction order matters.
        y = xp.einsum(spec, *inputs, optimize=len(inputs) >= 3)
        if len(inputs) == 1:
            # A one-operand einsum may return a view of the input.
            y = xp.array(y, copy=True)
        return utils.force_array(y, out_dtype),

    def backward(self, indexes, grad_outputs):
        xs = self.get_retained_inputs()
        gy, = grad_outputs
        return tuple(_operand_grad(i, self.in_subs, self.out_sub, xs, gy) for i in indexes)


class DiagEinSum(function_node.FunctionNode):
    """``einsum`` whose output may repeat labels or hold labels of no operand.

    The operands are contracted to the distinct labels of ``out_sub`` that
    they carry; the result is broadcast along the labels no operand carries
    (their lengths come from ``out_shape``) and written on the diagonal that
    repeated labels of ``out_sub`` name, in a zero array of ``out_shape``:
    ``'i->ii'`` builds a diagonal matrix, ``'i->ij'`` repeats a column. It is
    the adjoint of :class:`EinSum` taking a diagonal or summing an axis.
    """

    def __init__(self, in_subs, out_sub: str, out_shape: tuple) -> None:
        in_subs = _split_subs(in_subs)
        out_shape = tuple(out_shape)
        if len(out_sub) != len(out_shape):
            raise ValueError(f'DiagEinSum output subscripts {out_sub!r} do not match '
                             f'the output shape {out_shape}')
        for c, n in zip(out_sub, out_shape):
            if out_shape[out_sub.index(c)] != n:
                raise ValueError(f'DiagEinSum output shape {out_shape} gives label '
                                 f'{c!r} two lengths')
        if any(c not in einsum_symbols_set for c in ''.join(in_subs) + out_sub):
            raise ValueError(f'invalid DiagEinSum subscripts: {in_subs!r} -> {out_sub!r}')
        self.in_subs = in_subs
        self.out_sub = out_sub
        self.out_shape = out_shape

    @property
    def label(self):
        return 'DiagEinSum'

    def check_type_forward(self, in_types):
        _check_operands(in_types, self.in_subs)
        for i, (t, sub) in enumerate(zip(in_types, self.in_subs)):
            for axis, c in enumerate(sub):
                if c in self.out_sub:
                    n = self.out_shape[self.out_sub.index(c)]
                    if type_check.eval(t.shape[axis]) not in (1, n):
                        type_check.expect(t.shape[axis] == n)

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        xp = backend.get_array_module(*inputs)
        out_dtype = numpy.result_type(*inputs)
        uniq = _unique(self.out_sub)
        carried = set(''.join(self.in_subs))
        direct = ''.join(c for c in uniq if c in carried)
        spec = ','.join(self.in_subs) + '->' + direct
        r = xp.einsum(spec, *[as_compute(x) for x in inputs])
        # Axes in the order of uniq, length 1 where no operand carries the label.
        r = xp.asarray(r).reshape(
            [r.shape[direct.index(c)] if c in direct else 1 for c in uniq])
        sizes = {c: n for c, n in zip(self.out_sub, self.out_shape)}
        y = xp.zeros(self.out_shape, dtype=out_dtype)
        # Open-grid indices, one per distinct label, broadcast in r's layout
        # (an einsum view is not writable on every backend).
        grids = {}
        for k, c in enumerate(uniq):
            shape = [1] * len(uniq)
            shape[k] = sizes[c]
            grids[c] = xp.arange(sizes[c]).reshape(shape)
        y[tuple(grids[c] for c in self.out_sub)] = r
        return y,

    def backward(self, indexes, grad_outputs):
        xs = self.get_retained_inputs()
        gy, = grad_outputs
        return tuple(_operand_grad(i, self.in_subs, self.out_sub, xs, gy) for i in indexes)


def einsum(*operands: str | VariableOrArray) -> Variable:
    """Einstein summation, e.g. ``einsum('ij,jk->ik', a, b)`` (as ``numpy.einsum``).

    The first argument is the subscripts string; the rest are the float
    operands. ``...`` and repeated labels (diagonals) are supported. As with
    ``numpy.einsum``, the operands may instead alternate with subscript lists,
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.
    """
    if not operands:
        raise ValueError('einsum needs the subscripts and at least one operand')
    if isinstance(operands[0], str):
        subscripts, xs = operands[0], operands[1:]
    else:
        subscripts, xs = _from_interleaved(operands)
    if not xs:
        raise ValueError('einsum needs at least one operand')
    for x in xs:
        function_node._check_input(x)
    in_subs, out_sub = _parse(subscripts, [x.ndim for x in xs])
    return EinSum(in_subs, out_sub).apply(xs)[0]
