"""Writes the Chainer 7.8.1 pickles used by tests/chainer_tests/test_pickle_compat.py.

Run with Chainer 7.8.1 installed (see CONTRIBUTING.md), from a directory without
a ``chainer/`` folder: ``python generate.py OUTDIR``. Not a test; CI never runs it.
Each file is pickle.dumps({'objects': {...}, 'expected': {...}}): the objects as
Chainer pickled them, and what Chainer computed from them after loading them back.
"""
import os
import pickle
import sys

import numpy as np

import chainer
import chainer.distributions as D
import chainer.functions as F
import chainer.link_hooks  # noqa: F401
import chainer.links as L
from chainer.dataset import tabular

out = sys.argv[1]


def rt(o):
    return pickle.loads(pickle.dumps(o))


def save(name, objects, expected_fn):
    blob = pickle.dumps(objects, protocol=4)
    expected = expected_fn(pickle.loads(blob))  # what Chainer does with its own pickle
    data = pickle.dumps({'objects': blob, 'expected': expected}, protocol=4)
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
    print(name, len(data))


x = np.random.RandomState(0).randn(2, 3).astype('f')

# -- variables, parameters, a link, a lazy link ----------------------------
np.random.seed(0)
lin = L.Linear(3, 2)
F.sum(lin(x)).backward()
v = chainer.Variable(np.arange(3, dtype='f'), name='v')
v.grad = np.ones(3, 'f')
objs = {
    'linear': lin,
    'lazy': L.Linear(None, 2),
    'variable': v,
    'constant': chainer.Variable(np.arange(2), requires_grad=False),
    'param': chainer.Parameter(np.arange(3, dtype='f'), name='p'),
    'lazy_param': chainer.Parameter(chainer.initializers.Normal(0.5)),
    'x': x,
}


def expect_basic(o):
    np.random.seed(1)
    lazy_y = o['lazy'](o['x']).array
    return {'linear_y': o['linear'](o['x']).array, 'linear_W_grad': o['linear'].W.grad,
            'lazy_y': lazy_y, 'lazy_W': o['lazy'].W.array}


save('basic.pkl', objs, expect_basic)

# -- a model with its optimizers -------------------------------------------
data = (np.random.RandomState(1).randn(4, 3).astype('f'), np.array([0, 1, 1, 0], 'i'))


def model():
    return L.Classifier(chainer.Sequential(
        L.Linear(3, 3, nobias=True), L.BatchNormalization(3), F.relu, L.Linear(3, 2)))


objs = {'data': data}
for name, make in [('adam', lambda: chainer.optimizers.Adam(alpha=0.01)),
                   ('momentum', lambda: chainer.optimizers.MomentumSGD(lr=0.05)),
                   ('adabound', lambda: chainer.optimizers.AdaBound(alpha=0.01))]:
    np.random.seed(2)
    m = model()
    o = make().setup(m)
    if name == 'adam':
        o.add_hook(chainer.optimizer_hooks.WeightDecay(1e-3))
        o.add_hook(chainer.optimizer_hooks.GradientClipping(10.), timing='post')
    for _ in range(2):
        o.update(m, *data)
    if name == 'momentum':
        clip = chainer.optimizer_hooks.GradientHardClipping(-0.01, 0.01)
        m.predictor[0].W.update_rule.add_hook(clip)
        m.predictor[3].b.update_rule.enabled = False
    objs[name] = o


def expect_training(o):
    e = {}
    for name in ('adam', 'momentum', 'adabound'):
        opt = o[name]
        m = opt.target
        for _ in range(2):
            opt.update(m, *o['data'])
        e[name] = {n: p.array.copy() for n, p in m.namedparams()}
        e[name + '_t'] = opt.t
        e[name + '_avg_mean'] = m.predictor[1].avg_mean.copy()
    return e


save('training.pkl', objs, expect_training)

# -- links with state of their own, initializers, datasets, iterators ------
np.random.seed(3)
tree = L.BinaryHierarchicalSoftmax.create_huffman_tree({0: 3, 1: 2, 2: 5, 3: 1})
a = np.arange(10, dtype='f')
it = chainer.iterators.SerialIterator(chainer.datasets.TupleDataset(a, a * 2), 3)
for _ in range(4):
    it.next()
brn = L.BatchRenormalization(3)
brn(np.random.randn(4, 3).astype('f'))
objs = {
    'bhsm': L.BinaryHierarchicalSoftmax(3, tree),
    'negsampling': L.NegativeSampling(3, [3, 2, 5, 1], 2),
    'nsteplstm': L.NStepGRU(1, 3, 1, 0.0),
    'conv': L.Convolution2D(2, 2, 2),
    'deconvnd': L.DeconvolutionND(1, 2, 2, 2),
    'brn': brn,
    'spectral': L.Linear(3, 2).add_hook(chainer.link_hooks.SpectralNormalization()),
    'zero': chainer.initializers.Zero(),
    'orthogonal': chainer.initializers.Orthogonal(1.5),
    'iterator': it,
    'dataset': chainer.datasets.split_dataset_random(
        chainer.datasets.TupleDataset(a, a), 4, seed=0)[1],
}


def expect_misc(o):
    t = np.array([0, 3], 'i')
    x4 = np.random.RandomState(5).randn(1, 2, 3, 3).astype('f')
    e = {'bhsm': o['bhsm'](x, t).array}
    np.random.seed(6)
    e['negsampling'] = o['negsampling'](x, t).array
    e['nsteplstm'] = o['nsteplstm'](None, [x])[1][0].array
    e['conv'] = o['conv'](x4).array
    e['deconvnd'] = o['deconvnd'](x4[:, :, 0]).array
    e['brn'] = o['brn'](x).array
    e['brn_avg_mean'] = o['brn'].avg_mean.copy()
    e['spectral'] = o['spectral'](x).array
    np.random.seed(7)
    for name in ('zero', 'orthogonal'):
        arr = np.empty((3, 3), 'f')
        o[name](arr)
        e[name] = arr
    e['iterator'] = [o['iterator'].next() for _ in range(3)]
    e['iterator_epoch'] = o['iterator'].epoch_detail
    e['dataset'] = [o['dataset'][i] for i in range(len(o['dataset']))]
    return e


save('links.pkl', objs, expect_misc)

# -- distributions and tabular views ----------------------------------------
u = np.array([0.3, 0.6], 'f')
a = np.arange(1, 7, dtype='f')
t = tabular.from_data((a * 3, a))
objs = {
    'normal': D.Normal(u, u + 1), 'normal_log': D.Normal(u, log_scale=u),
    'uniform': D.Uniform(loc=u, scale=u + 1), 'bernoulli': D.Bernoulli(logit=u),
    'mvn': D.MultivariateNormal(u, scale_tril=np.array([[1, 0], [0.5, 2]], 'f')),
    'slice': t.slice[1:5:2], 'dict': t.asdict(), 'transform': t.transform(('q', 'r'), divmod),
    'transform_batch': t.transform_batch(('m',), np.maximum),
    'converter': t.with_converter(np.maximum),
}


def expect_dist(o):
    e = {}
    for name in ('normal', 'normal_log', 'uniform', 'bernoulli', 'mvn'):
        d = o[name]
        np.random.seed(8)
        x = d.sample(2).array
        e[name] = (x, d.log_prob(x).array, d.mean.array)
    for name in ('slice', 'dict', 'transform', 'transform_batch', 'converter'):
        e[name] = (len(o[name]), o[name].keys, o[name].fetch(), o[name][1])
    return e


save('distributions.pkl', objs, expect_dist)
