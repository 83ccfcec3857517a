"""chainer.reporter: Reporter, report, report_scope, Summary, DictSummary."""
import json
import threading

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import reporter as reporter_module
from chainer.link import Chain, Link
from chainer.reporter import (DictSummary, Reporter, Summary, get_current_reporter,
                              report, report_scope)


class Observer:
    pass


# -- Reporter ------------------------------------------------------------

def test_empty_reporter():
    r = Reporter()
    assert r.observation == {}


def test_enter_exit_sets_current():
    r1, r2 = Reporter(), Reporter()
    with pytest.raises(IndexError):
        get_current_reporter()
    with r1:
        assert get_current_reporter() is r1
        with r2:
            assert get_current_reporter() is r2
        assert get_current_reporter() is r1
    with pytest.raises(IndexError):
        get_current_reporter()


def test_scope():
    r = Reporter()
    obs = {}
    with r.scope(obs):
        assert get_current_reporter() is r
        report({'x': 1})
    assert obs == {'x': 1}
    assert r.observation == {}
    with pytest.raises(IndexError):
        get_current_reporter()


def test_scope_restores_on_error():
    r = Reporter()
    old = r.observation
    with pytest.raises(RuntimeError):
        with r.scope({}):
            raise RuntimeError
    assert r.observation is old
    assert reporter_module._get_reporters() == []


def test_report_without_observer():
    r = Reporter()
    r.report({'a': 1, 'b': 2.5})
    assert r.observation == {'a': 1, 'b': 2.5}


def test_report_with_observer():
    r = Reporter()
    o1, o2 = Observer(), Observer()
    r.add_observer('o1', o1)
    r.add_observers('pre/', [('x', o2)])
    r.report({'loss': 3}, o1)
    r.report({'acc': 4}, observer=o2)
    assert r.observation == {'o1/loss': 3, 'pre/x/acc': 4}
    with pytest.raises(KeyError, match='not registered'):
        r.report({'a': 1}, Observer())


