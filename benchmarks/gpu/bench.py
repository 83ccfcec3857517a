"""GPU speed of rechainer against hand-written CuPy and PyTorch eager, in one run.

Run:  python benchmarks/gpu/bench.py [--repeat N] [--dry-run]

Rows (float32, one GPU; times are per call, synchronised at the end of each round):
  tiny op        one ``x * 2`` on a (1,) array from Python
  chain          forward+backward of 100 ops ``y = y * 1.0001 + 0.0001`` on (1,)
                 (again with CuPy's ufuncs in place of the raw kernels)
  mlp b100/b8192 one Adam step of the MLP 784-1000-1000-10 (softmax cross entropy);
                 at b100 also its forward+backward alone and its Adam update alone
  double bwd     ``gx = grad(sum(tanh(x)**3))`` then backward of ``sum(gx*gx)``, n=1e6
  cnn b64        one MomentumSGD step of a LeNet-style CNN (28x28, 20 and 50 channels)
Each row prints rechainer's time and its ratio to the baselines that exist.
``--dry-run`` runs every row once on the CPU with NumPy at tiny sizes, to check
that the script itself works where no GPU is present.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import optimizers
from chainer.functions.math import basic_math

try:
    import cupy
except ImportError:  # CuPy is optional; --dry-run works without it
    cupy = None

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None


class Bench:
    """Times callables on one device, synchronising at the end of each round."""

    def __init__(self, xp, repeat: int, number: int):
        self.xp = xp
        self.repeat = repeat
        self.number = number

    def sync(self):
        if self.xp is not np:
            cupy.cuda.get_current_stream().synchronize()
        if torch is not None and torch.cuda.is_available():
            torch.cuda.synchronize()

    def time(self, fn, number: int | None = None) -> float:
        number = number or self.number
        for _ in range(2):
            fn()
        self.sync()
        best = float('inf')
        for _ in range(self.repeat):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            self.sync()
            best = min(best, (time.perf_counter() - t0) / number)
        return best


class MLP(chainer.Chain):
    def __init__(self, n_units: int = 1000, n_out: int = 10):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(784, n_units)
            self.l2 = L.Linear(n_units, n_units)
            self.l3 = L.Linear(n_units, n_out)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


class LeNet(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.c1 = L.Convolution2D(1, 20, 5)
            self.c2 = L.Convolution2D(20, 50, 5)
            self.f1 = L.Linear(800, 500)
            self.f2 = L.Linear(500, 10)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.c1(x)), 2)
        h = F.max_pooling_2d(F.relu(self.c2(h)), 2)
        return self.f2(F.relu(self.f1(h)))


# -- hand-written CuPy/NumPy baselines ---------------------------------------------

def handwritten_mlp_step(xp, params, state, x, t, update=True):
    """Forward, backward and (``update``) Adam update of the MLP, by hand on arrays."""
    (W1, b1_), (W2, b2_), (W3, b3_) = params
    h1 = xp.maximum(x @ W1.T + b1_, 0)
    h2 = xp.maximum(h1 @ W2.T + b2_, 0)
    y = h2 @ W3.T + b3_
    y = y - y.max(axis=1, keepdims=True)
    e = xp.exp(y)
    p = e / e.sum(axis=1, keepdims=True)
    n = len(x)
    p[xp.arange(n), t] -= 1
    gy = p / n
    gW3 = gy.T @ h2
    gb3 = gy.sum(0)
    gh2 = (gy @ W3) * (h2 > 0)
    gW2 = gh2.T @ h1
    gb2 = gh2.sum(0)
    gh1 = (gh2 @ W2) * (h1 > 0)
    gW1 = gh1.T @ x
    gb1 = gh1.sum(0)
    if update:
        handwritten_adam_update(xp, (W1, b1_, W2, b2_, W3, b3_),
                                (gW1, gb1, gW2, gb2, gW3, gb3), state)


def handwritten_adam_update(xp, params, grads, state, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """One Adam step of ``params`` in place, by hand (one fused kernel each on CuPy)."""
    state['t'] += 1
    step = state['t']
    fix = lr * (1 - b2 ** step) ** 0.5 / (1 - b1 ** step)
    for (param, grad, m, v) in zip(params, grads, state['m'], state['v']):
        if xp is np:
            m += (1 - b1) * (grad - m)
            v += (1 - b2) * (grad * grad - v)
            param -= fix * m / (np.sqrt(v) + eps)
        else:
            _adam_kernel()(grad, fix, b1, b2, eps, param, m, v)


_ADAM = None


def _adam_kernel():
    global _ADAM
    if _ADAM is None:
        _ADAM = cupy.ElementwiseKernel(
            'T grad, T fix, T beta1, T beta2, T eps', 'T param, T m, T v',
            '''m += (1 - beta1) * (grad - m);
               v += (1 - beta2) * (grad * grad - v);
               param -= fix * m / (sqrt(v) + eps);''',
            'bench_adam')
    return _ADAM


def torch_mlp(model, device):
    layers = []
    for name in ('l1', 'l2', 'l3'):
        link = getattr(model, name)
        out_size, in_size = link.W.shape
        lin = torch.nn.Linear(in_size, out_size)
        layers += [lin, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1]).to(device)


def torch_lenet(device):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10)).to(device)


# -- rows -------------------------------------------------------------------------

def rows(xp, bench: Bench, dry: bool):
    tdev = 'cuda' if (torch is not None and xp is not np and torch.cuda.is_available()) else None
    out = []

    # tiny op
    a = chainer.Variable(xp.ones((1,), np.float32))
    raw = xp.ones((1,), np.float32)
    t_ch = bench.time(lambda: a * 2.0, 1000)
    t_xp = bench.time(lambda: raw * 2.0, 1000)
    t_th = None
    if tdev:
        ta = torch.ones(1, device=tdev, requires_grad=True)
        t_th = bench.time(lambda: ta * 2.0, 1000)
    out.append(('tiny op (Variable * 2)', t_ch, t_xp, t_th))

    # 100-op chain
    def chain_ch():
        x = chainer.Variable(xp.ones((1,), np.float32))
        y = x
        for _ in range(50):
            y = y * 1.0001 + 0.0001
        y.grad = xp.ones((1,), np.float32)
        y.backward()
    t_ch = bench.time(chain_ch, 20)
    t_th = None
    if tdev:
        def chain_th():
            x = torch.ones(1, device=tdev, requires_grad=True)
            y = x
            for _ in range(50):
                y = y * 1.0001 + 0.0001
            y.backward(torch.ones(1, device=tdev))
        t_th = bench.time(chain_th, 20)
    out.append(('chain of 100 ops, fwd+bwd', t_ch, None, t_th))
    if xp is not np:
        basic_math._USE_RAW_KERNELS = False
        try:
            t_off = bench.time(chain_ch, 20)
        finally:
            basic_math._USE_RAW_KERNELS = True
        out.append(('  same, CuPy ufuncs (no raw kernels)', t_off, None, t_th))

    # MLP Adam steps
    for batch in ((4, 8) if dry else (100, 8192)):
        units = 16 if dry else 1000
        model = MLP(units)
        model.to_device(chainer.get_device('@cupy:0' if xp is not np else '@numpy'))
        opt = optimizers.Adam()
        opt.setup(model)
        rng = np.random.default_rng(0)
        x = xp.asarray(rng.standard_normal((batch, 784), dtype=np.float32))
        t = xp.asarray(rng.integers(0, 10, batch).astype(np.int32))

        def step_ch():
            model.cleargrads()
            loss = F.softmax_cross_entropy(model(x), t)
            loss.backward()
            opt.update()
        t_ch = bench.time(step_ch, 20)
        params = [(getattr(model, n).W.array.copy(), getattr(model, n).b.array.copy())
                  for n in ('l1', 'l2', 'l3')]
        flat = [p for pair in params for p in pair]
        state = {'t': 0, 'm': [xp.zeros_like(p) for p in flat],
                 'v': [xp.zeros_like(p) for p in flat]}
        t_xp = bench.time(lambda: handwritten_mlp_step(xp, params, state, x, t), 20)
        t_th = None
        if tdev:
            tm = torch_mlp(model, tdev)
            topt = torch.optim.Adam(tm.parameters())
            tx = torch.as_tensor(x, device=tdev)
            tt = torch.as_tensor(t, device=tdev).long()

            def step_th():
                topt.zero_grad()
                loss = torch.nn.functional.cross_entropy(tm(tx), tt)
                loss.backward()
                topt.step()
            t_th = bench.time(step_th, 20)
        out.append((f'MLP 784-{units}-{units}-10 Adam b{batch}', t_ch, t_xp, t_th))
        if batch == (4 if dry else 100):
            # Where a small step's time goes: forward+backward, then the update alone.
            def fwd_bwd_ch():
                model.cleargrads()
                F.softmax_cross_entropy(model(x), t).backward()
            t_fb = bench.time(fwd_bwd_ch, 20)
            t_fb_xp = bench.time(
                lambda: handwritten_mlp_step(xp, params, state, x, t, update=False), 20)
            grads = [getattr(getattr(model, n), w).grad
                     for n in ('l1', 'l2', 'l3') for w in ('W', 'b')]
            t_up = bench.time(opt.update, 20)
            t_up_xp = bench.time(lambda: handwritten_adam_update(xp, flat, grads, state), 20)
            t_fb_th = t_up_th = None
            if tdev:
                def fwd_bwd_th():
                    topt.zero_grad()
                    torch.nn.functional.cross_entropy(tm(tx), tt).backward()
                t_fb_th = bench.time(fwd_bwd_th, 20)
                t_up_th = bench.time(topt.step, 20)
            out.append(('  forward+backward only', t_fb, t_fb_xp, t_fb_th))
            out.append((f'  Adam update only ({len(flat)} params)', t_up, t_up_xp, t_up_th))

    # double backprop
    n = 1000 if dry else 10 ** 6
    xd = xp.asarray(np.random.default_rng(1).standard_normal(n).astype(np.float32))

    def dbl_ch():
        v = chainer.Variable(xd)
        y = F.sum(F.tanh(v) ** 3)
        gx, = chainer.grad([y], [v], enable_double_backprop=True)
        F.sum(gx * gx).backward()
    t_ch = bench.time(dbl_ch, 20)
    t_th = None
    if tdev:
        txd = torch.as_tensor(xd, device=tdev)

        def dbl_th():
            v = txd.clone().requires_grad_(True)
            y = (torch.tanh(v) ** 3).sum()
            gx, = torch.autograd.grad(y, v, create_graph=True)
            (gx * gx).sum().backward()
        t_th = bench.time(dbl_th, 20)
    out.append((f'double backprop tanh**3, n={n}', t_ch, None, t_th))

    # layers the fused kernels cover, forward+backward against PyTorch
    out.extend(_layer_rows(xp, bench, dry, tdev))

    # CNN step (needs the convolution family)
    if hasattr(L, 'Convolution2D') and hasattr(F, 'max_pooling_2d'):
        batch = 4 if dry else 64
        model = LeNet()
        model.to_device(chainer.get_device('@cupy:0' if xp is not np else '@numpy'))
        opt = optimizers.MomentumSGD()
        opt.setup(model)
        rng = np.random.default_rng(2)
        x = xp.asarray(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
        t = xp.asarray(rng.integers(0, 10, batch).astype(np.int32))

        def cnn_ch():
            model.cleargrads()
            F.softmax_cross_entropy(model(x), t).backward()
            opt.update()
        t_ch = bench.time(cnn_ch, 20)
        t_th = None
        if tdev:
            tm = torch_lenet(tdev)
            topt = torch.optim.SGD(tm.parameters(), lr=0.01, momentum=0.9)
            tx = torch.as_tensor(x, device=tdev)
            tt = torch.as_tensor(t, device=tdev).long()

            def cnn_th():
                topt.zero_grad()
                torch.nn.functional.cross_entropy(tm(tx), tt).backward()
                topt.step()
            t_th = bench.time(cnn_th, 20)
        out.append((f'LeNet CNN MomentumSGD b{batch}', t_ch, None, t_th))
        # The same step with the fused convolution/pooling kernels switched off.
        from chainer.functions.connection import convolution_nd
        from chainer.functions.pooling import pooling_nd
        switches = [m for m in (convolution_nd, pooling_nd)
                    if hasattr(m, '_USE_FUSED_GPU_KERNELS')]
        if switches:
            for m in switches:
                m._USE_FUSED_GPU_KERNELS = False
            try:
                t_off = bench.time(cnn_ch, 20)
            finally:
                for m in switches:
                    m._USE_FUSED_GPU_KERNELS = True
            out.append((f'  same, fused window kernels off b{batch}', t_off, None, t_th))
    return out


def _layer_rows(xp, bench: Bench, dry: bool, tdev) -> list:
    """Forward+backward of single layers (batch 64), each against PyTorch."""
    rng = np.random.default_rng(3)
    n = 4 if dry else 64

    def arr(*shape):
        return xp.asarray(rng.standard_normal(shape, dtype=np.float32))
    seq, img, logits = arr(n, 1024), arr(n, 64, 16, 16), arr(n, 1000)
    labels = xp.asarray(rng.integers(0, 2, (n, 1000)).astype(np.int32))
    g1024, b1024, g64, b64 = arr(1024), arr(1024), arr(64), arr(64)

    def th(a):
        return torch.as_tensor(a, device=tdev)
    if tdev:
        tg1024, tb1024, tg64, tb64 = th(g1024), th(b1024), th(g64), th(b64)
        tlabels = th(labels).float()
    cases = [
        (f'layer_normalization {n}x1024', seq, lambda v: F.layer_normalization(v, g1024, b1024),
         lambda v: torch.nn.functional.layer_norm(v, (1024,), tg1024, tb1024)),
        (f'batch_normalization {n}x64x16x16', img,
         lambda v: F.batch_normalization(v, g64, b64),
         lambda v: torch.nn.functional.batch_norm(v, None, None, tg64, tb64, True)),
        (f'group_normalization {n}x64x16x16 / 8', img,
         lambda v: F.group_normalization(v, 8, g64, b64),
         lambda v: torch.nn.functional.group_norm(v, 8, tg64, tb64)),
        (f'softmax {n}x1000', logits, F.softmax,
         lambda v: torch.nn.functional.softmax(v, dim=1)),
        (f'sigmoid_cross_entropy {n}x1000', logits,
         lambda v: F.sigmoid_cross_entropy(v, labels),
         lambda v: torch.nn.functional.binary_cross_entropy_with_logits(v, tlabels)),
        (f'dropout {n}x1024', seq, lambda v: F.dropout(v, 0.5),
         lambda v: torch.nn.functional.dropout(v, 0.5)),
    ]
    out = []
    for name, x, fn, th_fn in cases:
        def run_ch():
            y = fn(chainer.Variable(x))
            y.grad = xp.ones_like(y.array)
            y.backward()
        t_ch = bench.time(run_ch, 20)
        t_th = None
        if tdev:
            tx = th(x)

            def run_th():
                v = tx.detach().requires_grad_(True)
                y = th_fn(v)
                y.backward(torch.ones_like(y))
            t_th = bench.time(run_th, 20)
        out.append((f'{name}, fwd+bwd', t_ch, None, t_th))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args()
    if args.dry_run or cupy is None:
        if not args.dry_run:
            raise SystemExit('CuPy is not installed: use --dry-run to check the script on the CPU')
        xp, repeat = np, 1
    else:
        xp, repeat = cupy, args.repeat
    bench = Bench(xp, repeat, 10)
    print(f'device: {"cupy " + cupy.__version__ if xp is not np else "numpy (dry run)"}, '
          f'torch: {torch.__version__ if torch is not None else "not installed"}')
    head = (f'{"workload":42s} {"rechainer":>11s} {"hand-xp":>11s} {"x hand":>7s} '
            f'{"torch":>11s} {"x torch":>8s}')
    print(head)
    for name, t_ch, t_xp, t_th in rows(xp, bench, args.dry_run):
        def us(t):
            return f'{t * 1e6:9.1f}us' if t is not None else f'{"-":>11s}'

        def ratio(base, t):
            return f'{t / base:6.2f}x' if base is not None else f'{"-":>7s}'
        print(f'{name:42s} {us(t_ch)} {us(t_xp)} {ratio(t_xp, t_ch)} {us(t_th)} '
              f'{ratio(t_th, t_ch):>8s}')


if __name__ == '__main__':
    main()
