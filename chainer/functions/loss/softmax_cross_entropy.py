"""Softmax cross entropy (hard labels or soft targets)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.backends import cuda
from chainer.functions.activation.log_softmax import log_softmax
from chainer.functions.array.cast import cast
from chainer.functions.array.reshape import reshape
from chainer.functions.array.rollaxis import rollaxis
from chainer.functions.array.select_item import select_item
from chainer.functions.loss import _util
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.error import _IndexValueError
from chainer.utils.array import check_index_range

if TYPE_CHECKING:
    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable

_min_reduce = numpy.minimum.reduce


def _check_class_weight_length(class_weight, n_class: int) -> None:
    # Chainer failed to broadcast (ValueError), or its double-backprop path's
    # type check refused (InvalidType)
    if class_weight is not None and len(class_weight) != n_class:
        raise type_check._InvalidValue(
            'len(class_weight) == x.shape[1]', f'{len(class_weight)} != {n_class}')


def _check_class_weight_option(class_weight) -> None:
    if class_weight is None:
        return
    if isinstance(class_weight, variable.Variable):
        raise ValueError('class_weight should be a numpy.ndarray or cupy.ndarray, '
                         'not a chainer.Variable')
    if class_weight.ndim != 1:
        raise ValueError('class_weight.ndim should be 1')
    if class_weight.dtype.kind != 'f':
        raise ValueError("The dtype of class_weight should be 'f'")


def _check_reduce_option(reduce) -> None:
    _util.check_reduce(reduce, ('mean', 'no'))


def _bad_label_message(ignore_label) -> str:
    return f'Each label `t` need to satisfy `0 <= t < x.shape[1] or t == {ignore_label}`'


def _raise_bad_label(ignore_label):
    raise _IndexValueError(_bad_label_message(ignore_label))


def _check_input_values(x, t, ignore_label) -> None:
    # Out-of-range labels would otherwise pick nothing and give a silently wrong loss.
    n_class = x.shape[1]
    if t.size == 0 or (int(t.min()) >= 0 and int(t.max()) < n_class):
        return
    bad = ((t < 0) | (t >= n_class)) & (t != ignore_label)
    if bad.any():
        _raise_bad_label(ignore_label)


def _class_axis_shape(ndim: int) -> tuple:
    """Shape that puts a length-C vector on axis 1 of an ``ndim``-d array."""
    return (1, -1) + (1,) * (ndim - 2)


def _mean_scale(gloss, coeff: float, dtype):
    """``gloss * coeff`` of the ``'mean'`` gradient as Chainer (NumPy 1) formed it:
    in float64, rounded once to ``dtype`` (bit-identical gradients)."""
    if type(gloss) is numpy.ndarray and gloss.ndim == 0:  # Python floats: no array calls
        return dtype.type(float(gloss) * coeff)
    return (gloss.astype(numpy.float64) * coeff).astype(dtype)


def _one_hot(xp, t, n_class: int, ndim: int, dtype):
    """One-hot of labels ``t`` along axis 1; ignored/negative labels give zero rows."""
    classes = xp.arange(n_class, dtype=t.dtype).reshape(_class_axis_shape(ndim))
    return (t[:, None] == classes).astype(dtype, copy=False)


def _gpu_nll(x, stats, t, ignore_label):
    """``-log(softmax(x))`` of a 2-D CuPy ``x`` at the labels ``t`` per row (0 where
    ``t == ignore_label``), in compute dtype, from :func:`softmax_stats`."""
    m, s = stats
    ctype = array_utils.C_TYPES[m.dtype]
    name = m.dtype.name
    return cuda.elementwise(
        f'raw T x, {name} m, {name} s, S t, int32 n_class, S ignore', f'{name} nll',
        f'nll = t == ignore ? ({ctype})0 : log(s) - (({ctype})x[i * n_class + t] - m)',
        f'rechainer_sce_nll_{name}')(
            array_utils.contiguous(x), m.ravel(), s.ravel(), t, x.shape[1], ignore_label)


def _gpu_grad(x, stats, t, g, coeff: float, ignore_label):
    """The gradient of :func:`_gpu_nll` times ``g * coeff``: one kernel,
    ``(softmax(x) - onehot(t)) * g * coeff`` with zero rows where ``t`` is ignored
    (``g``: 0-d, or per row as ``(n, 1)``)."""
    m, s = stats
    ctype = array_utils.C_TYPES[m.dtype]
    name = m.dtype.name
    return cuda.elementwise(
        f'T x, {name} m, {name} s, S t, G g, float64 coeff, S ignore, int32 n_class', 'T gx',
        f'gx = t == ignore ? (T)0 : (T)((exp(({ctype})x - m) / s'
        f' - (i % n_class == t ? ({ctype})1 : ({ctype})0)) * ({ctype})g * ({ctype})coeff)',
        f'rechainer_sce_grad_{name}')(
            x, m, s, t[:, None], g, coeff, ignore_label, x.shape[1])


class SoftmaxCrossEntropy(function_node.FunctionNode):
    """Softmax cross entropy with its own (first-order only) gradient."""

    normalize = True
    _coeff = 1.0
    soft_target = False
    eps = 1e-7
    _stats = None  # (m, s) of softmax_stats when the fused GPU path ran
    _log_z = None  # the row normalizers of log_softmax_at (hard labels otherwise)
    _x = None  # its input x, from which ``y`` is formed when read
    _y = None
    _p = None  # with soft targets and cache_score: the softmax in the compute dtype

    @property
    def y(self):
        """The softmax of ``x`` kept for the backward pass (``cache_score``), else
        None. With hard labels only row statistics are kept (the gradient forms
        the softmax again, block by block where ``x`` is large); the softmax is
        formed from them when first read, so that reading it answers as Chainer's
        did. With soft targets the gradient reads the softmax in the compute
        dtype, and ``y`` is it rounded to ``x``'s dtype (float16), as Chainer's."""
        if self._y is None and self._p is not None:  # soft targets
            self._y = self._p.astype(self._x_dtype, copy=False)
        elif self._y is None and self.cache_score and self._x is not None:
            x = self._x
            xp = backend.get_array_module(x)
            if self._stats is not None:
                m, s = self._stats
                y = xp.exp(array_utils.as_compute(x) - m) / s
            else:
                y = array_utils.as_compute(x) - self._log_z
                xp.exp(y, out=y)
            self._y = y.astype(x.dtype, copy=False)
        return self._y

    @y.setter
    def y(self, value):
        self._y = value

    def __init__(self, normalize=True, cache_score=True, class_weight=None,
                 ignore_label=-1, reduce='mean', soft_target_loss='cross-entropy'):
        self.normalize = normalize
        self.cache_score = cache_score
        _check_class_weight_option(class_weight)
        self.class_weight = class_weight
        self.ignore_label = ignore_label
        _check_reduce_option(reduce)
        self.reduce = reduce
        self.soft_target_loss = soft_target_loss

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        if type_check.eval(t_type.dtype.kind) == 'f':
            type_check.expect(
                x_type.dtype.kind == 'f',
                x_type.ndim >= 2,
                t_type.shape == x_type.shape,
            )
        else:
            type_check.expect(
                x_type.dtype.kind == 'f',
                t_type.dtype.kind == 'i',
                x_type.ndim >= 2,
                t_type.ndim == x_type.ndim - 1,
                x_type.shape[0] == t_type.shape[0],
                x_type.shape[2:] == t_type.shape[1:],
            )

    def forward(self, inputs):
        x, t = inputs
        xp = numpy if type(x) is numpy.ndarray else backend.get_array_module(x)
        _check_class_weight_length(self.class_weight, x.shape[1])
        self.class_weight = array_utils.on_device_of(self.class_weight, x)
        self.retain_inputs((0, 1))
        if t.dtype.kind == 'f':
            self.soft_target = True
            # the gradient reads the softmax in the compute dtype, ``y`` in x's
            log_y, self._p = array_utils.log_softmax(x, with_softmax=self.cache_score)
            self._x_dtype = x.dtype
            return self._soft_forward(xp, x, t, log_y)

        if xp is not numpy and x.ndim == 2 and x.shape[1] and self.class_weight is None:
            return self._forward_gpu(x, t)
        ignore_label = self.ignore_label
        n_class = x.shape[1]
        n_ignored = None
        if xp is not numpy or chainer.config.debug:
            # CuPy wraps out-of-range labels instead of raising; the check also
            # counts the ignored labels, so no second host read is needed.
            n_ignored = check_index_range(t, n_class, 'label t', ignore=ignore_label,
                                          message=_bad_label_message(ignore_label))
        if n_ignored == 0 or (n_ignored is None and ignore_label < 0
                              and (t.size == 0 or int(_min_reduce(t, None)) >= 0)):
            # Common case: nothing ignored, labels only need an upper bound check.
            t_valid = None
            n_valid = t.size
            tt = t
        else:
            t_valid = t != ignore_label
            if n_ignored is not None:
                n_valid = t.size - n_ignored
            else:
                if ((t < 0) & t_valid).any():
                    _raise_bad_label(ignore_label)
                n_valid = int(t_valid.sum())
            tt = xp.where(t_valid, t, 0)
        self._t_valid = t_valid
        self._tt = tt

        try:
            log_p, self._log_z = array_utils.log_softmax_at(x, tt)
        except IndexError:  # NumPy's own range check (labels >= n_class)
            _raise_bad_label(ignore_label)
        if self.cache_score:
            self._x = x
        if self.class_weight is not None:
            # in place, so that a float64 weight multiplies in float64 and rounds
            # once, as Chainer's did (bit-identical results)
            log_p *= self.class_weight[tt]
        if t_valid is not None:
            log_p *= t_valid
        if self.reduce == 'mean':
            count = n_valid if self.normalize else len(x)
            self._coeff = 1.0 / max(count, 1)
            loss = array_utils.sum(log_p) * -self._coeff
            return utils.force_array(loss, x.dtype),
        return utils.force_array(-log_p, x.dtype),

    def _forward_gpu(self, x, t):
        """Hard labels of a 2-D ``x`` on CuPy: the label check, two kernels for the
        row statistics and one for the picked log-likelihoods, then the reduction;
        the softmax itself is never stored (the gradient kernel recomputes it)."""
        n_ignored = check_index_range(t, x.shape[1], 'label t', ignore=self.ignore_label,
                                      message=_bad_label_message(self.ignore_label))
        stats = self._stats = array_utils.softmax_stats(x)
        if self.cache_score:
            self._x = x
        nll = _gpu_nll(x, stats, t, self.ignore_label)
        if self.reduce == 'mean':
            count = t.size - n_ignored if self.normalize else len(x)
            self._coeff = 1.0 / max(count, 1)
            return utils.force_array(nll.sum() * nll.dtype.type(self._coeff), x.dtype),
        return nll.astype(x.dtype, copy=False),

    def _soft_forward(self, xp, x, t, log_y):
        # as in Chainer, the loss has the dtype of ``x`` and ``t`` promoted (float32
        # for float16 scores and float32 targets)
        dtype = numpy.result_type(log_y.dtype, t.dtype)
        out_dtype = numpy.result_type(x.dtype, t.dtype)
        t = t.astype(dtype, copy=False)
        log_y = log_y.astype(dtype, copy=False)
        if self.soft_target_loss == 'kl-divergence':
            ret = array_utils.sum(t * (xp.log(t + self.eps) - log_y), 1)
        else:
            ret = -array_utils.sum(t * log_y, 1)
        if self.reduce == 'mean':
            self._coeff = 1.0 / max(x.size // x.shape[1], 1)
            return utils.force_array(array_utils.sum(ret) * self._coeff, out_dtype),
        return utils.force_array(ret, out_dtype),

    def _grad_node(self, x, t) -> '_SoftmaxCrossEntropyGrad_NoDoubleBackprop':
        """The node computing the gradient w.r.t. ``x`` (arrays of the forward call)."""
        if self._stats is not None:
            return _SoftmaxCrossEntropyGrad_NoDoubleBackprop(None, t, self.reduce, self._coeff,
                                            stats=self._stats, ignore_label=self.ignore_label)
        if self.soft_target:
            y = self._p
            if y is None:
                y = array_utils.log_softmax(x, with_softmax=True)[1]
            return _SoftmaxCrossEntropyGrad_NoDoubleBackprop(y, t, self.reduce, self._coeff)
        # the softmax as the cached score was (in x's dtype) or as it is formed
        # without one (in the compute dtype)
        y_dtype = x.dtype if self.cache_score else array_utils.compute_dtype(x.dtype)
        return _SoftmaxCrossEntropyGrad_NoDoubleBackprop(
            None, self._tt, self.reduce, self._coeff, self.class_weight, self._t_valid,
            log_z=self._log_z, y_dtype=y_dtype)

    def backward(self, indexes, grad_outputs):
        if indexes == (1,):
            return None,
        gloss, = grad_outputs
        x_node, t_node = self.inputs
        # x as a Variable, so that the gradient requires grad as x does (in every mode)
        x = self.get_retained_inputs()[0]
        gx = self._grad_node(x_node.data, t_node.data).apply((x, gloss))[0]
        return (gx,) if len(indexes) == 1 else (gx, None)

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        x, t = inputs
        gx, = self._grad_node(x, t).forward((x, grad_outputs[0]))
        return tuple([gx if i == 0 else None for i in indexes])


class _SoftmaxCrossEntropyGrad_NoDoubleBackprop(function_node.FunctionNode):
    """The gradient of :class:`SoftmaxCrossEntropy` with respect to ``x`` given
    ``gloss`` (not differentiable again).

    Args:
        y: The softmax of ``x`` (compute dtype), with float targets.
        t: Float target distributions, or integer labels with ignored entries
            replaced by a valid class.
        reduce: The loss's ``reduce`` option.
        coeff: The factor of the ``'mean'`` reduction.
        class_weight: Per-class weights, or None.
        t_valid: Boolean mask of the labels not ignored, or None for all.
        stats: ``(m, s)`` of :func:`~chainer.utils.array.softmax_stats` in
            place of ``y`` (the fused GPU path; ``t`` then holds the labels as
            given, ``ignore_label`` included).
        ignore_label: The ignored label (with ``stats``).
        log_z: With integer labels, the row normalizers of
            :func:`~chainer.utils.array.log_softmax_at`, from which the softmax
            ``exp(x - log_z)`` is formed (block by block of rows where ``x`` is
            large, each block's gradient computed while it is in cache).
        y_dtype: The dtype the softmax is rounded to and the gradient computed in
            (with ``log_z``).
    """

    def __init__(self, y, t, reduce: str, coeff: float, class_weight=None, t_valid=None,
                 stats=None, ignore_label=-1, log_z=None, y_dtype=None):
        self.y = y
        self.log_z = log_z
        self.y_dtype = y_dtype
        self.t = t
        self.reduce = reduce
        self.coeff = coeff
        self.class_weight = class_weight
        self.t_valid = t_valid
        self.stats = stats
        self.ignore_label = ignore_label

    def forward(self, inputs):
        x, gloss = inputs
        if self.stats is not None:
            if self.reduce == 'mean':
                return _gpu_grad(x, self.stats, self.t, gloss, self.coeff, self.ignore_label),
            return _gpu_grad(x, self.stats, self.t, gloss[:, None], 1.0, self.ignore_label),
        xp = numpy if type(x) is numpy.ndarray else backend.get_array_module(x)
        if self.log_z is not None:
            return utils.force_array(self._label_grad(xp, x, gloss)),
        y, t = self.y, self.t
        tf = t.astype(y.dtype, copy=False)
        gx = y * array_utils.sum(tf, 1, True) - tf
        if self.reduce == 'mean':
            gx *= _mean_scale(gloss, self.coeff, gx.dtype)
        else:
            gx *= gloss.astype(gx.dtype, copy=False)[:, None]
        return utils.force_array(gx.astype(x.dtype, copy=False)),

    def _label_grad(self, xp, x, gloss):
        """``(y - onehot(t)) [* class_weight[t]] [* t_valid] * (gloss * coeff)`` (or
        ``* gloss`` per label) with ``y = exp(x - log_z)`` rounded to ``y_dtype``,
        Chainer's forms and order (bit-identical gradients), formed block by
        block of samples of a large NumPy ``x``, each while it is in cache, into
        the gradient in ``x``'s dtype (float16: each block in float32, then cast)."""
        t, log_z, dtype = self.t, self.log_z, self.y_dtype
        ndim, n_class = x.ndim, x.shape[1]
        cw, valid = self.class_weight, self.t_valid
        if self.reduce == 'mean':
            scale = _mean_scale(gloss, self.coeff, dtype)
        else:
            scale = gloss.astype(dtype, copy=False)[:, None]
        gx = xp.empty(x.shape, x.dtype)
        cast = dtype != x.dtype  # (float16 x, its gradient computed in float32)
        blocks = array_utils.sample_blocks(x, array_utils.compute_dtype(x.dtype))
        buf = None
        for block in blocks:
            xb = array_utils.as_compute(x[block])
            if cast:
                if buf is None:  # the first block is the longest
                    buf = xp.empty(xb.shape, dtype)
                gb = buf[:len(xb)]
            else:
                gb = gx[block]
            if xb.dtype == dtype:
                yb = xp.subtract(xb, log_z[block], out=gb)
            else:  # softmax rounded to x's dtype from the compute dtype (float16),
                # formed in xb, float16's float32 copy of the block
                yb = xp.subtract(xb, log_z[block], out=xb)
            xp.exp(yb, out=yb)
            if yb is not gb:
                gb[...] = yb
            tb = t[block]
            if ndim == 2:  # one 1-d subscript of the C-contiguous block instead of two
                gb.reshape(-1)[array_utils.row_starts(len(tb), n_class, xp) + tb] -= 1
            else:
                gb -= _one_hot(xp, tb, n_class, ndim, dtype)
            if cw is not None:
                gb *= cw[tb][:, None]  # (a float64 weight: multiplied in float64, rounded once)
            if valid is not None:
                gb *= valid[block][:, None]
            gb *= scale if self.reduce == 'mean' else scale[block]
            if cast:
                gx[block] = gb
        return gx

    def backward(self, indexes, grad_outputs):
        raise RuntimeError(  # Chainer's error and message
            "F.softmax_cross_entropy was called with 'enable_double_backprop=False' "
            'argument, but double-backprop is actually being performed. Please '
            "specify 'enable_double_backprop=True' explicitly.")


def _double_backward_softmax_cross_entropy(x, t, normalize, class_weight, ignore_label,
                                           reduce, soft_target_loss):
    """The loss composed of differentiable functions (so it has all orders)."""
    t = _util.as_array(t)
    x = chainer.as_variable(x)
    xp = backend.get_array_module(x.array)
    if x.dtype.kind != 'f' or x.ndim < 2:
        raise type_check.InvalidType('x.dtype.kind == f and x.ndim >= 2',
                                     f'x.dtype={x.dtype}, x.ndim={x.ndim}')
    if t.dtype.kind == 'f':
        if t.shape != x.shape:
            raise type_check.InvalidType('t.shape == x.shape',
                                         f't.shape={t.shape}, x.shape={x.shape}')
        dtype = numpy.result_type(x.dtype, t.dtype)
        if dtype != x.dtype:  # the loss has the promoted dtype, as without double backprop
            x = cast(x, dtype)
        log_y = log_softmax(x)
        tf = t.astype(x.dtype, copy=False)
        if soft_target_loss == 'kl-divergence':
            logt = xp.log(tf + tf.dtype.type(SoftmaxCrossEntropy.eps))
            loss = _sum((logt - log_y) * tf, axis=1)
        else:
            loss = -_sum(log_y * tf, axis=1)
        if reduce == 'mean':
            loss = _mean_loss(loss, max(x.size // x.shape[1], 1))
        return loss
    log_y = log_softmax(x)
    if (t.dtype.kind != 'i' or t.ndim != x.ndim - 1 or t.shape[0] != x.shape[0]
            or t.shape[1:] != x.shape[2:]):
        raise type_check.InvalidType(
            't.dtype.kind == i, t.ndim == x.ndim - 1, t.shape == x.shape[:1] + x.shape[2:]',
            f't.dtype={t.dtype}, t.shape={t.shape}, x.shape={x.shape}')
    _check_input_values(x.array, t, ignore_label)
    _check_class_weight_length(class_weight, x.shape[1])
    class_weight = array_utils.on_device_of(class_weight, x.array)
    in_use = t != ignore_label
    # Each sample's label log-probability, taken by one pick (an ignored label takes
    # class 0's, times 0, as Chainer's pick did: NaN logits in an ignored row still
    # give NaN). No one-hot array of x's size is formed or kept by the graph.
    rows = log_y if x.ndim == 2 else reshape(rollaxis(log_y, 1, x.ndim), (-1, x.shape[1]))
    t_pick = xp.where(in_use, t, 0).ravel()
    weight = in_use.ravel().astype(x.dtype)
    if class_weight is not None:
        weight = class_weight.astype(x.dtype, copy=False)[t_pick] * weight
    loss = select_item(-rows, t_pick) * weight  # negated before the pick, as Chainer (zero signs)
    if x.ndim != 2:
        loss = reshape(loss, t.shape)
    if reduce == 'mean':
        count = int((t != ignore_label).sum()) if normalize else len(x)
        loss = _mean_loss(loss, max(count, 1))
    return loss


def _mean_loss(loss, count: int):
    """``sum(loss * (1 / count))``: each loss scaled before the sum, as Chainer
    rounded it, and summed in float32 for float16 as Chainer did (a float16 sum of
    many losses overflows)."""
    if loss.dtype == numpy.float16:
        return cast(_sum(cast(loss, numpy.float32) * (1.0 / count)), numpy.float16)
    return _sum(loss * (1.0 / count))


def softmax_cross_entropy(x: VariableOrArray, t: VariableOrArray, normalize: bool = True,
                          cache_score: bool = True, class_weight: NdArray | None = None,
                          ignore_label: int | None = -1, reduce: str = 'mean',
                          enable_double_backprop: bool = False,
                          soft_target_loss: str = 'cross-entropy') -> Variable:
    """Cross entropy between the softmax of ``x`` and the labels (or distributions) ``t``.

    Args:
        x: Unnormalized log-probabilities, shape ``(N, C, ...)``.
        t: Integer labels of shape ``(N, ...)`` (``ignore_label`` entries are skipped) or
            float target distributions of the same shape as ``x``.
        normalize: With ``reduce='mean'``, divide by the number of used labels
            (True) or by the batch size (False).
        cache_score: Keep the softmax for the backward pass, in ``x``'s dtype (read
            as the node's ``y``). With integer labels only its row
            statistics are kept, from which the gradient forms the softmax again.
        class_weight: Per-class weights (array of shape ``(C,)``).
        ignore_label: Label value that contributes no loss (None: every label counts).
        reduce: ``'mean'`` (a scalar) or ``'no'`` (a loss per label).
        enable_double_backprop: Build the loss from differentiable functions so that it
            can be differentiated twice or more.
        soft_target_loss: ``'cross-entropy'`` or ``'kl-divergence'`` for float ``t``.
    """
    if soft_target_loss not in ('cross-entropy', 'kl-divergence'):
        raise ValueError("soft_target_loss must be 'cross-entropy' or 'kl-divergence'.")
    if ignore_label is None and getattr(x, 'ndim', 0) >= 2:
        ta = _util.as_array(t)
        if ta.dtype.kind in 'iu':
            # Chainer compared the labels with None: none is ignored. The class count,
            # out of range for a label, stands for it.
            check_index_range(ta, x.shape[1], 'label t', message=_bad_label_message(None))
            ignore_label = x.shape[1]
    if not enable_double_backprop:
        func = SoftmaxCrossEntropy(normalize, cache_score, class_weight, ignore_label,
                                   reduce, soft_target_loss)
        return func.apply((x, t))[0]
    _check_class_weight_option(class_weight)
    _check_reduce_option(reduce)
    return _double_backward_softmax_cross_entropy(
        x, t, normalize, class_weight, ignore_label, reduce, soft_target_loss)
