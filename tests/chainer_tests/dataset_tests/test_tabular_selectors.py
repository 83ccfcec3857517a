"""What the views of a TabularDataset ask their source for, and what they return.

A recording table logs every ``get_examples(indices, key_indices)`` call, so
the tests see the selectors views pass down: ``None`` stays ``None``, slices
stay slices, lists are lists of non-negative row numbers.
"""
from __future__ import annotations

import numpy
import pytest

from chainer import dataset
from chainer.dataset import tabular


class Recorder(dataset.TabularDataset):
    """Columns a, b, c of ``size`` rows; ``a[i] = i``, ``b[i] = 10 i``, ``c[i] = 100 i``."""

    def __init__(self, size=10, keys=('a', 'b', 'c'), mode=tuple, arrays=False,
                 converted=False):
        self._size = size
        self._keys = keys
        self._mode = mode
        self._arrays = arrays
        self._converted = converted
        self.calls = []

    def __len__(self):
        return self._size

    @property
    def keys(self):
        return self._keys

    @property
    def mode(self):
        return self._mode

    def get_examples(self, indices, key_indices):
        self.calls.append((indices, key_indices))
        rows = list(range(self._size))
        if isinstance(indices, slice):
            rows = rows[indices]
        elif indices is not None:
            rows = list(indices)
        if key_indices is None:
            key_indices = range(len(self._keys))
        cols = [[r * 10 ** k for r in rows] for k in key_indices]
        if self._arrays:
            return numpy.array(cols).reshape(len(cols), len(rows))
        return tuple(cols)

    def convert(self, data):
        if self._converted:
            return 'converted'
        return super().convert(data)


class TestSlice:

    def test_keys_only_keeps_none_and_full_slice(self):
        t = Recorder()
        view = t.slice[:, ('c', 'a')]
        assert view.keys == ('c', 'a') and view.mode is tuple
        view.fetch()
        indices, key_indices = t.calls[-1]
        assert isinstance(indices, slice) and indices == slice(None)
        assert key_indices == (2, 0)

    def test_rows_only_keeps_key_indices_none(self):
        t = Recorder()
        t.slice[2:8:2].fetch()
        assert t.calls[-1] == (slice(2, 8, 2), None)

    def test_slices_compose_into_one_slice(self):
        t = Recorder()
        view = t.slice[::-2].slice[1:]
        assert [ex[0] for ex in view] == [7, 5, 3, 1]
        view.fetch()
        indices, _ = t.calls[-1]
        assert isinstance(indices, slice)
        assert list(range(10))[indices] == [7, 5, 3, 1]
        assert t.slice[9::-2].slice[:].get_examples(None, None)
        assert t.calls[-1][0] == slice(9, None, -2)

    def test_list_after_slice_and_slice_after_list(self):
        t = Recorder()
        t.slice[1:9:3].slice[[2, 0]].fetch()
        assert t.calls[-1] == ([7, 1], None)
        t.slice[[5, 3, 1]].slice[::-1].fetch()
        assert t.calls[-1] == ([1, 3, 5], None)

    def test_negative_and_boolean_rows(self):
        t = Recorder(size=4)
        t.slice[[-1, 0]].fetch()
        assert t.calls[-1] == ([3, 0], None)
        t.slice[[True, False, True, False]].fetch()
        assert t.calls[-1] == ([0, 2], None)
        with pytest.raises(ValueError):
            t.slice[[True, False]]
        with pytest.raises(IndexError):
            t.slice[[4]]
        with pytest.raises(IndexError):
            t.slice[:, 3]
        with pytest.raises(KeyError):
            t.slice[:, 'z']

    def test_unary_and_tuple_keys(self):
        t = Recorder(mode=dict)
        assert t.slice[:, 'b'].mode is None
        assert t.slice[:, ('b',)].mode is dict
        assert t.slice[:, -1].keys == ('c',)
        assert t.slice[[3], 'b'][0] == 30
        assert Recorder(mode=None, keys=('a',)).slice[:, ('a',)].mode is tuple

    def test_empty_selection(self):
        t = Recorder()
        view = t.slice[[]]
        assert len(view) == 0
        assert len(t.slice[5:5]) == 0


