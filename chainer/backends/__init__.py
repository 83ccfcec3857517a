"""Array backends: the CPU (NumPy), CUDA (CuPy), and the unsupported iDeep/ChainerX."""
from chainer.backends import _cpu  # NOQA: F401
from chainer.backends import cuda  # NOQA: F401
from chainer.backends import intel64  # NOQA: F401
from chainer.backends import _chainerx  # NOQA: F401
