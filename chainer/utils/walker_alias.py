"""Walker's alias method: O(1) sampling from a fixed discrete distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import device_resident
from chainer.utils import array as _array

if TYPE_CHECKING:
    from chainer.device_resident import DeviceResidentsVisitor
    from chainer.types import ShapeSpec, Xp

# chainer.utils is imported while chainer itself initializes: import the rest lazily.


class WalkerAlias(device_resident.DeviceResident):
    """Draws integers ``i`` with probability ``probs[i] / sum(probs)``.

    A :class:`~chainer.DeviceResident`: ``to_device`` moves its tables.

    Slot ``i`` of the table gives ``values[2 * i]`` with probability
    ``threshold[i]`` and otherwise its alias ``values[2 * i + 1]``.

    Args:
        probs: Non-negative weights (need not sum to one).
    """

    def __init__(self, probs: Any) -> None:
        prob = numpy.array(probs, numpy.float64)
        if prob.ndim != 1 or prob.size == 0:
            raise ValueError('probs must be a non-empty 1-dimensional array')
        if (prob < 0).any() or not numpy.isfinite(prob).all():
            raise ValueError('probs must be finite and non-negative')
        total = prob.sum()
        if total <= 0:
            raise ValueError('probs must have a positive sum')
        # The tables are built as Chainer builds them, in float32, so that a
        # seeded generator draws the same samples: outcomes are taken in
        # increasing order of probability (ties by index); each one first gives
        # its excess mass to the earliest slots still without an alias, then
        # keeps a slot of its own with what is left.
        prob = prob.astype(numpy.float32)
        prob /= _array.sum_in_numpy1_order(prob)
        n = len(prob)
        threshold = numpy.empty(n, numpy.float32)
        values = numpy.zeros(2 * n, numpy.int32)
        scaled = prob.astype(numpy.float64) * n
        aliased = 0
        for slot, i in enumerate(numpy.argsort(prob, kind='stable').tolist()):
            p = float(scaled[i])
            while p > 1 and aliased < slot:
                values[2 * aliased + 1] = i
                p -= 1.0 - float(threshold[aliased])
                aliased += 1
            threshold[slot] = p
            values[2 * slot] = i
        super().__init__()
        self.threshold = threshold
        self.values = values

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        self.threshold = visitor.visit_array(self.threshold)
        self.values = visitor.visit_array(self.values)

    @property
    def use_gpu(self) -> bool:
        """Whether the tables live on a CUDA GPU."""
        from chainer.backends import cuda
        xp = self._device.xp
        if xp is numpy:
            return False
        if cuda.available and xp is cuda.cupy:
            return True
        raise RuntimeError(
            'WalkerAlias.use_gpu attribute is only applicable for numpy or cupy devices. '
            'Use WalkerAlias.device attribute for general devices.')

    def sample(self, shape: ShapeSpec) -> Any:
        """Draws an int32 array of samples of the given shape."""
        import chainer
        xp = self._device.xp
        with chainer.using_device(self._device):
            if xp is not numpy:
                return self.sample_gpu(shape)
            return self.sample_xp(xp, shape)

    def sample_xp(self, xp: Xp, shape: ShapeSpec) -> Any:
        """Draws samples with the random generator of the array module ``xp``."""
        n = len(self.threshold)
        pb = xp.random.uniform(0, n, shape)
        index = xp.minimum(pb.astype(numpy.int32), n - 1)
        # The fraction is taken in the tables' dtype, from pb rounded to it (as
        # Chainer did): this decides the side of the slot for large tables.
        dtype = self.threshold.dtype
        right = self.threshold[index] < pb.astype(dtype) - index.astype(dtype)
        return self.values[index * 2 + right.astype(numpy.int32)]

    def sample_gpu(self, shape: ShapeSpec) -> Any:
        """Draws samples on the GPU, as Chainer's kernel did: one float32
        uniform draw per sample, so a seeded CuPy generator gives Chainer's
        samples."""
        from chainer.backends import cuda
        ps = cuda.cupy.random.uniform(size=shape, dtype=numpy.float32)
        kernel = cuda.elementwise(
            'T ps, raw T threshold, raw S values, int32 b', 'int32 vs',
            '''
            T pb = ps * b;
            int index = (int)pb;  // pb >= 0: truncation is the floor
            if (index >= b) {  // the uniform draw can round to 1
              index = 0;
            }
            int lr = threshold[index] < pb - index;
            vs = values[index * 2 + lr];
            ''',
            'walker_alias_sample')
        return kernel(ps, self.threshold, self.values, len(self.threshold))