class TestFetchAndConvert:

    @pytest.mark.parametrize('mode', [tuple, dict, None])
    def test_fetch_leaves_columns_alone(self, mode):
        keys = ('a',) if mode is None else ('a', 'b', 'c')
        t = Recorder(size=3, keys=keys, mode=mode)
        out = t.fetch()
        if mode is tuple:
            assert out == ([0, 1, 2], [0, 10, 20], [0, 100, 200])
        elif mode is dict:
            assert out == {'a': [0, 1, 2], 'b': [0, 10, 20], 'c': [0, 100, 200]}
        else:
            assert out == [0, 1, 2]
        converted = t.convert(out)
        if mode is dict:
            assert all(isinstance(v, numpy.ndarray) for v in converted.values())
        elif mode is tuple:
            assert all(isinstance(v, numpy.ndarray) for v in converted)
        else:
            assert isinstance(converted, numpy.ndarray)

    @pytest.mark.parametrize('make_view', [
        lambda t: t.slice[1:],
        lambda t: t.astuple(),
        lambda t: t.asdict(),
        lambda t: t.concat(Recorder()),
        lambda t: t.join(Recorder(keys=('d',))),
        lambda t: t.transform(('x',), lambda a, b, c: (a,)),
        lambda t: t.transform_batch(('x',), lambda a, b, c: (a,)),
    ])
    def test_views_use_the_source_converter(self, make_view):
        view = make_view(Recorder(converted=True))
        assert view.convert(view.fetch()) == 'converted'

    @pytest.mark.parametrize('mode', [tuple, dict, None])
    def test_with_converter_arguments(self, mode):
        keys = ('a',) if mode is None else ('a', 'b')
        t = Recorder(size=2, keys=keys, mode=mode)
        seen = []

        def converter(*args, **kwargs):
            seen.append((args, kwargs))
            return 'converted'

        view = t.with_converter(converter)
        assert view.mode is mode and view.keys == keys
        data = view.fetch()
        assert view.convert(data) == 'converted'
        args, kwargs = seen[-1]
        if mode is tuple:
            assert args == ([0, 1], [0, 10]) and kwargs == {}
        elif mode is dict:
            assert args == () and kwargs == {'a': [0, 1], 'b': [0, 10]}
        else:
            assert args == ([0, 1],) and kwargs == {}


class TestConcat:

    def test_none_rows_reach_every_part(self):
        a, b = Recorder(size=3), Recorder(size=2)
        out = a.concat(b).fetch()
        assert a.calls[-1] == (None, None) and b.calls[-1] == (None, None)
        assert out[0] == [0, 1, 2, 0, 1]

    def test_slices_are_split_per_part(self):
        a, b = Recorder(size=5), Recorder(size=5)
        c = a.concat(b)
        assert c.slice[9:6:-2].fetch()[0] == [4, 2]
        assert b.calls[-1] == (slice(4, 1, -2), None)
        assert not a.calls
        out = c.slice[::-2].fetch()[0]
        assert out == [4, 2, 0, 3, 1]
        assert b.calls[-1][0] == slice(4, None, -2)
        assert a.calls[-1][0] == slice(3, None, -2)
        out = c.slice[1::3].fetch()[0]
        assert out == [1, 4, 2]
        assert a.calls[-1][0] == slice(1, 5, 3) and b.calls[-1][0] == slice(2, 5, 3)

    def test_lists_keep_the_requested_order(self):
        a, b = Recorder(size=3), Recorder(size=3)
        out = a.concat(b).slice[[4, 0, 3], ('b',)].fetch()
        assert out == ([10, 0, 0],)
        assert a.calls[-1] == ([0], (1,)) and b.calls[-1] == ([1, 0], (1,))

    def test_single_part_results_are_passed_through(self):
        a, b = Recorder(size=3, arrays=True), Recorder(size=3, arrays=True)
        out = a.concat(b).slice[[4, 5]].fetch()
        assert isinstance(out[0], numpy.ndarray)

    def test_keys_must_match(self):
        with pytest.raises(ValueError, match='same keys'):
            Recorder().concat(Recorder(keys=('a',)))


