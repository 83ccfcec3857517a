"""Per-op overhead of the define-by-run core, as ratios to plain NumPy (and PyTorch).

Run:  python benchmarks/overhead.py [--repeat N] [--timer wall|cpu]

Workloads:
  (a) 50 x ``y = y * 1.0001 + 0.0001`` on a (1,) float32 array, forward and backward
  (b) backward through a 1,000-node chain of additions ``y = y + x`` (x used 1,000 times)
  (c) ``gx = grad(sum(tanh(x)**3), x)`` with double backprop, then backward of
      ``sum(gx * gx)``, x of 1,000 elements
The NumPy baseline does the same arithmetic by hand, forward and backward.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

# (this folder is on sys.path; importing _timing also puts the checkout first)
from _timing import best_times, print_ratios, versions
import chainer  # noqa: E402
import chainer.functions as F  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None


timer = time.perf_counter


def best_time(fn, number: int, repeat: int) -> float:
    """Best mean time of ``number`` calls over ``repeat`` rounds (seconds per call)."""
    return best_times([fn], number, repeat, timer)[0]


# -- (a) scalar chain -------------------------------------------------------------

def a_chainer():
    x = chainer.Variable(np.ones((1,), np.float32))
    y = x
    for _ in range(50):
        y = y * 1.0001 + 0.0001
    y.grad = np.ones((1,), np.float32)
    y.backward()
    return x.grad


def a_numpy():
    c1 = np.float32(1.0001)
    c2 = np.float32(0.0001)
    y = np.ones((1,), np.float32)
    for _ in range(50):
        y = y * c1 + c2
    g = np.ones((1,), np.float32)
    for _ in range(50):
        g = g * c1
    return g


def a_torch():
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(50):
        y = y * 1.0001 + 0.0001
    y.backward(torch.ones(1))
    return x.grad


# -- (b) backward through 1,000 additions ---------------------------------------

def b_build_chainer():
    x = chainer.Variable(np.ones((1,), np.float32))
    y = x
    for _ in range(1000):
        y = y + x
    y.grad = np.ones((1,), np.float32)
    return x, y


def b_numpy_backward():
    g = np.ones((1,), np.float32)
    gx = g.copy()
    for _ in range(1000):
        gx = gx + g
    return gx


def b_build_torch():
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(1000):
        y = y + x
    return x, y


def time_backward_chain(build, backward, number, repeat):
    best = float('inf')
    for _ in range(repeat):
        graphs = [build() for _ in range(number)]
        t0 = timer()
        for g in graphs:
            backward(g)
        best = min(best, (timer() - t0) / number)
    return best


# -- (c) double backprop through tanh ---------------------------------------------

X_C = np.random.RandomState(0).uniform(-1, 1, 1000).astype(np.float32)


def c_chainer():
    x = chainer.Variable(X_C.copy())
    y = F.sum(F.tanh(x) ** 3)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    z = F.sum(gx * gx)
    z.backward()
    return x.grad


def c_numpy():
    x = X_C
    t = np.tanh(x)
    y = np.sum(t ** 3)  # noqa: F841 (forward, as the framework computes it)
    dt = 1 - t * t
    gx = 3 * t * t * dt
    z = np.sum(gx * gx)  # noqa: F841
    # d/dx of sum(gx^2) = 2 gx * d(gx)/dx, with gx = 3t^2 - 3t^4 and dt/dx = 1 - t^2
    dgx = (6 * t - 12 * t ** 3) * dt
    return 2 * gx * dgx


def c_torch():
    x = torch.tensor(X_C, requires_grad=True)
    y = torch.sum(torch.tanh(x) ** 3)
    gx, = torch.autograd.grad([y], [x], create_graph=True)
    z = torch.sum(gx * gx)
    z.backward()
    return x.grad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=7)
    parser.add_argument('--timer', choices=('wall', 'cpu'), default='wall',
                        help='wall clock, or CPU time of this process (steadier on a busy machine)')
    args = parser.parse_args()
    r = args.repeat
    global timer
    timer = time.perf_counter if args.timer == 'wall' else time.process_time

    np.testing.assert_allclose(c_chainer(), c_numpy(), rtol=1e-4, atol=1e-5)

    rows = []
    t_np = best_time(a_numpy, 300, r)
    t_ch = best_time(a_chainer, 100, r)
    t_th = best_time(a_torch, 100, r) if torch else None
    rows.append(('(a) 50 x (y*1.0001+0.0001), fwd+bwd', t_ch, t_np, t_th))

    t_np = best_time(b_numpy_backward, 200, r)
    t_ch = time_backward_chain(b_build_chainer, lambda g: g[1].backward(), 20, r)
    t_th = time_backward_chain(
        b_build_torch, lambda g: g[1].backward(torch.ones(1)), 20, r) if torch else None
    rows.append(('(b) backward of 1,000 additions', t_ch, t_np, t_th))

    t_np = best_time(c_numpy, 300, r)
    t_ch = best_time(c_chainer, 100, r)
    t_th = best_time(c_torch, 100, r) if torch else None
    rows.append(('(c) double backprop tanh**3, n=1000', t_ch, t_np, t_th))

    print(versions()
          + (f', torch {torch.__version__} ({torch.get_num_threads()} threads)'
             if torch else ', torch not installed') + f'; {args.timer} time')
    print_ratios(rows, 'workload', 40)


if __name__ == '__main__':
    main()
