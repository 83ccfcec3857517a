import numpy
import pytest

import chainer
from chainer import backend
from chainer import dataset
from chainer.dataset import convert


def test_concat_arrays():
    batch = [numpy.full((2, 3), i, numpy.float32) for i in range(4)]
    out = dataset.concat_examples(batch)
    assert out.shape == (4, 2, 3) and out.dtype == numpy.float32
    numpy.testing.assert_array_equal(out[2], batch[2])


def test_concat_array_batch():
    # A NumPy array as the batch: its rows are the examples (chainer-sklearn's
    # predict slices one from its input). Chainer raised the ambiguous truth value.
    batch = numpy.arange(6, dtype=numpy.float32).reshape(3, 2)
    out = dataset.concat_examples(batch)
    assert out.shape == (3, 2) and out.dtype == numpy.float32
    numpy.testing.assert_array_equal(out, batch)
    with pytest.raises(ValueError, match='empty'):
        dataset.concat_examples(batch[:0])


def test_concat_scalars_and_lists():
    out = dataset.concat_examples([1, 2, 3])
    numpy.testing.assert_array_equal(out, [1, 2, 3])
    out = dataset.concat_examples([(0.5, [1, 2]), (1.5, [3, 4])])
    numpy.testing.assert_array_equal(out[0], [0.5, 1.5])
    numpy.testing.assert_array_equal(out[1], [[1, 2], [3, 4]])


def test_concat_tuples():
    batch = [(numpy.ones(3, numpy.float32) * i, numpy.int32(i)) for i in range(5)]
    x, t = dataset.concat_examples(batch)
    assert x.shape == (5, 3)
    assert t.dtype == numpy.int32
    numpy.testing.assert_array_equal(t, numpy.arange(5))


def test_concat_dicts():
    batch = [{'x': numpy.zeros(2) + i, 'y': numpy.array(i)} for i in range(3)]
    out = dataset.concat_examples(batch)
    assert set(out) == {'x', 'y'}
    assert out['x'].shape == (3, 2)
    numpy.testing.assert_array_equal(out['y'], [0, 1, 2])


def test_padding_array():
    batch = [numpy.arange(2), numpy.arange(4).reshape(1, 4)[0], numpy.arange(3)]
    out = dataset.concat_examples(batch, padding=-1)
    numpy.testing.assert_array_equal(
        out, [[0, 1, -1, -1], [0, 1, 2, 3], [0, 1, 2, -1]])


def test_padding_2d_and_tuple_padding():
    batch = [(numpy.ones((1, 2)), numpy.zeros(1)), (numpy.ones((2, 1)), numpy.zeros(2))]
    x, y = dataset.concat_examples(batch, padding=(0, 9))
    assert x.shape == (2, 2, 2)
    numpy.testing.assert_array_equal(x[0], [[1, 1], [0, 0]])
    numpy.testing.assert_array_equal(x[1], [[1, 0], [1, 0]])
    numpy.testing.assert_array_equal(y, [[0, 9], [0, 0]])


def test_padding_dict():
    batch = [{'a': numpy.arange(1)}, {'a': numpy.arange(2)}]
    out = dataset.concat_examples(batch, padding={'a': 7})
    numpy.testing.assert_array_equal(out['a'], [[0, 7], [0, 1]])


def test_device_cpu_specifiers():
    batch = [numpy.zeros(2), numpy.ones(2)]
    for device in (-1, '@numpy', backend.CpuDevice(), numpy):
        out = dataset.concat_examples(batch, device)
        assert isinstance(out, numpy.ndarray)
    out = dataset.concat_examples(batch, device=-1)
    assert isinstance(out, numpy.ndarray)


def test_empty_batch():
    with pytest.raises(ValueError, match='batch is empty'):
        dataset.concat_examples([])


def test_mismatched_shapes_error_names_example():
    batch = [(numpy.zeros(3), 0), (numpy.zeros(4), 1)]
    with pytest.raises(ValueError, match=r'example 1 has shape \(4,\).*tuple position 0'):
        dataset.concat_examples(batch)
    with pytest.raises(ValueError, match="key 'x'"):
        dataset.concat_examples([{'x': numpy.zeros(3)}, {'x': numpy.zeros(2)}])


