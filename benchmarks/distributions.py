"""Normal log-density and Normal-Normal KL divergence, forward+backward, against NumPy and PyTorch.

Run:  python benchmarks/distributions.py [--repeat N] [--timer wall|cpu] [--n N]

Workloads (float32, 1e6 elements by default; every parameter is a Variable
and receives its gradient from a given output gradient):
  Normal.log_prob     D.Normal(loc, scale).log_prob(x)
  kl(Normal, Normal)  chainer.kl_divergence(D.Normal(loc1, scale1), D.Normal(loc2, scale2))
The distribution is built inside the timed call, as user code does.  The NumPy
baseline does the same arithmetic by hand, forward and backward, with no more
temporaries than the formulas need; the PyTorch column (if PyTorch imports)
uses ``torch.distributions`` on CPU tensors.  The target is at most 1.5x NumPy.
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

# (this folder is on sys.path; importing _timing also puts the checkout first)
from _timing import best_times, print_ratios, versions
import chainer
from chainer import distributions as D

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

LOGPROBC = np.float32(-0.5 * math.log(2 * math.pi))


def make_data(n: int) -> dict:
    rng = np.random.RandomState(0)
    f = np.float32
    return {
        'x': rng.normal(size=n).astype(f),
        'loc1': rng.normal(size=n).astype(f), 'scale1': rng.uniform(0.5, 2, n).astype(f),
        'loc2': rng.normal(size=n).astype(f), 'scale2': rng.uniform(0.5, 2, n).astype(f),
        'gy': rng.uniform(-1, 1, n).astype(f),
    }


# -- Normal.log_prob -------------------------------------------------------------

def log_prob_chainer(d):
    loc, scale = chainer.Variable(d['loc1']), chainer.Variable(d['scale1'])
    y = D.Normal(loc, scale).log_prob(d['x'])
    y.grad = d['gy']
    y.backward()
    return loc.grad, scale.grad


def log_prob_numpy(d):
    x, loc, scale, gy = d['x'], d['loc1'], d['scale1'], d['gy']
    inv = 1 / scale
    z = (x - loc) * inv
    logp = LOGPROBC - np.log(scale) - 0.5 * z * z  # noqa: F841 (the forward value)
    gz = gy * z
    return gz * inv, (gz * z - gy) * inv


def log_prob_torch(d):
    loc = torch.from_numpy(d['loc1']).requires_grad_()
    scale = torch.from_numpy(d['scale1']).requires_grad_()
    y = torch.distributions.Normal(loc, scale, validate_args=True).log_prob(
        torch.from_numpy(d['x']))
    y.backward(torch.from_numpy(d['gy']))
    return loc.grad, scale.grad


# -- kl_divergence(Normal, Normal) ------------------------------------------------

def kl_chainer(d):
    params = [chainer.Variable(d[k]) for k in ('loc1', 'scale1', 'loc2', 'scale2')]
    y = chainer.kl_divergence(D.Normal(params[0], params[1]), D.Normal(params[2], params[3]))
    y.grad = d['gy']
    y.backward()
    return tuple(p.grad for p in params)


def kl_numpy(d):
    l1, s1, l2, s2, gy = d['loc1'], d['scale1'], d['loc2'], d['scale2'], d['gy']
    diff = l1 - l2
    inv_v2 = 1 / (s2 * s2)
    num = s1 * s1 + diff * diff
    kl = np.log(s2) - np.log(s1) + 0.5 * num * inv_v2 - 0.5  # noqa: F841
    g_l1 = gy * diff * inv_v2
    g_s1 = gy * (s1 * inv_v2 - 1 / s1)
    g_s2 = gy * (1 - num * inv_v2) / s2
    return g_l1, g_s1, -g_l1, g_s2


def kl_torch(d):
    params = [torch.from_numpy(d[k]).requires_grad_()
              for k in ('loc1', 'scale1', 'loc2', 'scale2')]
    y = torch.distributions.kl_divergence(torch.distributions.Normal(params[0], params[1]),
                                          torch.distributions.Normal(params[2], params[3]))
    y.backward(torch.from_numpy(d['gy']))
    return tuple(p.grad for p in params)


WORKLOADS = [
    ('Normal.log_prob', log_prob_chainer, log_prob_numpy, log_prob_torch),
    ('kl(Normal, Normal)', kl_chainer, kl_numpy, kl_torch),
]


def _check(name, ch, ref) -> None:
    for a, b in zip(ch, ref):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-4, atol=2e-5,
                                   err_msg=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=15)
    parser.add_argument('--number', type=int, default=5, help='calls per round')
    parser.add_argument('--n', type=int, default=1_000_000, help='elements')
    parser.add_argument('--timer', choices=('wall', 'cpu'), default='wall',
                        help='wall clock, or CPU time of this process (steadier on a busy '
                             'machine)')
    args = parser.parse_args()
    timer = time.perf_counter if args.timer == 'wall' else time.process_time
    data = make_data(args.n)

    rows = []
    for label, ch, npf, thf in WORKLOADS:
        def run_ch(ch=ch):
            return ch(data)

        def run_np(npf=npf):
            return npf(data)
        _check(label, run_ch(), run_np())
        t_ch, t_np = best_times([run_ch, run_np], args.number, args.repeat, timer)
        t_th = None
        if torch is not None:
            _check(label, [g.numpy() for g in thf(data)], run_np())
            t_th = best_times([lambda thf=thf: thf(data)], args.number, args.repeat, timer)[0]
        rows.append((label, t_ch, t_np, t_th))

    print(versions()
          + (f', torch {torch.__version__} ({torch.get_num_threads()} threads)'
             if torch else ', torch not installed')
          + f'; {args.timer} time; {args.n} float32 elements')
    print_ratios(rows, 'workload (fwd+bwd)', 24, 'ms')


if __name__ == '__main__':
    main()
