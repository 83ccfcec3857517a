import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import testing
from chainer.links.loss.hierarchical_softmax import BinaryHierarchicalSoftmaxFunction
from chainer.links.loss.hierarchical_softmax import TreeParser
from chainer.utils import type_check


TREE = ((0, 1), (2, (3, 4)))
# internal nodes in depth-first order: 0 root, 1 (0, 1), 2 (2, (3, 4)), 3 (3, 4)
PATHS = {0: ([0, 1], [1, 1]), 1: ([0, 1], [1, -1]), 2: ([0, 2], [-1, 1]),
         3: ([0, 2, 3], [-1, -1, 1]), 4: ([0, 2, 3], [-1, -1, -1])}


def _expected_loss(x, t, W):
    total = 0.0
    for xi, ti in zip(x, t):
        nodes, codes = PATHS[int(ti)]
        for n, c in zip(nodes, codes):
            total += numpy.logaddexp(0, -c * W[n].dot(xi))
    return total


class TestTreeParser:

    def test_paths(self):
        parser = TreeParser(numpy.float32)
        parser.parse(TREE)
        assert parser.size() == 4
        for leaf, (nodes, codes) in PATHS.items():
            numpy.testing.assert_array_equal(parser.get_paths()[leaf], nodes)
            numpy.testing.assert_array_equal(parser.get_codes()[leaf], codes)
            assert parser.get_paths()[leaf].dtype == numpy.int32
            assert parser.get_codes()[leaf].dtype == numpy.float32

    def test_bad_trees(self):
        with pytest.raises(ValueError):
            TreeParser().parse((0, 1, 2))
        with pytest.raises(ValueError):
            TreeParser().parse(((0, 1), 0))
        with pytest.raises(TypeError):
            BinaryHierarchicalSoftmaxFunction(('a', 'b'), numpy.float32)

    def test_deep_tree(self):
        tree = 0
        for i in range(1, 3000):
            tree = (tree, i)
        parser = TreeParser()
        parser.parse(tree)
        assert parser.size() == 2999


class TestHuffmanTree:

    def test_tree(self):
        tree = L.BinaryHierarchicalSoftmax.create_huffman_tree(
            {'a': 8, 'b': 5, 'c': 6, 'd': 4})
        assert tree == (('d', 'b'), ('c', 'a'))

    def test_frequent_words_are_shallow(self):
        tree = L.BinaryHierarchicalSoftmax.create_huffman_tree(
            {0: 100, 1: 1, 2: 2, 3: 3})
        assert tree[1] == 0 or tree[0] == 0

    def test_single_word(self):
        assert L.BinaryHierarchicalSoftmax.create_huffman_tree({'x': 3}) == 'x'

    def test_empty(self):
        with pytest.raises(ValueError):
            L.BinaryHierarchicalSoftmax.create_huffman_tree({})


@testing.parameterize(*testing.product({'dtype': [numpy.float32, numpy.float64]}))
class TestBinaryHierarchicalSoftmax:

    def setup_method(self):
        with chainer.using_config('dtype', self.dtype):
            self.link = L.BinaryHierarchicalSoftmax(3, TREE, dtype=self.dtype)
        self.x = numpy.random.uniform(-1, 1, (5, 3)).astype(self.dtype)
        self.t = numpy.array([0, 2, 4, 3, 1], 'i')

    def test_init(self):
        assert self.link.W.shape == (4, 3)
        assert self.link.W.dtype == self.dtype
        assert (numpy.abs(self.link.W.array) <= 1).all()

    def test_forward(self):
        loss = self.link(self.x, self.t)
        assert loss.shape == () and loss.dtype == self.dtype
        numpy.testing.assert_allclose(
            loss.array, _expected_loss(self.x, self.t, self.link.W.array), rtol=1e-5)

    def test_probabilities_sum_to_one(self):
        x = numpy.repeat(self.x[:1], 5, axis=0)
        probs = [numpy.exp(-self.link(x[:1], numpy.array([w], 'i')).array)
                 for w in range(5)]
        numpy.testing.assert_allclose(sum(probs), 1, rtol=1e-5)

    def test_backward(self):
        x = self.x.astype(numpy.float64)
        W = numpy.random.uniform(-1, 1, (4, 3))
        gradient_check.check_backward(
            lambda x, W: BinaryHierarchicalSoftmaxFunction(TREE, numpy.float64).apply(
                (x, self.t, W)),
            (x, W), numpy.array(0.7), atol=1e-5, rtol=1e-5)

    def test_double_backward(self):
        x = self.x.astype(numpy.float64)
        W = numpy.random.uniform(-1, 1, (4, 3))
        gradient_check.check_double_backward(
            lambda x, W: BinaryHierarchicalSoftmaxFunction(TREE, numpy.float64).apply(
                (x, self.t, W)),
            (x, W), numpy.array(0.7), (numpy.random.randn(5, 3), numpy.random.randn(4, 3)),
            atol=1e-4, rtol=1e-4)

    def test_link_gradients(self):
        self.link.cleargrads()
        x = chainer.Variable(self.x)
        self.link(x, self.t).backward()
        assert x.grad.shape == (5, 3)
        assert self.link.W.grad.shape == (4, 3)

    def test_repeated_calls_are_independent(self):
        a = self.link(self.x, self.t)
        b = self.link(self.x[:2], self.t[:2])
        assert a.creator is not b.creator
        a.backward()


