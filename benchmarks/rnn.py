"""Forward+backward time of the recurrent layers, as ratios to a reference LSTM.

Run:  python benchmarks/rnn.py [--repeat N] [--timer wall|cpu] [--runs N]

Workloads (float32; 2 layers, 256 units, input size 256, 20 steps, batch 32;
forward, then backward from the sum of the outputs):
  F.n_step_lstm       the whole sequence batch in one call
  L.LSTM loop         two stacked stateful L.LSTM links called step by step
  NumPy LSTM          a plain-NumPy LSTM written here (input projection of all
                      steps in one matrix product, one product per step for the
                      recurrence, hand-written backpropagation through time)
  PyTorch nn.LSTM     CPU, same size (only when ``torch`` imports)
  PyTorch LSTMCell    two stacked ``nn.LSTMCell`` called step by step, the
                      like of the L.LSTM loop (only when ``torch`` imports)
Ratios are to PyTorch's nn.LSTM when it is there, else to the NumPy LSTM; above
1 means slower.  A last line compares the two step loops.
On a busy machine use ``--timer cpu`` and ``OPENBLAS_NUM_THREADS=1``.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from _timing import best_times, versions  # (this folder is on sys.path) puts the checkout first

import chainer.functions as F
import chainer.links as L

from functions import torch  # None without PyTorch

LAYERS, UNITS, STEPS, BATCH = 2, 256, 20, 32
RNG = np.random.RandomState(0)
XS = RNG.uniform(-1, 1, (STEPS, BATCH, UNITS)).astype(np.float32)


def chainer_n_step():
    link = L.NStepLSTM(LAYERS, UNITS, UNITS, 0.0)
    xs = [XS[:, b] for b in range(BATCH)]  # batch-major sequences

    def run():
        link.cleargrads()
        _, _, ys = link(None, None, xs)
        F.sum(F.concat(ys, axis=0)).backward()
    return run


def chainer_stateful():
    layers = [L.LSTM(UNITS, UNITS) for _ in range(LAYERS)]

    def run():
        for link in layers:
            link.cleargrads()
            link.reset_state()
        outs = []
        for t in range(STEPS):
            h = XS[t]
            for link in layers:
                h = link(h)
            outs.append(h)
        F.sum(F.concat(outs, axis=0)).backward()
    return run


def torch_lstm():
    torch.set_grad_enabled(True)
    lstm = torch.nn.LSTM(UNITS, UNITS, LAYERS)
    x = torch.from_numpy(XS)

    def run():
        lstm.zero_grad()
        y, _ = lstm(x)
        y.sum().backward()
    return run


def torch_cells():
    torch.set_grad_enabled(True)
    cells = [torch.nn.LSTMCell(UNITS, UNITS) for _ in range(LAYERS)]
    xs = torch.from_numpy(XS)

    def run():
        for cell in cells:
            cell.zero_grad()
        states = [None] * LAYERS
        outs = []
        for t in range(STEPS):
            h = xs[t]
            for k, cell in enumerate(cells):
                states[k] = cell(h, states[k])
                h = states[k][0]
            outs.append(h)
        torch.cat(outs).sum().backward()
    return run


def numpy_lstm():
    """A plain NumPy 2-layer LSTM, forward and backward (gates i, f, g, o in blocks)."""
    params = []
    for _ in range(LAYERS):
        wx = RNG.uniform(-0.05, 0.05, (UNITS, 4 * UNITS)).astype(np.float32)
        wh = RNG.uniform(-0.05, 0.05, (UNITS, 4 * UNITS)).astype(np.float32)
        params.append((wx, wh, np.zeros(4 * UNITS, np.float32)))
    n = UNITS

    def sig(z):
        return 0.5 * np.tanh(0.5 * z) + 0.5

    def run():
        x = XS.reshape(STEPS * BATCH, UNITS)
        caches = []
        for wx, wh, b in params:
            proj = (x @ wx + b).reshape(STEPS, BATCH, 4 * n)
            h = np.zeros((BATCH, n), np.float32)
            c = np.zeros((BATCH, n), np.float32)
            hs, cache = [], []
            for t in range(STEPS):
                g = proj[t] + h @ wh
                i, f, o = sig(g[:, :n]), sig(g[:, n:2 * n]), sig(g[:, 3 * n:])
                a = np.tanh(g[:, 2 * n:3 * n])
                c_prev = c
                c = f * c + i * a
                tc = np.tanh(c)
                h_prev = h
                h = o * tc
                cache.append((i, f, o, a, c_prev, tc, h_prev))
                hs.append(h)
            caches.append((x, cache))
            x = np.concatenate(hs)
        gx = np.ones((STEPS * BATCH, n), np.float32)
        for (wx, wh, b), (x, cache) in zip(reversed(params), reversed(caches)):
            gy = gx.reshape(STEPS, BATCH, n)
            gh = np.zeros((BATCH, n), np.float32)
            gc = np.zeros((BATCH, n), np.float32)
            gproj = np.empty((STEPS, BATCH, 4 * n), np.float32)
            gwh = np.zeros_like(wh)
            for t in range(STEPS - 1, -1, -1):
                i, f, o, a, c_prev, tc, h_prev = cache[t]
                gh = gh + gy[t]
                gc = gc + gh * o * (1 - tc * tc)
                g = gproj[t]
                g[:, :n] = gc * a * i * (1 - i)
                g[:, n:2 * n] = gc * c_prev * f * (1 - f)
                g[:, 2 * n:3 * n] = gc * i * (1 - a * a)
                g[:, 3 * n:] = gh * tc * o * (1 - o)
                gwh += h_prev.T @ g
                gh = g @ wh.T
                gc = gc * f
            gp = gproj.reshape(STEPS * BATCH, 4 * n)
            gwx = x.T @ gp  # noqa: F841  (weight gradient, computed as a framework would)
            gb = gp.sum(0)  # noqa: F841
            gx = gp @ wx.T
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--number', type=int, default=3)
    parser.add_argument('--timer', choices=('wall', 'cpu'), default='wall')
    parser.add_argument('--runs', type=int, default=1,
                        help='independent measurements; the table shows the medians')
    args = parser.parse_args()
    timer = time.process_time if args.timer == 'cpu' else time.perf_counter
    rows = [('NumPy LSTM', numpy_lstm()),
            ('F.n_step_lstm (L.NStepLSTM)', chainer_n_step()),
            ('L.LSTM loop', chainer_stateful())]
    if torch is not None:
        rows.insert(0, (f'PyTorch nn.LSTM ({torch.get_num_threads()} threads)', torch_lstm()))
        rows.append(('PyTorch LSTMCell loop', torch_cells()))
    runs = [best_times([fn for _, fn in rows], args.number, args.repeat, timer)
            for _ in range(args.runs)]
    ref_name = rows[0][0]
    print(versions())
    print(f'{LAYERS} layers, {UNITS} units, {STEPS} steps, batch {BATCH}, float32, '
          f'forward+backward, {args.timer} time'
          + (f', median of {args.runs} runs' if args.runs > 1 else ''))
    print(f'| workload | time (ms) | ratio to {ref_name} |')
    print('| --- | ---: | ---: |')
    for i, (name, _) in enumerate(rows):
        t = statistics.median(r[i] for r in runs)
        ratio = statistics.median(r[i] / r[0] for r in runs)
        print(f'| {name} | {t * 1e3:.1f} | {ratio:.2f} |')
    if torch is not None:
        loops = statistics.median(r[-2] / r[-1] for r in runs)
        print(f'L.LSTM loop / PyTorch LSTMCell loop: {loops:.2f}')


if __name__ == '__main__':
    main()
