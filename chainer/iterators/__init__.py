"""Dataset iterators (``chainer.iterators``)."""
from chainer.iterators import dali_iterator  # NOQA: F401
from chainer.iterators.dali_iterator import DaliIterator  # NOQA: F401
from chainer.iterators.multiprocess_iterator import MultiprocessIterator  # NOQA: F401
from chainer.iterators.multithread_iterator import MultithreadIterator  # NOQA: F401
from chainer.iterators.order_samplers import OrderSampler  # NOQA: F401
from chainer.iterators.order_samplers import ShuffleOrderSampler  # NOQA: F401
from chainer.iterators.serial_iterator import SerialIterator  # NOQA: F401