@pytest.mark.parametrize('batch, bad', [
    ([None, None], 0),
    ([numpy.float32(1), None], 1),
    ([object(), object()], 0),
])
def test_examples_with_no_array_form_are_refused(batch, bad):
    # Chainer raised a bare TypeError from indexing them; an object array is no
    # input for a model.
    with pytest.raises(TypeError, match=f'example {bad} is'):
        dataset.concat_examples(batch)
    with pytest.raises(TypeError, match=f"example {bad} for key 'y' is"):
        dataset.concat_examples([{'y': e} for e in batch])
    with pytest.raises(TypeError, match=f'example {bad} at tuple position 1 is'):
        dataset.concat_examples([(numpy.ones(2), e) for e in batch])


@pytest.mark.parametrize('padding', [None, 0])
@pytest.mark.parametrize('other', [None, object()])
def test_example_with_no_array_form_after_an_array_is_refused(padding, other):
    # Chainer indexed it (None[None]: TypeError) or, padding, read its shape.
    batch = [numpy.ones(2, numpy.float32), other]
    with pytest.raises(TypeError, match='example 1 is'):
        dataset.concat_examples(batch, padding=padding)
    with pytest.raises(TypeError, match='example 1 at tuple position 0 is'):
        dataset.concat_examples([(e, 1) for e in batch], padding=padding)


def test_nested_objects_stack_as_in_chainer():
    # Examples that are lists or arrays of objects stack (Chainer indexed them).
    out = dataset.concat_examples([[None], [None]])
    assert out.dtype == object and out.shape == (2, 1)
    a = numpy.array([None, 1], dtype=object)
    assert dataset.concat_examples([a, a]).shape == (2, 2)


def test_mismatched_tuple_lengths():
    # Chainer's error types: IndexError for a short tuple, KeyError for a
    # missing key; entries and keys beyond example 0's are ignored.
    with pytest.raises(IndexError, match='example 1'):
        dataset.concat_examples([(1, 2), (1,)])
    with pytest.raises(KeyError, match="example 1 lacks the key 'a'"):
        dataset.concat_examples([{'a': 1}, {'b': 2}])
    x, y = dataset.concat_examples([(1, 2), (3, 4, 5)])
    numpy.testing.assert_array_equal(y, [2, 4])
    out = dataset.concat_examples([{'a': 1}, {'a': 2, 'b': 3}])
    assert list(out) == ['a']


@pytest.mark.parametrize('batch', [[numpy.int8(3), numpy.int8(4)], [1, 2.5], [[1, 2], [3, 4]]])
def test_padding_scalars_and_lists_checks_the_value(batch):
    # Equal shapes need no padding, but a value numpy.full refuses is refused
    # (as in Chainer) rather than ignored.
    with pytest.raises(TypeError):
        dataset.concat_examples(batch, padding={'x': 1})
    with pytest.raises(ValueError):
        dataset.concat_examples(batch, padding=(0, 9, 8))
    out = dataset.concat_examples(batch, padding=-1)
    expected = numpy.asarray(batch)
    assert out.dtype == expected.dtype
    numpy.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize('dtype, padding, fill', [
    (numpy.uint8, -1, 255), (numpy.uint8, 300, 44), (numpy.int8, 300, 44),
    (numpy.int32, 2 ** 40, 0), (numpy.uint8, 7, 7)])
def test_padding_out_of_range_integer_wraps(dtype, padding, fill):
    # As under NumPy 1 (Chainer): the value wraps, where NumPy 2 raises.
    out = dataset.concat_examples([numpy.zeros(1, dtype), numpy.zeros(2, dtype)],
                                  padding=padding)
    assert out.dtype == dtype
    numpy.testing.assert_array_equal(out, [[0, fill], [0, 0]])


