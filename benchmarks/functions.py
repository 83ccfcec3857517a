"""Forward+backward time of common functions, as ratios to plain NumPy (and PyTorch CPU).

Run:  python benchmarks/functions.py [--repeat N] [--timer wall|cpu]

On a busy machine use ``--timer cpu`` (and ``OPENBLAS_NUM_THREADS=1`` for
steady BLAS timings): waiting for a CPU then does not count.

Workloads (float32, forward and backward from a given output gradient):
  relu, tanh             elementwise on 1e6 elements
  softmax_cross_entropy  batch 100 x 10 classes, mean loss
  linear                 x (100, 784), W (1000, 784), b (1000,); gradients of x, W and b
  sum(exp(x))            1e6 elements
The NumPy baseline does the same arithmetic by hand, forward and backward, with
no more temporaries than the formulas need. A function that is not available
is skipped with a note.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from _timing import best_times  # noqa: E402  (this folder is on sys.path)
import chainer
import chainer.functions as F

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

N_ELEM = 1_000_000
RNG = np.random.RandomState(0)
X_BIG = RNG.uniform(-1, 1, N_ELEM).astype(np.float32)
GY_BIG = RNG.uniform(-1, 1, N_ELEM).astype(np.float32)
X_SCE = RNG.uniform(-1, 1, (100, 10)).astype(np.float32)
T_SCE = RNG.randint(0, 10, 100).astype(np.int32)
X_LIN = RNG.uniform(-1, 1, (100, 784)).astype(np.float32)
W_LIN = RNG.uniform(-0.05, 0.05, (1000, 784)).astype(np.float32)
B_LIN = RNG.uniform(-1, 1, 1000).astype(np.float32)
GY_LIN = RNG.uniform(-1, 1, (100, 1000)).astype(np.float32)


def _missing(name: str) -> str | None:
    """A note if ``F.<name>`` is not available, else None."""
    return None if hasattr(F, name) else f'F.{name} is not available'


# -- relu -----------------------------------------------------------------------

def relu_chainer():
    x = chainer.Variable(X_BIG)
    y = F.relu(x)
    y.grad = GY_BIG
    y.backward()
    return x.grad


def relu_numpy():
    y = np.maximum(X_BIG, 0)
    return GY_BIG * (y > 0)


def relu_torch():
    x = torch.from_numpy(X_BIG).requires_grad_()
    torch.relu(x).backward(torch.from_numpy(GY_BIG))
    return x.grad


# -- tanh -----------------------------------------------------------------------

def tanh_chainer():
    x = chainer.Variable(X_BIG)
    y = F.tanh(x)
    y.grad = GY_BIG
    y.backward()
    return x.grad


def tanh_numpy():
    y = np.tanh(X_BIG)
    return GY_BIG * (1 - y * y)


def tanh_torch():
    x = torch.from_numpy(X_BIG).requires_grad_()
    torch.tanh(x).backward(torch.from_numpy(GY_BIG))
    return x.grad


# -- softmax_cross_entropy --------------------------------------------------------

def sce_chainer():
    x = chainer.Variable(X_SCE)
    loss = F.softmax_cross_entropy(x, T_SCE)
    loss.backward()
    return x.grad


_ARANGE = np.arange(100)


def sce_numpy():
    x = X_SCE
    m = x.max(axis=1, keepdims=True)
    e = np.exp(x - m)
    s = e.sum(axis=1, keepdims=True)
    log_p = x[_ARANGE, T_SCE] - (m[:, 0] + np.log(s[:, 0]))
    loss = -log_p.mean()  # noqa: F841 (forward, as the framework computes it)
    gx = e / s
    gx[_ARANGE, T_SCE] -= 1
    gx *= np.float32(1 / 100)
    return gx


_T_SCE_TORCH = torch.from_numpy(T_SCE.astype(np.int64)) if torch else None


def sce_torch():
    x = torch.from_numpy(X_SCE).requires_grad_()
    torch.nn.functional.cross_entropy(x, _T_SCE_TORCH).backward()
    return x.grad


# -- linear ---------------------------------------------------------------------

def linear_chainer():
    x = chainer.Variable(X_LIN)
    W = chainer.Variable(W_LIN)
    b = chainer.Variable(B_LIN)
    y = F.linear(x, W, b)
    y.grad = GY_LIN
    y.backward()
    return x.grad, W.grad, b.grad


def linear_numpy():
    y = X_LIN.dot(W_LIN.T)
    y += B_LIN
    gx = GY_LIN.dot(W_LIN)
    gW = GY_LIN.T.dot(X_LIN)
    gb = GY_LIN.sum(axis=0)
    return gx, gW, gb


def linear_torch():
    x = torch.from_numpy(X_LIN).requires_grad_()
    W = torch.from_numpy(W_LIN).requires_grad_()
    b = torch.from_numpy(B_LIN).requires_grad_()
    torch.nn.functional.linear(x, W, b).backward(torch.from_numpy(GY_LIN))
    return x.grad, W.grad, b.grad


# -- sum(exp(x)) ----------------------------------------------------------------

def sumexp_chainer():
    x = chainer.Variable(X_BIG)
    y = F.sum(F.exp(x))
    y.backward()
    return x.grad


def sumexp_numpy():
    e = np.exp(X_BIG)
    s = e.sum()  # noqa: F841
    # d sum / d e = 1 (broadcast), times d exp / dx = e
    return e * np.ones((), np.float32)


def sumexp_torch():
    x = torch.from_numpy(X_BIG).requires_grad_()
    torch.sum(torch.exp(x)).backward()
    return x.grad


WORKLOADS = [
    # (label, F name, chainer, numpy, torch, number of calls per round)
    ('relu, 1e6 elements', 'relu', relu_chainer, relu_numpy, relu_torch, 5),
    ('tanh, 1e6 elements', 'tanh', tanh_chainer, tanh_numpy, tanh_torch, 5),
    ('softmax_cross_entropy, 100 x 10', 'softmax_cross_entropy',
     sce_chainer, sce_numpy, sce_torch, 100),
    ('linear, 100x784 -> 1000', 'linear', linear_chainer, linear_numpy, linear_torch, 3),
    ('sum(exp(x)), 1e6 elements', 'exp', sumexp_chainer, sumexp_numpy, sumexp_torch, 5),
]


def _check(name, ch, ref):
    ch = ch if isinstance(ch, tuple) else (ch,)
    ref = ref if isinstance(ref, tuple) else (ref,)
    for a, b in zip(ch, ref):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4, err_msg=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=15)
    parser.add_argument('--timer', choices=('wall', 'cpu'), default='wall',
                        help='wall clock, or CPU time of this process (all its threads; '
                             'steadier on a busy machine)')
    args = parser.parse_args()
    r = args.repeat
    timer = time.perf_counter if args.timer == 'wall' else time.process_time

    rows = []
    notes = []
    for label, fname, ch, npf, thf, number in WORKLOADS:
        missing = _missing(fname) or (_missing('sum') if fname == 'exp' else None)
        if missing:
            rows.append((label, None, None, None))
            notes.append(f'{label}: skipped ({missing})')
            continue
        _check(label, ch(), npf())
        t_ch, t_np = best_times([ch, npf], number, r, timer)
        # PyTorch runs apart: its allocator returns memory to the system in a
        # way that makes whatever runs next pay for fresh pages.
        t_th = best_times([thf], number, r, timer)[0] if torch else None
        rows.append((label, t_ch, t_np, t_th))

    print(f'numpy {np.__version__}, chainer (rechainer) {chainer._rechainer_version}'
          + (f', torch {torch.__version__} ({torch.get_num_threads()} threads)'
             if torch else ', torch not installed') + f'; {args.timer} time')
    print(f'{"workload (fwd+bwd)":40s} {"rechainer":>11s} {"numpy":>10s} {"x numpy":>8s} '
          f'{"torch":>10s} {"x torch":>8s}')
    for name, t_ch, t_np, t_th in rows:
        if t_ch is None:
            print(f'{name:40s} {"skipped":>11s}')
            continue
        th = f'{t_th * 1e6:8.1f}us {t_ch / t_th:7.2f}x' if t_th else f'{"-":>10s} {"-":>8s}'
        print(f'{name:40s} {t_ch * 1e6:9.1f}us {t_np * 1e6:8.1f}us {t_ch / t_np:7.2f}x {th}')
    for note in notes:
        print('note:', note)


if __name__ == '__main__':
    main()
