"""Where a rechainer training step spends GPU time: kernels and host syncs.

Run:  python benchmarks/gpu/profile_step.py [--steps 5]

Profiles the MLP 784-1000-1000-10 Adam step, the double-backprop row and the
LeNet-style CNN step of ``bench.py`` with PyTorch's CUPTI-based profiler (which
sees every kernel on the device, CuPy's included) and prints, per workload: the
kernels by total time, the CUDA API calls per step, and those that block the
host (synchronisations and device-to-host copies). Then, since the small-batch
rows are bound by the host, ``cProfile`` of the b100 MLP step and of the 100-op
chain: the Python functions by own time per step.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats

import numpy as np

import chainer
import chainer.functions as F
from chainer import optimizers

import cupy
from torch.profiler import ProfilerActivity, profile

from bench import MLP, LeNet  # noqa: E402  (this folder is on sys.path when run as a script)

_BLOCKING = ('Synchronize', 'cudaMemcpy', 'cuMemcpyDtoH', 'cuMemcpyD2H', 'cudaMemcpyAsync')


def report(name, fn, steps):
    for _ in range(3):
        fn()
    cupy.cuda.get_current_stream().synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for _ in range(steps):
            fn()
        cupy.cuda.get_current_stream().synchronize()
    averages = prof.key_averages()
    print(f'== {name} ({steps} steps)')
    for key in ('self_device_time_total', 'self_cuda_time_total'):
        try:
            print(averages.table(sort_by=key, row_limit=16, max_name_column_width=70))
            break
        except (AttributeError, KeyError, ValueError):
            continue
    calls = {e.key: e.count / steps for e in averages if e.key.startswith('cu')}
    print('  CUDA API calls per step:', dict(sorted(calls.items())))
    blocking = {k: v for k, v in calls.items() if any(b in k for b in _BLOCKING)}
    print('  host-blocking calls per step:', blocking or 'none')


def python_profile(name, fn, steps):
    """The Python functions by own time, per step (the host side of a step)."""
    for _ in range(3):
        fn()
    cupy.cuda.get_current_stream().synchronize()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        fn()
    cupy.cuda.get_current_stream().synchronize()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    print(f'== {name}: Python, {stats.total_tt / steps * 1e6:.0f} us per step under cProfile')
    stats.sort_stats('tottime').print_stats(25)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if 'ncalls' in line), 0)
    print('\n'.join(line for line in lines[start:] if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=5)
    args = parser.parse_args()
    for batch in (100, 8192):
        model = MLP()
        model.to_device('@cupy:0')
        opt = optimizers.Adam()
        opt.setup(model)
        rng = np.random.default_rng(0)
        x = cupy.asarray(rng.standard_normal((batch, 784), dtype=np.float32))
        t = cupy.asarray(rng.integers(0, 10, batch).astype(np.int32))

        def step():
            model.cleargrads()
            F.softmax_cross_entropy(model(x), t).backward()
            opt.update()
        report(f'MLP Adam b{batch}', step, args.steps)
        if batch == 100:
            python_profile('MLP Adam b100', step, 50)

    xs = chainer.Variable(cupy.ones((1,), np.float32))

    def chain():
        y = xs
        for _ in range(100):
            y = y * 1.0001 + 0.0001
        y.grad = cupy.ones_like(y.array)
        y.backward()
    python_profile('100-op chain', chain, 20)

    xd = cupy.asarray(np.random.default_rng(1).standard_normal(10 ** 6).astype(np.float32))

    def dbl():
        v = chainer.Variable(xd)
        gx, = chainer.grad([F.sum(F.tanh(v) ** 3)], [v], enable_double_backprop=True)
        F.sum(gx * gx).backward()
    report('double backprop n=1e6', dbl, args.steps)

    cnn = LeNet()
    cnn.to_device('@cupy:0')
    opt = optimizers.MomentumSGD()
    opt.setup(cnn)
    rng = np.random.default_rng(2)
    xc = cupy.asarray(rng.standard_normal((64, 1, 28, 28), dtype=np.float32))
    tc = cupy.asarray(rng.integers(0, 10, 64).astype(np.int32))

    def cnn_step():
        cnn.cleargrads()
        F.softmax_cross_entropy(cnn(xc), tc).backward()
        opt.update()
    report('LeNet CNN MomentumSGD b64', cnn_step, args.steps)


if __name__ == '__main__':
    main()