def test_add_observers_from_namedlinks():
    class Net(Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = Link()

    net = Net()
    r = Reporter()
    r.add_observer('main', net)
    r.add_observers('main', net.namedlinks(skipself=True))
    r.report({'loss': 1}, net.l1)
    assert r.observation == {'main/l1/loss': 1}


def test_report_function():
    r = Reporter()
    o = Observer()
    r.add_observer('o', o)
    report({'ignored': 1})  # no current reporter: no-op
    with r:
        report({'a': 1}, o)
        report({'b': 2})
    assert r.observation == {'o/a': 1, 'b': 2}


def test_report_scope():
    r = Reporter()
    obs = {}
    with r:
        with report_scope(obs):
            report({'x': 1})
        report({'y': 2})
    assert obs == {'x': 1}
    assert r.observation == {'y': 2}
    with pytest.raises(IndexError):
        with report_scope({}):
            pass


def _graph_value():
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    return F.sum(x * 2)


def test_report_cuts_graph_by_default():
    r = Reporter()
    y = _graph_value()
    assert y.creator_node is not None
    r.report({'y': y})
    got = r.observation['y']
    assert isinstance(got, chainer.Variable)
    assert got is not y
    assert got.creator_node is None
    numpy.testing.assert_array_equal(got.array, y.array)


def test_report_keeps_graph_with_config():
    r = Reporter()
    y = _graph_value()
    with chainer.using_config('keep_graph_on_report', True):
        r.report({'y': y})
    assert r.observation['y'] is y


def test_reporters_are_thread_local():
    r = Reporter()
    seen = []

    def run():
        seen.append(list(reporter_module._get_reporters()))
        report({'from_thread': 1})

    with r:
        t = threading.Thread(target=run)
        t.start()
        t.join(timeout=60)
        assert not t.is_alive()
    assert seen == [[]]
    assert r.observation == {}


def test_exports():
    for name in ('Reporter', 'report', 'report_scope', 'get_current_reporter',
                 'Summary', 'DictSummary'):
        assert hasattr(reporter_module, name)
        if hasattr(chainer, name):
            assert getattr(chainer, name) is getattr(reporter_module, name)


# -- Summary -------------------------------------------------------------

def test_summary_mean_and_std():
    s = Summary()
    for v in (1.0, 2.0, 3.0, 6.0):
        s.add(v)
    assert s.compute_mean() == pytest.approx(3.0)
    mean, std = s.make_statistics()
    assert mean == pytest.approx(3.0)
    assert std == pytest.approx(numpy.std([1., 2., 3., 6.]))


def test_summary_weighted():
    s = Summary()
    s.add(1.0, weight=3)
    s.add(5.0, weight=1)
    assert s.compute_mean() == pytest.approx(2.0)
    mean, std = s.make_statistics()
    assert std == pytest.approx(numpy.sqrt((3 * 1 + 25) / 4 - 4))


def test_summary_of_a_variable_makes_chainers_nodes():
    # x2 += weight * value * value: the nodes Chainer made, in its order
    seen = []

    class Rec(chainer.FunctionHook):
        def forward_preprocess(self, function, in_data):
            seen.append(function.label)

    s = Summary()
    with Rec():
        s.add(chainer.Variable(numpy.array(3., numpy.float32)), weight=0.5)
    assert seen == ['_ * 0.5', '_ + 0.0', '_ * 0.5', '_ * _', '_ + 0.0']
    assert float(s.compute_mean().array) == 3.0


def test_summary_arrays_mean_and_std():
    s = Summary()
    s.add(numpy.array(1.0, numpy.float32))
    s.add(numpy.array(3.0, numpy.float32))
    mean = s.compute_mean()
    assert isinstance(mean, numpy.ndarray) or isinstance(mean, numpy.floating)
    assert float(mean) == 2.0
    mean, std = s.make_statistics()
    assert float(std) == pytest.approx(1.0)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
@pytest.mark.parametrize('as_array', [False, True])
def test_summary_sums_host_values_in_double(dtype, as_array):
    # Chainer (NumPy 1) summed reported float32 losses in float64, so logs
    # hold the exact means of the float32 values and snapshots float64 sums.
    values = numpy.array([0.1, 0.7, 1 / 3], dtype)
    s = Summary()
    for v in values:
        s.add(numpy.array(v) if as_array else v)
    wide = values.astype(numpy.float64)
    assert s._x.dtype == numpy.float64
    assert s._x2.dtype == numpy.float64
    assert s.compute_mean() == wide.sum() / 3
    mean, std = s.make_statistics()
    assert mean.dtype == std.dtype == numpy.float64
    assert std == numpy.sqrt((wide * wide).sum() / 3 - (wide.sum() / 3) ** 2)


def test_summary_products_of_numpy_operands_keep_their_dtype():
    v, w = numpy.float32(0.1), numpy.float32(0.5)
    s = Summary()
    s.add(v, weight=w)
    assert s._x == numpy.float64(w * v)
    assert s._x2 == numpy.float64(w * v * v)
    assert s._x2 != numpy.float64(w) * numpy.float64(v) ** 2
    assert s._n.dtype == numpy.float64
    t = Summary()
    t.add(v, weight=1)
    assert t._x2 == numpy.float64(v) ** 2


def test_summary_python_value_with_numpy_weight_is_summed_in_double():
    # NumPy 1 (Chainer): 0.3 * numpy.float32(0.5) is a float64, not a float32.
    s = Summary()
    s.add(0.3, weight=numpy.float32(0.5))
    assert s._x.dtype == numpy.float64
    assert s._x == 0.3 * 0.5
    assert s._x2 == 0.5 * 0.3 * 0.3
    t = Summary()
    t.add(0.3, weight=numpy.array(0.5, numpy.float32))
    assert t._x.dtype == numpy.float64 and t._x == 0.15


@pytest.mark.parametrize('value', [numpy.float32(0.3), numpy.array(0.3, numpy.float32)])
def test_summary_python_int_weight_keeps_count_an_int(value):
    # Chainer's _n is 0 + weight: a Python int for the default weight.
    s = Summary()
    s.add(value)
    s.add(value, weight=2)
    assert type(s._n) is int and s._n == 3
    d = DictSummary()
    d.add({'a': value})
    assert type(d._summaries['a']._n) is int


def test_summary_python_numbers_stay_python_floats():
    s = Summary()
    s.add(1)
    s.add(2.5, weight=2)
    assert type(s._x) is float and type(s._n) is int
    assert s.compute_mean() == 2.0


def test_summary_complex_sums_in_complex128():
    s = Summary()
    s.add(numpy.complex64(1 + 2j))
    assert s._x.dtype == numpy.complex128


def test_summary_empty_mean():
    with pytest.raises(ZeroDivisionError):
        Summary().compute_mean()


class DictStore:
    """Minimal (de)serializer over a flat dict."""

    def __init__(self, store, path=''):
        self.store = store
        self.path = path

    def __getitem__(self, key):
        return type(self)(self.store, self.path + key + '/')

    def __call__(self, key, value):
        full = self.path + key
        if isinstance(self, _Saver):
            self.store[full] = value
            return value
        if full not in self.store:
            raise KeyError(full)
        return self.store[full]


class _Saver(DictStore):
    pass


def test_summary_serialize_roundtrip():
    s = Summary()
    s.add(2.0)
    s.add(4.0)
    store = {}
    s.serialize(_Saver(store))
    assert store == {'_x': 6.0, '_x2': 20.0, '_n': 2}
    t = Summary()
    t.serialize(DictStore(store))
    assert t.compute_mean() == pytest.approx(3.0)


def test_summary_deserialize_missing_warns():
    s = Summary()
    with pytest.warns(UserWarning, match='not saved'):
        s.serialize(DictStore({}))


# -- DictSummary -----------------------------------------------------------

def test_dict_summary_mean_and_statistics():
    d = DictSummary()
    d.add({'a': 1.0, 'b': numpy.array(2.0, numpy.float32)})
    d.add({'a': 3.0, 'b': chainer.Variable(numpy.array(4.0, numpy.float32))})
    mean = d.compute_mean()
    assert set(mean) == {'a', 'b'}
    assert mean['a'] == pytest.approx(2.0)
    assert float(mean['b']) == pytest.approx(3.0)
    stats = d.make_statistics()
    assert set(stats) == {'a', 'a.std', 'b', 'b.std'}
    assert stats['a.std'] == pytest.approx(1.0)
    assert float(stats['b.std']) == pytest.approx(1.0)


def test_dict_summary_weighted_tuples():
    d = DictSummary()
    d.add({'a': (1.0, 3)})
    d.add({'a': (5.0, chainer.Variable(numpy.array(1.0)))})
    assert d.compute_mean()['a'] == pytest.approx(2.0)


def test_dict_summary_skips_non_scalars():
    d = DictSummary()
    d.add({'v': numpy.ones(3), 'x': 1.0, 'o': None})
    assert set(d.compute_mean()) == {'x'}


def test_dict_summary_bad_weight_and_tuple():
    d = DictSummary()
    with pytest.raises(ValueError, match='not scalar'):
        d.add({'a': (1.0, numpy.ones(2))})
    with pytest.raises(IndexError, match='pair'):
        d.add({'a': (1.0,)})


def test_dict_summary_ignores_entries_after_the_weight():
    d = DictSummary()
    d.add({'a': (1.0, 2, 'ignored')})
    d.add({'a': (4.0, 1)})
    assert d.compute_mean()['a'] == pytest.approx(2.0)


def test_numpy_values_are_summed_in_float64():
    # As Chainer on NumPy 1: float32 losses give float64 means and standard
    # deviations, with the digits Chainer's LogReport printed.
    d = DictSummary()
    d.add({'loss': numpy.array(1.1, numpy.float32), 'n': 2})
    d.add({'loss': chainer.Variable(numpy.array(2.3, numpy.float32)), 'n': 4})
    stats = d.make_statistics()
    assert stats['loss'].dtype == numpy.float64
    assert float(stats['loss']) == 1.699999988079071
    assert float(stats['loss.std']) == 0.5999999642372131
    assert type(stats['n']) is float and stats['n'] == 3.0
    s = Summary()
    s.add(numpy.float16(1.5), weight=numpy.float32(0.5))
    assert s.compute_mean().dtype == numpy.float64


def test_dict_summary_empty():
    d = DictSummary()
    assert d.compute_mean() == {}
    assert d.make_statistics() == {}


def test_dict_summary_deserialize():
    store = {
        '_names': json.dumps(['a', 'b/c']),
        '_summaries/0/_x': 6.0, '_summaries/0/_x2': 20.0, '_summaries/0/_n': 2,
        '_summaries/1/_x': 3.0, '_summaries/1/_x2': 9.0, '_summaries/1/_n': 1,
    }
    d = DictSummary()
    d.add({'old': 1.0})
    d.serialize(DictStore(store))
    assert d.compute_mean() == {'a': pytest.approx(3.0), 'b/c': pytest.approx(3.0)}


def test_dict_summary_deserialize_missing_names_warns():
    d = DictSummary()
    d.add({'old': 1.0})
    with pytest.warns(UserWarning, match='names of statistics'):
        d.serialize(DictStore({}))
    assert d.compute_mean() == {}


def test_dict_summary_serialize_roundtrip():
    serializer_module = pytest.importorskip('chainer.serializer')

    class Saver(DictStore, serializer_module.Serializer):
        def __call__(self, key, value):
            self.store[self.path + key] = value
            return value

    d = DictSummary()
    d.add({'a': 1.0, 'b': 2.0})
    d.add({'a': 3.0})
    store = {}
    d.serialize(Saver(store))
    assert json.loads(store['_names']) == ['a', 'b']
    e = DictSummary()
    e.serialize(DictStore(store))
    assert e.compute_mean() == {'a': pytest.approx(2.0), 'b': pytest.approx(2.0)}


def test_report_scope_does_not_push_the_reporter_again():
    # Chainer's report_scope only swaps the current reporter's observation, so it
    # can be left from another thread (whose reporter stack is empty).
    reporter = Reporter()
    outer = {}
    with reporter.scope(outer):
        inner = {}
        scope = reporter_module.report_scope(inner)
        scope.__enter__()
        chainer.report({'x': 1.0})
        errors = []

        def leave():
            try:
                scope.__exit__(None, None, None)
            except Exception as e:  # reported below
                errors.append(e)

        t = threading.Thread(target=leave)
        t.start()
        t.join(10)
        assert not t.is_alive() and errors == []
        assert get_current_reporter() is reporter
        chainer.report({'y': 2.0})
    assert inner == {'x': 1.0} and outer == {'y': 2.0}


def test_report_scope_restores_the_observation_after_an_error():
    reporter = Reporter()
    outer = {}
    with reporter.scope(outer):
        with pytest.raises(ValueError):
            with reporter_module.report_scope({}):
                raise ValueError
        chainer.report({'y': 2.0})
    assert outer == {'y': 2.0}
