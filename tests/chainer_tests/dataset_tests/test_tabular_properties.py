"""Slices, concat and join of tabular datasets agree with plain list operations."""
import numpy
import pytest

pytest.importorskip('hypothesis')  # a test extra; the GPU machine's image lacks it

from hypothesis import given  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from chainer.dataset import tabular  # noqa: E402

slices = st.builds(slice, st.none() | st.integers(-8, 8), st.none() | st.integers(-8, 8),
                   st.none() | st.sampled_from([-3, -2, -1, 1, 2, 3]))


@settings(max_examples=80, deadline=None)
@given(n=st.integers(0, 7), s1=slices, s2=slices, data=st.data())
def test_slice_composition(n, s1, s2, data):
    rows = list(range(n))
    t = tabular.from_data({'a': numpy.arange(n), 'b': [f'v{i}' for i in range(n)]})
    expected = rows[s1][s2]
    view = t.slice[s1].slice[s2]
    assert len(view) == len(expected)
    assert [ex['a'] for ex in view] == expected
    if expected:
        picks = data.draw(st.lists(st.integers(0, len(expected) - 1), max_size=5))
        got = view.slice[picks, 'b'].fetch() if picks else []
        assert got == [f'v{expected[i]}' for i in picks]


@settings(max_examples=50, deadline=None)
@given(sizes=st.lists(st.integers(0, 4), min_size=1, max_size=4), data=st.data())
def test_concat_matches_list(sizes, data):
    parts, flat = [], []
    for k, size in enumerate(sizes):
        values = [10 * k + i for i in range(size)]
        flat += values
        parts.append(tabular.from_data((('x', numpy.array(values, dtype=numpy.int64)),
                                        ('y', list(values)))))
    c = parts[0].concat(*parts[1:])
    assert len(c) == len(flat)
    if flat:
        picks = data.draw(st.lists(st.integers(0, len(flat) - 1), max_size=8))
        x, y = c.slice[picks].fetch() if picks else ([], [])
        assert list(x) == [flat[i] for i in picks] and list(y) == [flat[i] for i in picks]
    x, y = c.fetch()
    assert list(x) == flat and list(y) == flat


@settings(max_examples=80, deadline=None)
@given(sizes=st.lists(st.integers(0, 4), min_size=1, max_size=4), s=slices)
def test_concat_slice_matches_list(sizes, s):
    parts, flat = [], []
    for k, size in enumerate(sizes):
        values = [10 * k + i for i in range(size)]
        flat += values
        parts.append(tabular.from_data(('x', list(values))))
    c = parts[0].concat(*parts[1:])
    assert list(c.slice[s].fetch()) == flat[s]