class TestBinaryHierarchicalSoftmaxMisc:

    def test_missing_word_ids(self):
        link = L.BinaryHierarchicalSoftmax(2, (0, 3))
        x = numpy.ones((2, 2), 'f')
        loss = link(x, numpy.array([1, 2], 'i'))
        assert float(loss.array) == 0.0

    def test_bad_t(self):
        link = L.BinaryHierarchicalSoftmax(3, TREE)
        x = numpy.ones((2, 3), 'f')
        for bad in ([0, 5], [-1, 0]):
            with pytest.raises(ValueError) as info:
                link(x, numpy.array(bad, 'i'))
            # Chainer's table lookup raised IndexError
            assert isinstance(info.value, IndexError)
        with pytest.raises(type_check.InvalidType):
            link(x, numpy.array([0, 1], numpy.int64))
        with pytest.raises(type_check.InvalidType):
            link(numpy.ones((2, 4), 'f'), numpy.array([0, 1], 'i'))
        with pytest.raises(type_check.InvalidType):
            link(x, numpy.array([0, 1, 2], 'i'))

    def test_default_dtype(self):
        with chainer.using_config('dtype', numpy.float64):
            link = L.BinaryHierarchicalSoftmax(3, TREE)
        assert link.W.dtype == numpy.float64

    def test_dtype_argument_leaves_w_in_the_configured_dtype(self):
        # As in Chainer, W follows chainer.config.dtype whatever dtype says.
        link = L.BinaryHierarchicalSoftmax(3, TREE, dtype=numpy.float64)
        assert link.W.dtype == numpy.float32

    def test_save_load(self):
        src = L.BinaryHierarchicalSoftmax(3, TREE)
        dst = L.BinaryHierarchicalSoftmax(3, TREE)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)


@pytest.mark.gpu
def test_hierarchical_softmax_gpu():
    import cupy
    link = L.BinaryHierarchicalSoftmax(3, TREE)
    x = numpy.random.randn(5, 3).astype('f')
    t = numpy.array([0, 2, 4, 3, 1], 'i')
    expected = link(x, t).array
    link.to_gpu()
    link.cleargrads()
    xg = chainer.Variable(cupy.asarray(x))
    loss = link(xg, cupy.asarray(t))
    numpy.testing.assert_allclose(cupy.asnumpy(loss.array), expected, rtol=1e-5)
    loss.backward()
    assert isinstance(link.W.grad, cupy.ndarray)


@pytest.mark.parametrize('codes_dtype, loss_dtype', [
    (numpy.float16, numpy.float32), (numpy.float32, numpy.float32),
    (numpy.float64, numpy.float64)])
def test_loss_takes_the_wider_of_x_and_codes_dtypes(codes_dtype, loss_dtype):
    # As in Chainer: dtype= sets the codes; W and x stay float32 and the loss
    # is float64 when the codes are.
    tree = L.BinaryHierarchicalSoftmax.create_huffman_tree({0: 1, 1: 2, 2: 3})
    link = L.BinaryHierarchicalSoftmax(3, tree, dtype=codes_dtype)
    assert link.W.dtype == numpy.float32
    x = chainer.Variable(numpy.random.RandomState(1).randn(2, 3).astype(numpy.float32))
    t = numpy.array([0, 2], numpy.int32)
    loss = link(x, t)
    assert loss.dtype == loss_dtype
    ref = L.BinaryHierarchicalSoftmax(3, tree)
    ref.W.array[...] = link.W.array
    numpy.testing.assert_allclose(loss.array, ref(x, t).array, rtol=1e-3)
    loss.backward()
    assert x.grad.dtype == numpy.float32 and link.W.grad.dtype == numpy.float32
