"""The orthogonal initializer (Saxe et al., 2014)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer import initializer
from chainer import utils

if TYPE_CHECKING:
    from chainer.types import DTypeSpec
    from chainer.types import NdArray

# mode -> (reject more inputs than outputs, reject more outputs than inputs)
_MODE_CONSTRAINTS = {
    'auto': (False, False),
    'projection': (False, True),
    'embedding': (True, False),
    'basis': (True, True),
}


class Orthogonal(initializer.Initializer):
    """Fills arrays with a scaled (semi-)orthogonal matrix.

    The array is viewed as a matrix of ``shape[0]`` rows (outputs) by
    ``prod(shape[1:])`` columns (inputs). Its rows are orthonormal when there
    are no more rows than columns, and its columns otherwise; then it is
    multiplied by ``scale``. A 0-d array gets ``scale`` or ``-scale``.

    Args:
        scale: Multiplier of the orthogonal matrix.
        dtype: Data type of the arrays it fills (None: any).
        mode: Which shapes are accepted: ``'auto'`` (any), ``'projection'``
            (outputs <= inputs), ``'embedding'`` (outputs >= inputs) or
            ``'basis'`` (outputs == inputs).
        rng: (keyword only) A random number generator with a ``normal`` method
            (e.g. ``numpy.random.RandomState``); None uses ``numpy.random``.
    """

    def __init__(self, scale: float = 1.1, dtype: DTypeSpec | None = None, mode: str = 'auto',
                 **kwargs: Any) -> None:
        self.rng = initializer._pop_rng(type(self).__name__, kwargs)
        if mode not in _MODE_CONSTRAINTS:
            choices = ', '.join(repr(m) for m in _MODE_CONSTRAINTS)
            raise ValueError(f'Invalid mode: {mode!r}. Choose from {choices}.')
        self.scale = scale
        self.mode = mode
        super().__init__(dtype)

    def __call__(self, array: NdArray) -> None:
        self._check_dtype(array)
        rng = self.rng
        if array.ndim == 0:
            if rng is None:
                bit = numpy.random.randint(2)
            elif hasattr(rng, 'randint'):
                bit = rng.randint(2)
            else:  # numpy.random.Generator
                bit = rng.integers(2)
            backend.copyto(array, numpy.asarray(self.scale * (2 * int(bit) - 1),
                                                dtype=array.dtype))
            return
        if array.size == 0:
            raise ValueError(
                f'Array to be initialized must be non-empty; got shape {array.shape}.')
        out_dim = array.shape[0]
        in_dim = utils.size_of_shape(array.shape[1:])
        reject_wide, reject_tall = _MODE_CONSTRAINTS[self.mode]
        if (in_dim > out_dim and reject_wide) or (in_dim < out_dim and reject_tall):
            raise ValueError(
                f'Cannot make orthogonal {self.mode}. shape = {array.shape}, '
                f'interpreted as {in_dim}-dim input and {out_dim}-dim output.')
        # The QR decomposition runs on the CPU whatever the array's device.
        if rng is None:
            a = numpy.random.normal(size=(out_dim, in_dim))
        else:
            a = backend.CpuDevice().send(rng.normal(size=(out_dim, in_dim)))
        transpose = in_dim > out_dim
        if transpose:
            a = a.T
        q, r = numpy.linalg.qr(a)
        # Fixing the signs by diag(r) makes q uniformly (Haar) distributed.
        q *= numpy.copysign(self.scale, numpy.diag(r))
        if transpose:
            q = q.T
        backend.copyto(array, q.reshape(array.shape).astype(array.dtype, copy=False))
