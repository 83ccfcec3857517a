"""Time of one training step (forward, backward, optimizer update) of small MLPs, vs PyTorch CPU.

Run:  python benchmarks/train_step.py [--repeat N] [--timer wall|cpu] [--static]

Workloads (float32, ReLU MLPs, softmax cross entropy, random data):
  adam  784-1000-1000-10, batch 100, Adam(alpha=1e-3)
  sgd   784-100-10,       batch 32,  SGD(lr=0.01)
  deep  16 x 20 layers,   batch 8,   Adam: 40 small parameters, where the
        per-parameter host cost of the update shows
For each, two rows: the whole step (``optimizer.update(lossfun)`` against
``zero_grad(); loss.backward(); step()``), and the update alone on gradients
already in place (``optimizer.update()`` against ``optimizer.step()``), which
also gets a hand-written in-place NumPy baseline. Both frameworks start from the
same weights; one step is checked to give the same parameters first.
PyTorch is optional (its columns show '-' without it); it runs on as many threads
as ``OMP_NUM_THREADS`` allows (printed; compare with ``OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1``, one thread each). ``--static`` runs each MLP twice under
``chainer.static_graph`` (recorded once, then replayed): with its forward decorated
(the loss stays define-by-run), and with a chain of the forward and the loss decorated.
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

# (this folder is on sys.path; importing _timing also puts the checkout first)
from _timing import best_times, print_ratios, versions
import chainer  # noqa: E402
import chainer.functions as F  # noqa: E402
import chainer.links as L  # noqa: E402
from chainer import optimizers  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

_sce = getattr(F, 'softmax_cross_entropy', None)
if _sce is None:  # the loss family may not be re-exported yet
    from chainer.functions.loss.softmax_cross_entropy import softmax_cross_entropy as _sce


class MLP(chainer.ChainList):
    """ReLU MLP built from L.Linear layers."""

    def __init__(self, sizes):
        super().__init__(*[L.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:])])

    def forward(self, x):
        n = len(self)
        for i, layer in enumerate(self):
            x = layer(x)
            if i < n - 1:
                x = F.relu(x)
        return x


class StaticMLP(MLP):
    """The same MLP, recorded on the first call and replayed afterwards."""

    @chainer.static_graph
    def forward(self, x):
        return MLP.forward(self, x)


class StaticLoss(chainer.Chain):
    """The MLP and its loss in one static graph (the loss node is replayed too)."""

    def __init__(self, model):
        super().__init__()
        with self.init_scope():
            self.model = model

    @chainer.static_graph
    def forward(self, x, t):
        return _sce(MLP.forward(self.model, x), t)


def _torch_mlp(model):
    layers = []
    n = len(model)
    for i, layer in enumerate(model):
        out_size, in_size = layer.W.shape
        lin = torch.nn.Linear(in_size, out_size)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(layer.W.array))
            lin.bias.copy_(torch.from_numpy(layer.b.array))
        layers.append(lin)
        if i < n - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class Workload:
    """One MLP + optimizer in rechainer and (optionally) PyTorch."""

    def __init__(self, label, sizes, batch, kind, static=None):
        rng = np.random.RandomState(0)
        self.label = label + {None: '', 'forward': ' (static forward)',
                              'loss': ' (static forward+loss)'}[static]
        self.kind = kind
        self.x = rng.uniform(-1, 1, (batch, sizes[0])).astype(np.float32)
        self.t = rng.randint(0, sizes[-1], batch).astype(np.int32)
        np.random.seed(0)  # the initializers draw from NumPy's global stream
        self.model = (StaticMLP if static == 'forward' else MLP)(sizes)
        self.static_loss = StaticLoss(self.model) if static == 'loss' else None
        self.initial = [p.array.copy() for p in self._params()]
        self.opt = (optimizers.Adam(alpha=1e-3) if kind == 'adam'
                    else optimizers.SGD(lr=0.01)).setup(self.model)
        if torch is not None:
            self.tmodel = _torch_mlp(self.model)
            self.tx = torch.from_numpy(self.x)
            self.tt = torch.from_numpy(self.t.astype(np.int64))
            # PyTorch adds eps after the bias correction of sqrt(v), Chainer before;
            # this eps makes the two identical at step 1 (the checked step).
            self.topt = (torch.optim.Adam(self.tmodel.parameters(), lr=1e-3,
                                          eps=1e-8 / math.sqrt(1 - 0.999))
                         if kind == 'adam'
                         else torch.optim.SGD(self.tmodel.parameters(), lr=0.01))
        # NumPy baseline of the update alone (state as rechainer keeps it).
        self.np_params = [a.copy() for a in self.initial]
        self.np_grads = [np.random.RandomState(i).uniform(-1, 1, a.shape).astype(np.float32)
                         for i, a in enumerate(self.initial)]
        self.np_m = [np.zeros_like(a) for a in self.initial]
        self.np_v = [np.zeros_like(a) for a in self.initial]
        self.np_t = 0

    def _params(self):
        # rechainer order is W, b per layer, as torch's weight, bias
        for layer in self.model:
            yield layer.W
            yield layer.b

    def lossfun(self):
        if self.static_loss is not None:
            return self.static_loss(self.x, self.t)
        return _sce(self.model(self.x), self.t)

    # -- full steps --
    def step_chainer(self):
        self.opt.update(self.lossfun)

    def step_torch(self):
        self.topt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(self.tmodel(self.tx), self.tt).backward()
        self.topt.step()

    # -- update alone (gradients from one backward pass stay in place) --
    def update_chainer(self):
        self.opt.update()

    def update_torch(self):
        self.topt.step()

    def update_numpy(self):
        self.np_t += 1
        if self.kind == 'sgd':
            for p, g in zip(self.np_params, self.np_grads):
                p -= np.float32(0.01) * g
            return
        t = self.np_t
        alpha_t = np.float32(1e-3 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t))
        for p, g, m, v in zip(self.np_params, self.np_grads, self.np_m, self.np_v):
            tmp = g - m
            tmp *= np.float32(0.1)
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= np.float32(0.001)
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += np.float32(1e-8)
            np.divide(m, tmp, out=tmp)
            tmp *= alpha_t
            p -= tmp

    def check(self):
        """One step from the same weights must agree with PyTorch.

        Gradients are compared first; PyTorch then steps on rechainer's gradients
        so that the update rules are compared exactly (Adam's first step is about
        alpha * sign(grad), which magnifies rounding in near-zero gradients).
        """
        if torch is None:
            return
        self.step_chainer()
        self.topt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(self.tmodel(self.tx), self.tt).backward()
        for p, q in zip(self._params(), self.tmodel.parameters()):
            np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-3, atol=1e-6,
                                       err_msg=self.label + ' (gradients)')
            q.grad.copy_(torch.from_numpy(p.grad))
        self.topt.step()
        for p, q in zip(self._params(), self.tmodel.parameters()):
            np.testing.assert_allclose(p.array, q.detach().numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=self.label + ' (parameters)')

    def prepare_update_only(self):
        self.opt.update(self.lossfun)
        if torch is not None:
            self.step_torch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=10)
    parser.add_argument('--timer', choices=('wall', 'cpu'), default='wall')
    parser.add_argument('--static', action='store_true',
                        help='run the MLPs under chainer.static_graph: their forward '
                             'alone, and their forward with the loss')
    args = parser.parse_args()
    timer = time.perf_counter if args.timer == 'wall' else time.process_time

    modes = ('forward', 'loss') if args.static else (None,)
    workloads = [
        (Workload('MLP 784-1000-1000-10, Adam, batch 100', [784, 1000, 1000, 10], 100,
                  'adam', mode), 5) for mode in modes
    ] + [
        (Workload('MLP 784-100-10, SGD, batch 32', [784, 100, 10], 32, 'sgd', mode), 50)
        for mode in modes
    ] + [
        (Workload('MLP 16 x 20 layers, Adam, batch 8', [16] * 21, 8, 'adam', mode), 20)
        for mode in modes
    ]
    rows = []
    for w, number in workloads:
        w.check()
        fns = [w.step_chainer] + ([w.step_torch] if torch else [])
        times = best_times(fns, number, args.repeat, timer)
        rows.append((w.label + ': step', times[0], None, times[1] if torch else None))
        w.prepare_update_only()
        fns = [w.update_chainer, w.update_numpy] + ([w.update_torch] if torch else [])
        times = best_times(fns, number * 2, args.repeat, timer)
        rows.append((w.label + ': update only', times[0], times[1],
                     times[2] if torch else None))

    print(versions()
          + (f', torch {torch.__version__} ({torch.get_num_threads()} threads)'
             if torch else ', torch not installed') + f'; {args.timer} time')
    print_ratios(rows, 'workload', 72)


if __name__ == '__main__':
    main()
