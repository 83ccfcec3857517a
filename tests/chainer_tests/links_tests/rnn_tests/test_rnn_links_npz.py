"""Every recurrent link saves to npz and loads back under Chainer's parameter names."""
import numpy
import pytest

import chainer.links as L
from chainer import testing

_LSTM = ['/lateral/W', '/upward/W', '/upward/b']
_GRU = ['/U/W', '/U/b', '/U_r/W', '/U_r/b', '/U_z/W', '/U_z/b',
        '/W/W', '/W/b', '/W_r/W', '/W_r/b', '/W_z/W', '/W_z/b']
_MGU = ['/W_f/W', '/W_f/b', '/W_h/W', '/W_h/b']


def _n_step(n_weights, n_dirs):
    return [f'/{k}/{p}{j}' for k in range(2 * n_dirs) for p in 'wb' for j in range(n_weights)]


_CASES = [
    (lambda: L.LSTM(3, 4), _LSTM),
    (lambda: L.StatelessLSTM(3, 4), _LSTM),
    (lambda: L.StatefulPeepholeLSTM(3, 4),
     _LSTM + ['/peep_f/W', '/peep_i/W', '/peep_o/W']),
    (lambda: L.StatefulZoneoutLSTM(3, 4), _LSTM),
    (lambda: L.GRU(3, 4), _GRU),
    (lambda: L.StatefulGRU(3, 4), _GRU),
    (lambda: L.StatelessGRU(3, 4), _GRU),
    (lambda: L.StatefulMGU(3, 4), _MGU),
    (lambda: L.StatelessMGU(3, 4), _MGU),
    (lambda: L.ChildSumTreeLSTM(3, 2), ['/W_h_aio/W', '/W_h_f/W', '/W_x/W', '/W_x/b']),
    (lambda: L.NaryTreeLSTM(3, 2, 2), ['/W_h1/W', '/W_h2/W', '/W_x/W', '/W_x/b']),
    (lambda: L.NStepLSTM(2, 3, 4, 0.1), _n_step(8, 1)),
    (lambda: L.NStepBiLSTM(2, 3, 4, 0.1), _n_step(8, 2)),
    (lambda: L.NStepGRU(2, 3, 4, 0.1), _n_step(6, 1)),
    (lambda: L.NStepBiGRU(2, 3, 4, 0.1), _n_step(6, 2)),
    (lambda: L.NStepRNNTanh(2, 3, 4, 0.1), _n_step(2, 1)),
    (lambda: L.NStepRNNReLU(2, 3, 4, 0.1), _n_step(2, 1)),
    (lambda: L.NStepBiRNNTanh(2, 3, 4, 0.1), _n_step(2, 2)),
    (lambda: L.NStepBiRNNReLU(2, 3, 4, 0.1), _n_step(2, 2)),
]


@pytest.mark.parametrize('make, names', _CASES)
def test_save_load(make, names):
    src, dst = make(), make()
    testing.save_and_load_npz(src, dst)
    assert sorted(n for n, _ in dst.namedparams()) == sorted(names)
    for (_, p), (_, q) in zip(sorted(src.namedparams()), sorted(dst.namedparams())):
        numpy.testing.assert_array_equal(p.array, q.array)
