"""Forward+backward time of common functions, as ratios to plain NumPy (and PyTorch CPU).

Run:  python benchmarks/functions.py [--repeat N] [--timer wall|cpu]

On a busy machine use ``--timer cpu`` (and ``OPENBLAS_NUM_THREADS=1`` for
steady BLAS timings): waiting for a CPU then does not count.

Workloads (float32, forward and backward from a given output gradient):
  relu, tanh             elementwise on 1e6 elements
  softmax_cross_entropy  batch 100 x 10 classes, mean loss; 700 x 10000 (a language
                         model's vocabulary)
  linear                 x (100, 784), W (1000, 784), b (1000,); gradients of x, W and b
  sum(exp(x))            1e6 elements
  activations            leaky_relu, elu, sigmoid, softplus on 1e6 elements;
                         softmax, log_softmax on 1000 x 1000 (axis 1)
  losses                 sigmoid_cross_entropy on 1000 x 1000 binary labels
  normalizations         layer_normalization on 1000 x 1000, group_normalization on
                         (16, 64, 32, 32) in 8 groups (gradients of x, gamma, beta)
  embed_id               64 x 512 ids into a (1000, 256) table (gradient of W)
The NumPy baseline does the same arithmetic by hand, forward and backward, with
no more temporaries than the formulas need. A function that is not available
is skipped with a note.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

# (this folder is on sys.path; importing _timing also puts the checkout first)
from _timing import best_times, print_ratios, versions
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
X_VOCAB = RNG.uniform(-3, 3, (700, 10000)).astype(np.float32)
T_VOCAB = RNG.randint(0, 10000, 700).astype(np.int32)
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

def sce_chainer(x=X_SCE, t=T_SCE):
    x = chainer.Variable(x)
    loss = F.softmax_cross_entropy(x, t)
    loss.backward()
    return x.grad


def sce_numpy(x=X_SCE, t=T_SCE):
    rows = np.arange(len(x))
    m = x.max(axis=1, keepdims=True)
    e = np.exp(x - m)
    s = e.sum(axis=1, keepdims=True)
    log_p = x[rows, t] - (m[:, 0] + np.log(s[:, 0]))
    loss = -log_p.mean()  # noqa: F841 (forward, as the framework computes it)
    gx = e / s
    gx[rows, t] -= 1
    gx *= np.float32(1 / len(x))
    return gx


_T_SCE_TORCH = torch.from_numpy(T_SCE.astype(np.int64)) if torch else None
_T_VOCAB_TORCH = torch.from_numpy(T_VOCAB.astype(np.int64)) if torch else None


def sce_torch(x=X_SCE, t=_T_SCE_TORCH):
    x = torch.from_numpy(x).requires_grad_()
    torch.nn.functional.cross_entropy(x, t).backward()
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


# -- activations, losses, normalizations, embeddings --------------------------------
# Each is (chainer, numpy, torch) on one input; the NumPy baselines are the textbook
# formulas, forward and backward.

X_MAT = RNG.uniform(-3, 3, (1000, 1000)).astype(np.float32)
GY_MAT = RNG.uniform(-1, 1, (1000, 1000)).astype(np.float32)
T_BIN = RNG.randint(0, 2, (1000, 1000)).astype(np.int32)
X_GN = RNG.uniform(-3, 3, (16, 64, 32, 32)).astype(np.float32)
GY_GN = RNG.uniform(-1, 1, X_GN.shape).astype(np.float32)
G_LN, B_LN = RNG.uniform(0.5, 1.5, 1000).astype(np.float32), np.zeros(1000, np.float32)
G_GN, B_GN = RNG.uniform(0.5, 1.5, 64).astype(np.float32), np.zeros(64, np.float32)
IDS = RNG.randint(0, 1000, (64, 512)).astype(np.int32)
W_EMB = RNG.uniform(-1, 1, (1000, 256)).astype(np.float32)
GY_EMB = RNG.uniform(-1, 1, (64, 512, 256)).astype(np.float32)


def _on(fn, x, gy, *params):
    """Chainer: ``fn(x, *params)`` forward and backward from ``gy``; the gradients."""
    vs = [chainer.Variable(a) for a in (x,) + params]
    y = fn(*vs)
    y.grad = gy
    y.backward()
    return tuple(v.grad for v in vs) if params else vs[0].grad


def _on_torch(fn, x, gy, *params):
    ts = [torch.from_numpy(a).requires_grad_() for a in (x,) + params]
    fn(*ts).backward(torch.from_numpy(gy))
    return tuple(t.grad for t in ts) if params else ts[0].grad


def _leaky_relu_numpy():
    x, gy = X_BIG, GY_BIG
    y = np.where(x < 0, x * np.float32(0.2), x)  # noqa: F841
    return np.where(x < 0, gy * np.float32(0.2), gy)


def _elu_numpy():
    x, gy = X_BIG, GY_BIG
    y = np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    return gy * np.where(x > 0, np.float32(1), y + 1)


def _sigmoid_numpy():
    y = 1 / (1 + np.exp(-X_BIG))
    return GY_BIG * y * (1 - y)


def _softplus_numpy():
    x = X_BIG
    y = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))  # noqa: F841
    return GY_BIG / (1 + np.exp(-x))


def _softmax_numpy():
    e = np.exp(X_MAT - X_MAT.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    return y * (GY_MAT - (y * GY_MAT).sum(axis=1, keepdims=True))


def _log_softmax_numpy():
    z = X_MAT - X_MAT.max(axis=1, keepdims=True)
    y = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return GY_MAT - np.exp(y) * GY_MAT.sum(axis=1, keepdims=True)


def _sigmoid_ce_chainer():
    x = chainer.Variable(X_MAT)
    F.sigmoid_cross_entropy(x, T_BIN).backward()
    return x.grad


def _sigmoid_ce_numpy():
    x, t = X_MAT, T_BIN
    loss = (np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))).mean()  # noqa: F841
    return (1 / (1 + np.exp(-x)) - t) * np.float32(1 / t.size)


def _sigmoid_ce_torch():
    x = torch.from_numpy(X_MAT).requires_grad_()
    torch.nn.functional.binary_cross_entropy_with_logits(
        x, torch.from_numpy(T_BIN.astype(np.float32))).backward()
    return x.grad


def _grouped_norm_numpy(x, gy, gamma, rows, pshape, axes):
    """Normalization over the rows of ``x`` viewed as a matrix, then ``* gamma + beta``."""
    xs = x.reshape(rows, -1)
    xc = xs - xs.mean(axis=1, keepdims=True)
    inv_std = 1 / np.sqrt((xc * xc).mean(axis=1, keepdims=True) + np.float32(1e-5))
    xhat = (xc * inv_std).reshape(x.shape)
    y = xhat * gamma.reshape(pshape)  # noqa: F841 (+ beta)
    g = (gy * gamma.reshape(pshape)).reshape(rows, -1)
    xh = xhat.reshape(rows, -1)
    gx = inv_std * (g - g.mean(axis=1, keepdims=True)
                    - xh * (g * xh).mean(axis=1, keepdims=True))
    return gx.reshape(x.shape), (gy * xhat).sum(axis=axes), gy.sum(axis=axes)


def _embed_numpy():
    y = W_EMB[IDS]  # noqa: F841
    gW = np.zeros_like(W_EMB)
    np.add.at(gW, IDS.ravel(), GY_EMB.reshape(-1, 256))
    return gW


def _embed_chainer():
    W = chainer.Variable(W_EMB)
    y = F.embed_id(IDS, W)
    y.grad = GY_EMB
    y.backward()
    return W.grad


def _embed_torch():
    W = torch.from_numpy(W_EMB).requires_grad_()
    torch.nn.functional.embedding(torch.from_numpy(IDS.astype(np.int64)), W).backward(
        torch.from_numpy(GY_EMB))
    return W.grad


def _torch_fn(name, *args, **kwargs):
    """A torch function by name, resolved when called (torch is optional)."""
    return lambda *xs: getattr(torch.nn.functional, name)(*xs, *args, **kwargs)


LAYERS = [
    ('leaky_relu, 1e6 elements', 'leaky_relu',
     lambda: _on(F.leaky_relu, X_BIG, GY_BIG), _leaky_relu_numpy,
     lambda: _on_torch(_torch_fn('leaky_relu', 0.2), X_BIG, GY_BIG), 5),
    ('elu, 1e6 elements', 'elu', lambda: _on(F.elu, X_BIG, GY_BIG), _elu_numpy,
     lambda: _on_torch(_torch_fn('elu'), X_BIG, GY_BIG), 5),
    ('sigmoid, 1e6 elements', 'sigmoid', lambda: _on(F.sigmoid, X_BIG, GY_BIG),
     _sigmoid_numpy, lambda: _on_torch(_torch_fn('sigmoid'), X_BIG, GY_BIG), 5),
    ('softplus, 1e6 elements', 'softplus', lambda: _on(F.softplus, X_BIG, GY_BIG),
     _softplus_numpy, lambda: _on_torch(_torch_fn('softplus'), X_BIG, GY_BIG), 5),
    ('softmax, 1000 x 1000', 'softmax', lambda: _on(F.softmax, X_MAT, GY_MAT),
     _softmax_numpy, lambda: _on_torch(_torch_fn('softmax', 1), X_MAT, GY_MAT), 5),
    ('log_softmax, 1000 x 1000', 'log_softmax', lambda: _on(F.log_softmax, X_MAT, GY_MAT),
     _log_softmax_numpy, lambda: _on_torch(_torch_fn('log_softmax', 1), X_MAT, GY_MAT), 5),
    ('sigmoid_cross_entropy, 1000 x 1000', 'sigmoid_cross_entropy', _sigmoid_ce_chainer,
     _sigmoid_ce_numpy, _sigmoid_ce_torch, 5),
    ('layer_normalization, 1000 x 1000', 'layer_normalization',
     lambda: _on(F.layer_normalization, X_MAT, GY_MAT, G_LN, B_LN),
     lambda: _grouped_norm_numpy(X_MAT, GY_MAT, G_LN, 1000, (1, 1000), (0,)),
     lambda: _on_torch(lambda x, g, b: torch.nn.functional.layer_norm(x, (1000,), g, b),
                       X_MAT, GY_MAT, G_LN, B_LN), 5),
    ('group_normalization, 16x64x32x32 / 8', 'group_normalization',
     lambda: _on(lambda x, g, b: F.group_normalization(x, 8, g, b), X_GN, GY_GN, G_GN, B_GN),
     lambda: _grouped_norm_numpy(X_GN, GY_GN, G_GN, 16 * 8, (1, 64, 1, 1), (0, 2, 3)),
     lambda: _on_torch(lambda x, g, b: torch.nn.functional.group_norm(x, 8, g, b),
                       X_GN, GY_GN, G_GN, B_GN), 5),
    ('embed_id, 64x512 ids -> 256', 'embed_id', _embed_chainer, _embed_numpy,
     _embed_torch, 3),
]


WORKLOADS = [
    # (label, F name, chainer, numpy, torch, number of calls per round)
    ('relu, 1e6 elements', 'relu', relu_chainer, relu_numpy, relu_torch, 5),
    ('tanh, 1e6 elements', 'tanh', tanh_chainer, tanh_numpy, tanh_torch, 5),
    ('softmax_cross_entropy, 100 x 10', 'softmax_cross_entropy',
     sce_chainer, sce_numpy, sce_torch, 100),
    ('softmax_cross_entropy, 700 x 10000', 'softmax_cross_entropy',
     lambda: sce_chainer(X_VOCAB, T_VOCAB), lambda: sce_numpy(X_VOCAB, T_VOCAB),
     lambda: sce_torch(X_VOCAB, _T_VOCAB_TORCH), 2),
    ('linear, 100x784 -> 1000', 'linear', linear_chainer, linear_numpy, linear_torch, 3),
    ('sum(exp(x)), 1e6 elements', 'exp', sumexp_chainer, sumexp_numpy, sumexp_torch, 5),
] + LAYERS


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

    print(versions()
          + (f', torch {torch.__version__} ({torch.get_num_threads()} threads)'
             if torch else ', torch not installed') + f'; {args.timer} time')
    print_ratios(rows, 'workload (fwd+bwd)', 40)
    for note in notes:
        print('note:', note)


if __name__ == '__main__':
    main()
