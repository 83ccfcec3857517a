"""Type aliases for annotations (Chainer's ``chainer.types``).

They are plain ``typing`` aliases, usable at run time in user annotations; the
array and device types they name are forward references, so nothing here
imports CuPy.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, Tuple, Union

if TYPE_CHECKING:
    from types import ModuleType  # noqa: F401

    import numpy  # noqa: F401

    import chainerx  # noqa: F401
    from chainer import backend  # noqa: F401
    from chainer import variable  # noqa: F401
    from chainer.backends import cuda  # noqa: F401

__all__ = ['TYPE_CHECKING', 'AbstractInitializer', 'CudaDeviceSpec', 'DTypeSpec', 'DeviceSpec',
           'InitializerSpec', 'NdArray', 'ScalarValue', 'Shape', 'ShapeSpec', 'VariableOrArray',
           'Xp']

#: A shape: a tuple of ints.
Shape = Tuple[int, ...]
#: What a shape argument takes: an int or a sequence of ints.
ShapeSpec = Union[int, Sequence[int]]
#: What a dtype argument takes (a NumPy dtype, a type or a name).
DTypeSpec = Union[Any]
#: An array of any backend.
NdArray = Union['numpy.ndarray', 'cuda.ndarray', 'chainerx.ndarray']
#: What a function input takes: a Variable or an array of any backend.
VariableOrArray = Union['variable.Variable', NdArray]
#: An array module (``numpy`` or ``cupy``).
Xp = Union[Any]


class AbstractInitializer(Protocol):
    """Anything that fills an array in place (``initializer(array)``)."""

    dtype: Any

    def __call__(self, array: Any) -> None: ...


#: A constant an initializer argument takes.
ScalarValue = Union['numpy.generic', bytes, str, memoryview, numbers.Number]
#: What an initializer argument takes: an initializer, a constant or an array.
InitializerSpec = Union[AbstractInitializer, ScalarValue, 'numpy.ndarray']
#: What a device argument takes: a device object, a specifier string such as
#: ``'@cupy:0'``, a ``(module, id)`` pair or an array module.
DeviceSpec = Union['backend.Device', 'chainerx.Device', 'cuda.Device', str, Tuple[str, int],
                   'ModuleType', Tuple['ModuleType', int]]
#: What a CUDA device argument takes: a ``cuda.Device`` or an id.
CudaDeviceSpec = Union['cuda.Device', int, 'numpy.integer']
