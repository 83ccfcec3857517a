"""Forward+backward time of convolution, pooling, batch normalization and a LeNet-style
training step, as ratios to plain NumPy and to PyTorch CPU (when importable).

Run:  python benchmarks/conv.py [--repeat N] [--timer wall|cpu]

Workloads (float32):
  convolution_2d       x (64, 20, 12, 12), W (50, 20, 5, 5), b; gradients of x, W, b
  3x3 convolution      x (16, 128, 16, 16), W (128, 128, 3, 3), pad 1, no bias (a VGG
                       block); gradients of x, W
  1x1 convolution      x (16, 64, 56, 56), W (256, 64, 1, 1), no bias (a ResNet
                       bottleneck's expansion); gradients of x, W
  max_pooling_2d       x (64, 20, 24, 24), 2x2 windows, stride 2; and x (32, 64, 32, 32),
                       3x3 windows, stride 2, pad 1 (a ResNet stem)
  global avg pooling   x (32, 64, 32, 32), one 32x32 window
  batch_normalization  x (64, 64, 32, 32), training mode; gradients of x, gamma, beta;
                       and x (16, 256, 8, 8) (a late VGG/ResNet stage)
  LeNet step           batch 64 of 1x28x28: conv 5x5 (20) - relu - pool 2 - conv 5x5
                       (50) - relu - pool 2 - linear 500 - relu - linear 10, softmax
                       cross entropy, MomentumSGD update
The NumPy baselines do the same arithmetic by hand (``sliding_window_view`` +
``tensordot`` for convolutions; their gradients are checked against rechainer's
first); the LeNet step has no NumPy baseline.  A row
whose function is not available is skipped with a note.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from _timing import best_times, versions  # (this folder is on sys.path) puts the checkout first

import chainer
import chainer.functions as F
import chainer.links as L

from functions import torch

RNG = np.random.RandomState(0)
X_CONV = RNG.uniform(-1, 1, (64, 20, 12, 12)).astype(np.float32)
W_CONV = RNG.uniform(-0.1, 0.1, (50, 20, 5, 5)).astype(np.float32)
B_CONV = RNG.uniform(-1, 1, 50).astype(np.float32)
GY_CONV = RNG.uniform(-1, 1, (64, 50, 8, 8)).astype(np.float32)
X_POOL = RNG.uniform(-1, 1, (64, 20, 24, 24)).astype(np.float32)
GY_POOL = RNG.uniform(-1, 1, (64, 20, 12, 12)).astype(np.float32)
X_BN = RNG.uniform(-1, 1, (64, 64, 32, 32)).astype(np.float32)
GY_BN = RNG.uniform(-1, 1, (64, 64, 32, 32)).astype(np.float32)
G_BN = RNG.uniform(0.5, 1.5, 64).astype(np.float32)
B_BN = RNG.uniform(-1, 1, 64).astype(np.float32)
X_BN8 = RNG.uniform(-1, 1, (16, 256, 8, 8)).astype(np.float32)
GY_BN8 = RNG.uniform(-1, 1, (16, 256, 8, 8)).astype(np.float32)
G_BN8 = RNG.uniform(0.5, 1.5, 256).astype(np.float32)
B_BN8 = RNG.uniform(-1, 1, 256).astype(np.float32)
X_LENET = RNG.uniform(0, 1, (64, 1, 28, 28)).astype(np.float32)
T_LENET = RNG.randint(0, 10, 64).astype(np.int32)


# -- convolution_2d ---------------------------------------------------------------

def conv_chainer():
    x, W, b = (chainer.Variable(a) for a in (X_CONV, W_CONV, B_CONV))
    y = F.convolution_2d(x, W, b)
    y.grad = GY_CONV
    y.backward()
    return x.grad, W.grad, b.grad


def conv_numpy():
    cols = sliding_window_view(X_CONV, (5, 5), axis=(2, 3))   # (n, c, oh, ow, kh, kw)
    y = np.tensordot(cols, W_CONV, ((1, 4, 5), (1, 2, 3)))    # (n, oh, ow, out)
    y = y.transpose(0, 3, 1, 2) + B_CONV[:, None, None]  # noqa: F841
    gW = np.tensordot(GY_CONV, cols, ((0, 2, 3), (0, 2, 3)))  # (out, c, kh, kw)
    gb = GY_CONV.sum(axis=(0, 2, 3))
    gcol = np.tensordot(GY_CONV, W_CONV, (1, 0))               # (n, oh, ow, c, kh, kw)
    gx = np.zeros_like(X_CONV)
    for j in range(5):
        for i in range(5):
            gx[:, :, j:j + 8, i:i + 8] += gcol[:, :, :, :, j, i].transpose(0, 3, 1, 2)
    return gx, gW, gb


def conv_torch():
    x, W, b = (torch.from_numpy(a).requires_grad_() for a in (X_CONV, W_CONV, B_CONV))
    torch.nn.functional.conv2d(x, W, b).backward(torch.from_numpy(GY_CONV))
    return x.grad, W.grad, b.grad


X_C3 = RNG.uniform(-1, 1, (16, 128, 16, 16)).astype(np.float32)
W_C3 = RNG.uniform(-0.05, 0.05, (128, 128, 3, 3)).astype(np.float32)
GY_C3 = RNG.uniform(-1, 1, (16, 128, 16, 16)).astype(np.float32)


def conv3_chainer():
    x, W = chainer.Variable(X_C3), chainer.Variable(W_C3)
    y = F.convolution_2d(x, W, pad=1)
    y.grad = GY_C3
    y.backward()
    return x.grad, W.grad


def conv3_numpy():
    xpad = np.pad(X_C3, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = sliding_window_view(xpad, (3, 3), axis=(2, 3))     # (n, c, oh, ow, kh, kw)
    y = np.tensordot(cols, W_C3, ((1, 4, 5), (1, 2, 3))).transpose(0, 3, 1, 2)  # noqa: F841
    gW = np.tensordot(GY_C3, cols, ((0, 2, 3), (0, 2, 3)))    # (out, c, kh, kw)
    gcol = np.tensordot(GY_C3, W_C3, (1, 0))                   # (n, oh, ow, c, kh, kw)
    gx = np.zeros_like(xpad)
    for j in range(3):
        for i in range(3):
            gx[:, :, j:j + 16, i:i + 16] += gcol[:, :, :, :, j, i].transpose(0, 3, 1, 2)
    return gx[:, :, 1:-1, 1:-1], gW


def conv3_torch():
    x, W = (torch.from_numpy(a).requires_grad_() for a in (X_C3, W_C3))
    torch.nn.functional.conv2d(x, W, padding=1).backward(torch.from_numpy(GY_C3))
    return x.grad, W.grad


X_C1 = RNG.uniform(-1, 1, (16, 64, 56, 56)).astype(np.float32)
W_C1 = RNG.uniform(-0.1, 0.1, (256, 64, 1, 1)).astype(np.float32)
GY_C1 = RNG.uniform(-1, 1, (16, 256, 56, 56)).astype(np.float32)


def conv1_chainer():
    x, W = chainer.Variable(X_C1), chainer.Variable(W_C1)
    y = F.convolution_2d(x, W)
    y.grad = GY_C1
    y.backward()
    return x.grad, W.grad


def conv1_numpy():
    w = W_C1[:, :, 0, 0]
    y = np.einsum('kc,nchw->nkhw', w, X_C1, optimize=True)  # noqa: F841
    gW = np.tensordot(GY_C1, X_C1, ((0, 2, 3), (0, 2, 3)))[:, :, None, None]
    gx = np.einsum('kc,nkhw->nchw', w, GY_C1, optimize=True)
    return gx, gW


def conv1_torch():
    x, W = (torch.from_numpy(a).requires_grad_() for a in (X_C1, W_C1))
    torch.nn.functional.conv2d(x, W).backward(torch.from_numpy(GY_C1))
    return x.grad, W.grad


# -- max_pooling_2d ---------------------------------------------------------------

def pool_chainer():
    x = chainer.Variable(X_POOL)
    y = F.max_pooling_2d(x, 2)
    y.grad = GY_POOL
    y.backward()
    return x.grad


def pool_numpy():
    win = X_POOL.reshape(64, 20, 12, 2, 12, 2).transpose(0, 1, 2, 4, 3, 5).reshape(
        64, 20, 12, 12, 4)
    idx = win.argmax(axis=4)
    y = np.take_along_axis(win, idx[..., None], 4)  # noqa: F841
    g = np.zeros(win.shape, np.float32)
    np.put_along_axis(g, idx[..., None], GY_POOL[..., None], 4)
    return g.reshape(64, 20, 12, 12, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(X_POOL.shape)


def pool_torch():
    x = torch.from_numpy(X_POOL).requires_grad_()
    torch.nn.functional.max_pool2d(x, 2).backward(torch.from_numpy(GY_POOL))
    return x.grad


X_RES = RNG.uniform(-1, 1, (32, 64, 32, 32)).astype(np.float32)
GY_RES = RNG.uniform(-1, 1, (32, 64, 16, 16)).astype(np.float32)
GY_GAP = RNG.uniform(-1, 1, (32, 64, 1, 1)).astype(np.float32)


def pool3_chainer():
    x = chainer.Variable(X_RES)
    y = F.max_pooling_2d(x, 3, 2, 1, cover_all=False)
    y.grad = GY_RES
    y.backward()
    return x.grad


def pool3_numpy():
    xpad = np.pad(X_RES, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    win = sliding_window_view(xpad, (3, 3), axis=(2, 3))[:, :, ::2, ::2][:, :, :16, :16]
    idx = win.reshape(win.shape[:4] + (9,)).argmax(axis=4)       # the first maximum
    y = np.take_along_axis(win.reshape(win.shape[:4] + (9,)), idx[..., None], 4)  # noqa
    rows = np.arange(16)[:, None] * 2 + idx // 3                 # padded coordinates
    cols = np.arange(16)[None, :] * 2 + idx % 3
    g = np.zeros(xpad.shape, np.float32)
    n, c = np.meshgrid(np.arange(32), np.arange(64), indexing='ij')
    np.add.at(g, (n[:, :, None, None], c[:, :, None, None], rows, cols), GY_RES)
    return g[:, :, 1:-1, 1:-1]


def pool3_torch():
    x = torch.from_numpy(X_RES).requires_grad_()
    torch.nn.functional.max_pool2d(x, 3, 2, 1).backward(torch.from_numpy(GY_RES))
    return x.grad


def gap_chainer():
    x = chainer.Variable(X_RES)
    y = F.average_pooling_2d(x, 32)
    y.grad = GY_GAP
    y.backward()
    return x.grad


def gap_numpy():
    y = X_RES.mean(axis=(2, 3), keepdims=True)  # noqa: F841
    return np.broadcast_to(GY_GAP * np.float32(1 / 1024), X_RES.shape).copy()


def gap_torch():
    x = torch.from_numpy(X_RES).requires_grad_()
    torch.nn.functional.avg_pool2d(x, 32).backward(torch.from_numpy(GY_GAP))
    return x.grad


# -- batch_normalization ----------------------------------------------------------

def _bn_chainer(x, gy, g, b):
    x, g, b = (chainer.Variable(a) for a in (x, g, b))
    y = F.batch_normalization(x, g, b)
    y.grad = gy
    y.backward()
    return x.grad, g.grad, b.grad


def _bn_numpy(x, gy, g, b):
    axes = (0, 2, 3)
    m = x.size // x.shape[1]
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    inv_std = 1 / np.sqrt((xc * xc).mean(axis=axes, keepdims=True) + np.float32(2e-5))
    xhat = xc * inv_std
    y = g[:, None, None] * xhat + b[:, None, None]  # noqa: F841
    gb = gy.sum(axis=axes)
    gg = (gy * xhat).sum(axis=axes)
    gx = (g[:, None, None] * inv_std / m) * (
        m * gy - gb[:, None, None] - xhat * gg[:, None, None])
    return gx, gg, gb


def _bn_torch(x, gy, g, b):
    x, g, b = (torch.from_numpy(a).requires_grad_() for a in (x, g, b))
    torch.nn.functional.batch_norm(x, None, None, g, b, training=True,
                                   eps=2e-5).backward(torch.from_numpy(gy))
    return x.grad, g.grad, b.grad


def bn_chainer():
    return _bn_chainer(X_BN, GY_BN, G_BN, B_BN)


def bn_numpy():
    return _bn_numpy(X_BN, GY_BN, G_BN, B_BN)


def bn_torch():
    return _bn_torch(X_BN, GY_BN, G_BN, B_BN)


def bn8_chainer():
    return _bn_chainer(X_BN8, GY_BN8, G_BN8, B_BN8)


def bn8_numpy():
    return _bn_numpy(X_BN8, GY_BN8, G_BN8, B_BN8)


def bn8_torch():
    return _bn_torch(X_BN8, GY_BN8, G_BN8, B_BN8)


# -- LeNet training step ----------------------------------------------------------

class LeNet(chainer.Chain):
    def __init__(self) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(1, 20, 5)
            self.conv2 = L.Convolution2D(20, 50, 5)
            self.fc3 = L.Linear(800, 500)
            self.fc4 = L.Linear(500, 10)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.conv1(x)), 2)
        h = F.max_pooling_2d(F.relu(self.conv2(h)), 2)
        return self.fc4(F.relu(self.fc3(h)))


def _lenet_chainer_step():
    model = LeNet()
    opt = chainer.optimizers.MomentumSGD(lr=0.01, momentum=0.9)
    opt.setup(model)

    def step():
        loss = F.softmax_cross_entropy(model(X_LENET), T_LENET)
        model.cleargrads()
        loss.backward()
        opt.update()
    return step


def _lenet_torch_step():
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.from_numpy(X_LENET)
    t = torch.from_numpy(T_LENET.astype(np.int64))

    def step():
        loss = nn.functional.cross_entropy(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def _as_tuple(r):
    return r if isinstance(r, tuple) else (r,)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--timer', choices=('wall', 'cpu'), default='wall')
    args = parser.parse_args()
    timer = time.process_time if args.timer == 'cpu' else time.perf_counter

    rows = [
        ('convolution_2d 64x20x12x12, 5x5 -> 50', 'convolution_2d', conv_chainer,
         conv_numpy, conv_torch, 5),
        ('conv 3x3 pad 1 16x128x16x16 -> 128', 'convolution_2d', conv3_chainer,
         conv3_numpy, conv3_torch, 3),
        ('conv 1x1 16x64x56x56 -> 256', 'convolution_2d', conv1_chainer, conv1_numpy,
         conv1_torch, 2),
        ('max_pooling_2d 64x20x24x24, 2x2', 'max_pooling_2d', pool_chainer, pool_numpy,
         pool_torch, 5),
        ('max_pooling_2d 32x64x32x32, 3x3/2 pad 1', 'max_pooling_2d', pool3_chainer,
         pool3_numpy, pool3_torch, 2),
        ('global average pooling 32x64x32x32', 'average_pooling_2d', gap_chainer,
         gap_numpy, gap_torch, 5),
        ('batch_normalization 64x64x32x32', 'batch_normalization', bn_chainer, bn_numpy,
         bn_torch, 2),
        ('batch_normalization 16x256x8x8', 'batch_normalization', bn8_chainer, bn8_numpy,
         bn8_torch, 20),
        ('LeNet step, batch 64, MomentumSGD', 'convolution_2d',
         _lenet_chainer_step, None, _lenet_torch_step, 3),
    ]
    print(versions())
    print(f'{"workload":40s} {"chainer ms":>11s} {"numpy ms":>9s} {"x numpy":>8s} '
          f'{"torch ms":>9s} {"x torch":>8s}')
    if torch is None:
        print('(PyTorch is not importable: ratios to NumPy only)')
    else:
        torch.set_num_threads(max(1, torch.get_num_threads()))
    for label, name, ch, npf, tf, number in rows:
        if not hasattr(F, name):
            print(f'{label:40s} skipped: F.{name} is not available')
            continue
        if npf is None:  # a step factory
            ch = ch()
            tf = tf() if torch is not None else None
        else:  # the baseline computes the same gradients
            for ours, theirs in zip(_as_tuple(ch()), _as_tuple(npf()), strict=True):
                np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-3,
                                           err_msg=f'{label}: NumPy baseline differs')
        fns = [ch] + ([npf] if npf is not None else []) + ([tf] if torch is not None else [])
        times = best_times(fns, number, args.repeat, timer)
        t_ch = times[0]
        t_np = times[1] if npf is not None else None
        t_t = times[-1] if torch is not None else None
        cells = [f'{label:40s} {t_ch * 1e3:11.2f}']
        cells.append(f'{t_np * 1e3:9.2f} {t_ch / t_np:8.2f}' if t_np else f'{"-":>9s} '
                     f'{"-":>8s}')
        cells.append(f'{t_t * 1e3:9.2f} {t_ch / t_t:8.2f}' if t_t else f'{"-":>9s} '
                     f'{"-":>8s}')
        print(' '.join(cells), flush=True)


if __name__ == '__main__':
    main()
