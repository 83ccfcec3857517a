"""Walker's alias method: O(1) sampling from a fixed discrete distribution."""
from __future__ import annotations

from typing import Any

import numpy

# chainer.utils is imported while chainer itself initializes: import the rest lazily.


class WalkerAlias:
    """Draws integers ``i`` with probability ``probs[i] / sum(probs)``.

    Each slot ``i`` of the table keeps itself with probability ``threshold[i]``
    and otherwise gives its alias; ``values[2 * i]`` is ``i`` and
    ``values[2 * i + 1]`` its alias.

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
        n = len(prob)
        scaled = prob * (n / total)
        threshold = numpy.ones(n, numpy.float64)
        alias = numpy.arange(n, dtype=numpy.int32)
        small = [i for i in range(n) if scaled[i] < 1.0]
        large = [i for i in range(n) if scaled[i] >= 1.0]
        while small and large:
            s = small.pop()
            g = large.pop()
            threshold[s] = scaled[s]
            alias[s] = g
            scaled[g] -= 1.0 - scaled[s]
            (small if scaled[g] < 1.0 else large).append(g)
        # leftovers are 1 up to rounding: they always keep themselves
        values = numpy.empty(2 * n, numpy.int32)
        values[0::2] = numpy.arange(n)
        values[1::2] = alias
        self.threshold = threshold.astype(numpy.float32)
        self.values = values
        from chainer import backend
        self._device = backend.CpuDevice()

    @property
    def device(self):
        """The device holding the tables."""
        return self._device

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

    def to_device(self, device: Any) -> 'WalkerAlias':
        """Moves the tables to ``device`` (any device specifier)."""
        import chainer
        device = chainer.get_device(device)
        self.threshold = device.send(self.threshold)
        self.values = device.send(self.values)
        self._device = device
        return self

    use_device = to_device

    def to_gpu(self) -> 'WalkerAlias':
        """Moves the tables to the current CUDA device."""
        from chainer.backends import cuda
        return self.to_device(f'@cupy:{cuda._get_device_or_current(None).id}')

    def to_cpu(self) -> 'WalkerAlias':
        """Moves the tables to the CPU."""
        from chainer import backend
        return self.to_device(backend.CpuDevice())

    def sample(self, shape) -> Any:
        """Draws an int32 array of samples of the given shape."""
        import chainer
        xp = self._device.xp
        with chainer.using_device(self._device):
            return self.sample_xp(xp, shape)

    def sample_xp(self, xp, shape) -> Any:
        """Draws samples with the random generator of the array module ``xp``."""
        n = len(self.threshold)
        pb = xp.random.uniform(0, n, shape)
        index = xp.minimum(pb.astype(numpy.int32), n - 1)
        right = (self.threshold[index] < (pb - index).astype(self.threshold.dtype))
        return self.values[index * 2 + right.astype(numpy.int32)]

    def sample_gpu(self, shape) -> Any:
        """Draws samples on the GPU."""
        from chainer.backends import cuda
        return self.sample_xp(cuda.cupy, shape)
