"""Dataset iterators (``chainer.iterators``)."""
from chainer.iterators.multiprocess_iterator import MultiprocessIterator  # NOQA: F401
from chainer.iterators.multithread_iterator import MultithreadIterator  # NOQA: F401
from chainer.iterators.order_samplers import OrderSampler  # NOQA: F401
from chainer.iterators.order_samplers import ShuffleOrderSampler  # NOQA: F401
from chainer.iterators.serial_iterator import SerialIterator  # NOQA: F401


class DaliIterator:
    """Placeholder: NVIDIA DALI pipelines are not supported by this implementation."""

    def __init__(self, pipeline, repeat=True):
        raise RuntimeError(
            'DaliIterator is not supported by rechainer (NVIDIA DALI integration is '
            'out of scope); use SerialIterator, MultithreadIterator or '
            'MultiprocessIterator instead.')
