"""Host time of the CuPy calls rechainer's hot paths make, and of rechainer's own steps.

Run:  python benchmarks/gpu/host_costs.py [--dry-run]

On a GPU the small-batch rows of ``bench.py`` are bound by the host: the time a
step takes is the Python and CuPy work that launches its kernels. This prints,
per call on tiny arrays, what each piece costs there (CuPy's ufunc, raw and
elementwise kernel launches, allocation, views, attribute reads, device
contexts, a host read; then rechainer's own per-op and per-parameter steps), so
that a device session knows where a step's host time goes before changing
anything. Each figure is the best mean over rounds, synchronised at the end of
each round. ``--dry-run`` runs the rows that need no CuPy with NumPy, to check
the script (and see the NumPy figures) on the CPU.
"""
from __future__ import annotations

import argparse

import numpy as np

import chainer
import chainer.functions as F
from chainer import optimizers
from chainer.functions.math import basic_math
from chainer.optimizers import adam

from bench import Bench  # noqa: E402  (this folder is on sys.path when run as a script)

try:
    import cupy
except ImportError:  # CuPy is optional; --dry-run works without it
    cupy = None


def rows(xp, dry: bool) -> list:
    """(name, callable) pairs; those that need CuPy are left out in a dry run."""
    x = xp.ones((16,), np.float32)
    y = xp.empty_like(x)
    m = xp.ones((100, 64), np.float32)
    a = xp.ones((8, 8), np.float32)
    out = [
        ('alloc: xp.empty((16,))', lambda: xp.empty((16,), np.float32)),
        ('ufunc: x * 2.0', lambda: x * 2.0),
        ('ufunc: xp.multiply(x, 2.0, out=y)', lambda: xp.multiply(x, 2.0, out=y)),
        ('ufunc: x + x', lambda: x + x),
        ('reduce: x.sum()', lambda: x.sum()),
        ('reduce: m.sum(axis=0), m (100, 64)', lambda: m.sum(axis=0)),
        ('matmul: a @ a, (8, 8)', lambda: a @ a),
        ('view: x.reshape(4, 4)', lambda: x.reshape(4, 4)),
        ('view: m.T', lambda: m.T),
        ('no-op: x.astype(float32, copy=False)', lambda: x.astype(np.float32, copy=False)),
        ('read: x.shape, x.dtype, x.size', lambda: (x.shape, x.dtype, x.size)),
        ('read: x.flags.c_contiguous', lambda: x.flags.c_contiguous),
        ('chainer.backend.get_array_module(x)', lambda: chainer.backend.get_array_module(x)),
        ('host read: float(x.sum())', lambda: float(x.sum())),
    ]
    if not dry:
        out += [
            ('cupy.get_array_module(x)', lambda: cupy.get_array_module(x)),
            ('read: x.data.device_id', lambda: x.data.device_id),
            ('cupy.cuda.runtime.getDevice()', cupy.cuda.runtime.getDevice),
            ('context: with cupy.cuda.Device(0)', _device_context),
            ('raw kernel: rechainer x * 2.0', lambda: basic_math._gpu_raw_op(x, '*', 2.0)),
        ]
        kernel = adam._kernel(False, False)
        marker = adam._type_marker(np.dtype(np.float32))
        p, g, m1, v1 = (xp.zeros((16,), np.float32) for _ in range(4))
        out.append(('elementwise kernel: Adam, 8 in + 3 out',
                    lambda: kernel(g, 1e-3, 0.1, 1e-3, 1e-8, 1.0, 0.0, marker, p, m1, v1)))
    v = chainer.Variable(x)
    h = chainer.Variable(xp.ones((4, 16), np.float32))
    w = chainer.Parameter(xp.ones((16, 16), np.float32))
    b = chainer.Parameter(xp.zeros((16,), np.float32))
    out += [
        ('rechainer: Variable * 2.0', lambda: v * 2.0),
        ('rechainer: Variable + Variable', lambda: v + v),
        ('rechainer: F.relu(h)', lambda: F.relu(h)),
        ('rechainer: F.linear(h, W, b)', lambda: F.linear(h, w, b)),
        ('rechainer: F.sum(h, axis=0)', lambda: F.sum(h, axis=0)),
        ('rechainer: (v * 2.0) fwd+bwd', lambda: _fwd_bwd(v)),
    ]
    for name in ('SGD', 'MomentumSGD', 'Adam'):
        out.append((f'rechainer: {name} update of 1 param (16,)', _update(xp, name)))
    return out


def _device_context():
    with cupy.cuda.Device(0):
        pass


def _fwd_bwd(v):
    y = v * 2.0
    y.grad = y.array
    y.backward()


def _update(xp, name):
    link = chainer.Link()
    with link.init_scope():
        link.w = chainer.Parameter(xp.ones((16,), np.float32))
    link.w.grad = xp.ones((16,), np.float32)
    opt = getattr(optimizers, name)().setup(link)
    return opt.update


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args()
    if args.dry_run or cupy is None:
        if not args.dry_run:
            raise SystemExit('CuPy is not installed: use --dry-run to check the script on the CPU')
        bench = Bench(np, 3, 200)
    else:
        bench = Bench(cupy, 5, 2000)
    xp = bench.xp
    where = 'numpy, dry run' if xp is np else f'cupy {cupy.__version__}'
    print(f'host time per call ({where})')
    for name, fn in rows(xp, xp is np):
        print(f'{name:48s} {bench.time(fn) * 1e6:9.2f} us')


if __name__ == '__main__':
    main()
