"""chainer.types: the aliases user annotations name at run time."""
import typing

import numpy

from chainer import types


def test_aliases_exist_at_run_time():
    for name in ('Shape', 'ShapeSpec', 'DTypeSpec', 'NdArray', 'Xp', 'ScalarValue',
                 'InitializerSpec', 'DeviceSpec', 'CudaDeviceSpec', 'AbstractInitializer'):
        assert hasattr(types, name), name
    assert types.Shape == typing.Tuple[int, ...]
    assert int in typing.get_args(types.ShapeSpec)


def test_annotations_using_them_evaluate():
    def f(shape: types.ShapeSpec, init: types.InitializerSpec = None,
          device: types.DeviceSpec = None) -> types.NdArray:
        return numpy.zeros(shape)

    assert f.__annotations__['shape'] == types.ShapeSpec
    assert f(3).shape == (3,)