class TestJoin:

    def test_key_indices_none_is_passed(self):
        a, b = Recorder(size=3), Recorder(size=3, keys=('d', 'e'))
        j = a.join(b)
        assert j.keys == ('a', 'b', 'c', 'd', 'e')
        j.fetch()
        assert a.calls[-1] == (None, None) and b.calls[-1] == (None, None)

    def test_only_needed_parts_are_asked(self):
        a, b = Recorder(size=3), Recorder(size=3, keys=('d', 'e'))
        out = a.join(b).slice[:, ('e', 'b', 'e')].fetch()
        assert out == ([0, 10, 20], [0, 10, 20], [0, 10, 20])
        assert a.calls[-1][1] == (1,) and b.calls[-1][1] == (1,)
        a.calls.clear()
        a.join(b).slice[:, 'd'].fetch()
        assert a.calls == []

    def test_mode_comes_from_the_first_with_one(self):
        a = Recorder(keys=('a',), mode=None)
        b = Recorder(keys=('b',), mode=dict)
        assert a.join(b).mode is dict
        assert a.join(Recorder(keys=('c',), mode=None)).mode is tuple

    def test_errors(self):
        with pytest.raises(ValueError, match='same length'):
            Recorder(size=3).join(Recorder(size=4, keys=('d',)))
        with pytest.raises(ValueError, match='unique'):
            Recorder().join(Recorder(keys=('a',)))


class TestTransform:

    @pytest.mark.parametrize('arrays', [False, True])
    def test_sources_returning_a_2d_array(self, arrays):
        t = Recorder(size=4, arrays=arrays)
        tr = t.transform(('s',), lambda a, b, c: (a + b,))
        assert list(tr.fetch()[0]) == [0, 11, 22, 33]
        tb = t.transform_batch(('s',), lambda a, b, c: (numpy.asarray(a) * 2,))
        assert list(tb.fetch()[0]) == [0, 2, 4, 6]

    def test_return_type_sets_the_mode(self):
        t = Recorder(size=3)
        assert t.transform('x', lambda a, b, c: a).mode is None
        assert t.transform(('x',), lambda a, b, c: {'x': a}).mode is dict
        assert t.asdict().transform(('x', 'y'), lambda a, b, c: (c, a))[2] == (200, 2)

    def test_return_type_must_not_change(self):
        t = Recorder(size=3)
        tr = t.transform('x', lambda a, b, c: (a,) if a == 0 else a)
        with pytest.raises(ValueError, match='return type'):
            tr.fetch()

    def test_transform_batch_keeps_the_length(self):
        t = Recorder(size=3)
        with pytest.raises(ValueError, match='length'):
            t.transform_batch('x', lambda a, b, c: a[:1]).slice[0:3].fetch()


class TestFromData:

    def test_lists_stay_lists(self):
        d = tabular.from_data(([1, 9, 7, 8], ('y', [0, 1, 2, 3])))
        a, y = d.slice[[1, 3]].fetch()
        assert isinstance(a, list) and a == [9, 8] and y == [1, 3]
        assert isinstance(d.slice[1:3, 0].fetch(), list)

    def test_arrays_stay_arrays(self):
        d = tabular.from_data(numpy.arange(5) * 2)
        out = d.slice[[4, 1]].fetch()
        assert isinstance(out, numpy.ndarray) and out.tolist() == [8, 2]
        assert d.convert(out) is out

    def test_callables(self):
        d = tabular.from_data({'sq': lambda i: i * i, 'x': [5, 6, 7]})
        assert d.mode is dict and d.slice[[2]].fetch() == {'sq': [4], 'x': [7]}
