import numpy
import pytest

from chainer import datasets


def test_tuple_dataset():
    a = numpy.arange(6).reshape(3, 2)
    b = ['x', 'y', 'z']
    ds = datasets.TupleDataset(a, b)
    assert len(ds) == 3
    x, y = ds[1]
    numpy.testing.assert_array_equal(x, [2, 3])
    assert y == 'y'
    assert [t[1] for t in ds[0:2]] == ['x', 'y']
    # A list or array of indices indexes each dataset, as Chainer (Python
    # lists, which Chainer could not index so, give lists).
    x, y = ds[[2, 0]]
    numpy.testing.assert_array_equal(x, [[4, 5], [0, 1]])
    assert y == ['z', 'x']
    x, y = ds[numpy.array([1])]
    numpy.testing.assert_array_equal(x, [[2, 3]])
    assert y == ['y']
    x, y = ds[[True, False, True]]
    numpy.testing.assert_array_equal(x, [[0, 1], [4, 5]])
    assert y == ['x', 'z']
    with pytest.raises(IndexError):
        ds[[True, False]]
    with pytest.raises(ValueError, match='no datasets'):
        datasets.TupleDataset()
    with pytest.raises(ValueError, match='index 1'):
        datasets.TupleDataset(a, [1])
    with pytest.raises(IndexError):
        ds[3]


def test_dict_dataset():
    ds = datasets.DictDataset(x=numpy.arange(3), y=[5, 6, 7])
    assert len(ds) == 3
    assert ds[2] == {'x': 2, 'y': 7}
    assert ds[1:] == [{'x': 1, 'y': 6}, {'x': 2, 'y': 7}]
    batch = ds[[0, 2]]
    numpy.testing.assert_array_equal(batch['x'], [0, 2])
    assert batch['y'] == [5, 7]
    assert list(ds[numpy.array([False, True, False])]['x']) == [1]
    with pytest.raises(ValueError, match='"y"'):
        datasets.DictDataset(x=[1, 2], y=[1])
    with pytest.raises(ValueError):
        datasets.DictDataset()


def test_concatenated_dataset():
    ds = datasets.ConcatenatedDataset([0, 1], [], [2, 3, 4])
    assert len(ds) == 5
    assert [ds[i] for i in range(5)] == [0, 1, 2, 3, 4]
    assert ds[-1] == 4
    assert ds[1:4] == [1, 2, 3]
    with pytest.raises(IndexError):
        ds[5]
    assert len(datasets.ConcatenatedDataset()) == 0


def test_concatenated_dataset_index_error_names_the_index_given():
    ds = datasets.ConcatenatedDataset([0, 1], [2])
    with pytest.raises(IndexError, match=r'\(-4 for length 3\)'):
        ds[-4]
    with pytest.raises(IndexError, match=r'\(3 for length 3\)'):
        ds[3]


def test_transform_dataset():
    ds = datasets.TransformDataset([1, 2, 3], lambda x: x * 10)
    assert len(ds) == 3 and ds[2] == 30 and ds[:2] == [10, 20]


def test_sub_dataset():
    base = list(range(10))
    sub = datasets.SubDataset(base, 2, 5)
    assert len(sub) == 3 and sub[0] == 2 and sub[-1] == 4
    assert sub[:] == [2, 3, 4]
    with pytest.raises(IndexError):
        sub[3]
    with pytest.raises(IndexError):
        sub[-4]
    order = list(reversed(range(10)))
    sub = datasets.SubDataset(base, 0, 3, order)
    assert sub[:] == [9, 8, 7]
    with pytest.raises(ValueError, match='overruns'):
        datasets.SubDataset(base, 0, 11)
    with pytest.raises(ValueError, match='order'):
        datasets.SubDataset(base, 0, 3, [0, 1])


def test_split_dataset():
    a, b = datasets.split_dataset(list(range(5)), 2)
    assert a[:] == [0, 1] and b[:] == [2, 3, 4]
    a, b = datasets.split_dataset(list(range(5)), numpy.int64(0))
    assert len(a) == 0 and len(b) == 5
    with pytest.raises(TypeError):
        datasets.split_dataset([1, 2], 1.5)
    with pytest.raises(ValueError):
        datasets.split_dataset([1, 2], -1)
    with pytest.raises(ValueError):
        datasets.split_dataset([1, 2], 3)


def test_split_dataset_random():
    a, b = datasets.split_dataset_random(list(range(10)), 4, seed=0)
    a2, b2 = datasets.split_dataset_random(list(range(10)), 4, seed=0)
    assert a[:] == a2[:] and len(a) == 4 and len(b) == 6
    assert sorted(a[:] + b[:]) == list(range(10))


def test_split_dataset_n():
    parts = datasets.split_dataset_n(list(range(10)), 3)
    assert [p[:] for p in parts] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    parts = datasets.split_dataset_n_random(list(range(10)), 2, seed=1)
    assert len(parts) == 2 and len(set(parts[0][:]) | set(parts[1][:])) == 10
    with pytest.raises(ValueError):
        datasets.split_dataset_n([1], 0)


def test_cross_validation():
    data = list(range(10))
    splits = datasets.get_cross_validation_datasets(data, 3)
    assert len(splits) == 3
    tests = []
    for train, test in splits:
        assert sorted(train[:] + test[:]) == data
        tests.append(set(test[:]))
    assert set().union(*tests) == set(data)
    assert sum(len(t) for t in tests) == 10
    splits2 = datasets.get_cross_validation_datasets_random(data, 3, seed=0)
    splits3 = datasets.get_cross_validation_datasets_random(data, 3, seed=0)
    assert [s[1][:] for s in splits2] == [s[1][:] for s in splits3]
    with pytest.warns(DeprecationWarning,
                      match=r'^Argument `n_fold` is deprecated\. Please use `n_folds` instead$'):
        assert len(datasets.get_cross_validation_datasets(data, n_fold=2)) == 2


def test_split_arguments_as_chainer_takes_them():
    data = list(range(10))
    first, rest = datasets.split_dataset(data, True)
    assert first[:] == [0] and len(rest) == 9
    with pytest.raises(TypeError):
        datasets.split_dataset_n(data, 2.0)
    with pytest.raises(ValueError, match='exceeds the dataset size'):
        datasets.get_cross_validation_datasets(data, 11)
    # The deprecated n_fold wins over n_folds, as in Chainer.
    with pytest.warns(DeprecationWarning):
        splits = datasets.get_cross_validation_datasets(data, 3, n_fold=2)
    assert [len(test) for _, test in splits] == [5, 5]
    with pytest.warns(DeprecationWarning):
        splits = datasets.get_cross_validation_datasets_random(data, 3, n_fold=2, seed=0)
    assert len(splits) == 2
    # Unknown keywords are refused (Chainer dropped them silently), e.g. a seed
    # given to the split that does not shuffle.
    with pytest.raises(TypeError, match="'seed'"):
        datasets.get_cross_validation_datasets(data, 3, seed=0)
    with pytest.raises(TypeError, match=r"^get_cross_validation_datasets_random\(\) .*'foo'"):
        datasets.get_cross_validation_datasets_random(data, 3, seed=0, foo=1)
