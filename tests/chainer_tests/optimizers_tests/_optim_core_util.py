"""Helpers shared by the optimizer tests: a small model and dict-based (de)serializers."""
import numpy

import chainer
from chainer import serializer as serializer_module


class Leaf(chainer.Link):
    """A link with a (3, 4) weight and a (b_size,) bias."""

    def __init__(self, dtype=numpy.float32, seed=0, b_size=3):
        super().__init__()
        rng = numpy.random.RandomState(seed)
        with self.init_scope():
            self.W = chainer.Parameter(rng.uniform(-1, 1, (3, 4)).astype(dtype))
            self.b = chainer.Parameter(rng.uniform(-1, 1, (b_size,)).astype(dtype))


class Model(chainer.Chain):
    """Two leaves (``l1``, ``l2``) so parameter paths have several segments."""

    def __init__(self, dtype=numpy.float32, b_size=3):
        super().__init__()
        with self.init_scope():
            self.l1 = Leaf(dtype, seed=0, b_size=b_size)
            self.l2 = Leaf(dtype, seed=1, b_size=b_size)


def set_grads(link, seed, dtype=None):
    """Fills every parameter's gradient with random values (deterministic per ``seed``)."""
    rng = numpy.random.RandomState(seed)
    out = {}
    for name, p in link.namedparams():
        g = rng.uniform(-1, 1, p.shape).astype(dtype or p.dtype)
        p.grad = g.copy()
        out[name] = g
    return out


def cpu_and_gpu_runs(make_optimizer, dtype, steps=3):
    """Two ``Model(dtype)``, the second on the GPU, each updated ``steps`` times by its
    own ``make_optimizer()`` with the same gradients; returns ``(cpu, gpu)``."""
    import cupy
    cpu = Model(dtype)
    gpu = Model(dtype)
    gpu.to_device('@cupy:0')
    opt_c = make_optimizer().setup(cpu)
    opt_g = make_optimizer().setup(gpu)
    for step in range(steps):
        grads = set_grads(cpu, step)
        for name, p in gpu.namedparams():
            p.grad = cupy.asarray(grads[name])
        opt_c.update()
        opt_g.update()
    return cpu, gpu


def param_arrays(link):
    return {name: p.array.copy() for name, p in link.namedparams()}


class DictSerializer(serializer_module.Serializer):
    """Writes values into a flat dict under ``path/key`` (copies arrays)."""

    def __init__(self, target=None, path=''):
        self.target = {} if target is None else target
        self.path = path

    def __getitem__(self, key):
        return DictSerializer(self.target, self.path + key.strip('/') + '/')

    def __call__(self, key, value):
        if isinstance(value, numpy.ndarray):
            self.target[self.path + key] = value.copy()
        else:
            self.target[self.path + key] = value
        return value


class DictDeserializer(serializer_module.Deserializer):
    """Reads values written by :class:`DictSerializer`; missing keys raise KeyError."""

    def __init__(self, target, path=''):
        self.target = target
        self.path = path

    def __getitem__(self, key):
        return DictDeserializer(self.target, self.path + key.strip('/') + '/')

    def __call__(self, key, value):
        data = self.target[self.path + key]
        if value is None:
            return data.copy() if isinstance(data, numpy.ndarray) else data
        if isinstance(value, numpy.ndarray):
            numpy.copyto(value, data)
            return value
        return type(value)(data)