def test_padding_entries_per_column():
    a, b = numpy.array([1, 2], numpy.int32), numpy.array([3], numpy.int32)
    with pytest.raises(IndexError, match='padding has 1 entries'):
        dataset.concat_examples([(a, b), (b, a)], padding=(-1,))
    x, y = dataset.concat_examples([(a, b), (b, a)], padding=(-1, -2, -3))
    numpy.testing.assert_array_equal(x, [[1, 2], [3, -1]])
    numpy.testing.assert_array_equal(y, [[3, -2], [1, 2]])
    with pytest.raises(KeyError, match="padding has no entry for the key 'b'"):
        dataset.concat_examples([{'a': a, 'b': b}, {'a': b, 'b': a}], padding={'a': -1})


def test_padding_scalars_take_the_common_type():
    out = dataset.concat_examples([1, 2.5], padding=0)
    assert out.dtype == numpy.float64
    numpy.testing.assert_array_equal(out, [1.0, 2.5])
    out = dataset.concat_examples([[1], [2.5, 3]], padding=-1)
    assert out.dtype == numpy.float64
    numpy.testing.assert_array_equal(out, [[1, -1], [2.5, 3]])
    # Arrays keep the first one's dtype.
    out = dataset.concat_examples(
        [numpy.array(1, numpy.int32), numpy.array(2.5, numpy.float32)], padding=0)
    assert out.dtype == numpy.int32


def test_padding_refuses_what_it_cannot_pad():
    with pytest.raises(ValueError, match='cannot pad examples of type NoneType'):
        dataset.concat_examples([(None, 1), (None, 2)], padding=0)


def test_padding_ndim_mismatch():
    with pytest.raises(ValueError, match='dimensions'):
        dataset.concat_examples([numpy.zeros(2), numpy.zeros((2, 2))], padding=0)


def test_to_device():
    x = numpy.arange(3)
    assert dataset.to_device(None, x) is x
    assert dataset.to_device(-1, x) is x or isinstance(dataset.to_device(-1, x), numpy.ndarray)
    assert dataset.to_device('@numpy', None) is None
    with pytest.raises(TypeError):
        dataset.to_device(object(), x)


def test_converter_decorator_normalizes_device():
    seen = []

    @dataset.converter()
    def my_converter(batch, device=None):
        seen.append(device)
        return batch

    assert isinstance(my_converter, dataset.Converter)
    assert my_converter.__name__ == 'my_converter'
    my_converter([1], -1)
    my_converter([1], device='@numpy')
    my_converter([1])
    assert isinstance(seen[0], backend.CpuDevice)
    assert isinstance(seen[1], backend.CpuDevice)
    assert seen[2] is None
    assert isinstance(dataset.concat_examples, dataset.Converter)


def test_converter_base_and_bad_wrap():
    with pytest.raises(NotImplementedError):
        dataset.Converter()([1], None)
    with pytest.raises(TypeError):
        dataset.converter()(42)


def test_concat_with_async_transfer_cpu_fallback():
    conv = dataset.ConcatWithAsyncTransfer()
    batch = [(numpy.zeros(2, numpy.float32), numpy.int32(1))] * 3
    x, t = conv(batch)
    assert x.shape == (3, 2)
    x, t = conv(batch, -1)
    assert isinstance(x, numpy.ndarray)
    x = conv([numpy.arange(1), numpy.arange(2)], None, padding=0)
    numpy.testing.assert_array_equal(x, [[0, 0], [0, 1]])


@pytest.mark.gpu
def test_concat_examples_to_gpu():
    import cupy
    batch = [(numpy.ones(3, numpy.float32), numpy.int32(i)) for i in range(4)]
    x, t = dataset.concat_examples(batch, device=0)
    assert isinstance(x, cupy.ndarray) and isinstance(t, cupy.ndarray)
    x, t = dataset.ConcatWithAsyncTransfer(stream=cupy.cuda.Stream())(batch, 0)
    assert isinstance(x, cupy.ndarray)
    cupy.testing.assert_array_equal(t, numpy.arange(4))
    # padding on GPU arrays stays on the GPU
    y = dataset.concat_examples([cupy.arange(2), cupy.arange(3)], padding=-1)
    assert isinstance(y, cupy.ndarray)
    cupy.testing.assert_array_equal(y, [[0, 1, -1], [0, 1, 2]])
    assert chainer.backend.get_device_from_array(y) == chainer.get_device('@cupy:0')


def test_module_attribute():
    assert convert.concat_examples is dataset.concat_examples
