"""Tests of F.einsum."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.functions.math import einsum as einsum_module
from chainer.utils import type_check


@testing.parameterize(*testing.product_dict(
    [{'subscripts': 'ij,jk->ik', 'shapes': ((2, 3), (3, 4))},
     {'subscripts': 'ii->i', 'shapes': ((3, 3),)},
     {'subscripts': 'ii', 'shapes': ((3, 3),)},
     {'subscripts': 'ij->', 'shapes': ((2, 3),)},
     {'subscripts': 'ij->ji', 'shapes': ((2, 3),)},
     {'subscripts': '...j,...j->...', 'shapes': ((2, 1, 3), (4, 3))},
     {'subscripts': 'iij,j->ij', 'shapes': ((2, 2, 3), (3,))},
     {'subscripts': 'i,j', 'shapes': ((2,), (3,))},
     {'subscripts': 'bij,bjk->bik', 'shapes': ((2, 3, 4), (2, 4, 2))},
     {'subscripts': ',ij->ij', 'shapes': ((), (2, 3))},
     {'subscripts': 'ij,jk,kl->il', 'shapes': ((2, 3), (3, 1), (4, 2))},
     {'subscripts': 'ij,j->i', 'shapes': ((0, 3), (3,))}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestEinSum(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, s).astype(self.dtype) for s in self.shapes)

    def forward(self, inputs, device):
        return F.einsum(self.subscripts, *inputs),

    def forward_expected(self, inputs):
        xs = [x.astype(numpy.float64) for x in inputs]
        return numpy.asarray(numpy.einsum(self.subscripts, *xs), self.dtype),


def test_einsum_output_does_not_alias_input():
    x = numpy.arange(9, dtype=numpy.float32).reshape(3, 3)
    y = F.einsum('ij->ji', x)
    y.array[...] = 0
    assert x[0, 1] == 1


def test_einsum_bad_input():
    a = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(ValueError):
        F.einsum('ij,jk->ik', a)  # too few operands
    with pytest.raises(ValueError):
        F.einsum('ijk->i', a)  # wrong ndim
    with pytest.raises(ValueError):
        F.einsum('ij->iz', a)  # unknown output label
    with pytest.raises(ValueError):
        F.einsum('i1->i', a)
    with pytest.raises(TypeError):
        F.einsum(3, a)
    with pytest.raises(type_check.InvalidType):
        F.einsum('ij->i', a.astype(numpy.int32))
    with pytest.raises(type_check.InvalidType):
        F.einsum('ij,jk->ik', a, a)  # contracted lengths differ


def test_einsum_output_ellipsis_needs_an_operand_ellipsis():
    # Chainer refused '...' in the output when no operand has one (NumPy takes it).
    a = numpy.ones(2, numpy.float32)
    with pytest.raises(ValueError):
        F.einsum('i,i->...', a, a)
    with pytest.raises(ValueError):
        F.einsum('ij->...ij', numpy.ones((2, 2), numpy.float32))
    with pytest.raises(ValueError):
        F.einsum('i->...', a)
    assert F.einsum('...i,...i->...', a, a).shape == ()


@pytest.mark.parametrize('subscripts,shapes', [
    ('i,i', ((2,), (2,), (2,))),  # more operands than subscripts
    ('i,i', ((2,),)),  # fewer operands
    ('ii->ii', ((2, 2),)),  # repeated output label
    ('i->ii', ((2,),)),
    ('i->j', ((2,),)),  # output label in no operand
    ('ij', ((2,),)),  # more labels than axes
    ('i', ((2, 3),)),  # fewer labels than axes
    ('-i->', ((2,),)),  # not a letter
    ('i1->i', ((2,),)),
    ('i->.', ((2,),)),
    ('i..->i', ((2,),)),  # broken ellipsis
    ('...i...->i', ((2, 3),)),  # two ellipses in one operand
    ('i->i->i', ((2,),)),
    ('i->i,', ((2,),)),
    # Summing over the axes of '...' is refused.
    ('...->', ((2,),)),
    ('i...->', ((2, 3),)),
    ('j...i->ij', ((2, 1, 3),)),
    ('i,...i->', ((2,), (3, 2))),
])
def test_einsum_bad_subscripts(subscripts, shapes):
    xs = [numpy.zeros(s, numpy.float32) for s in shapes]
    with pytest.raises(ValueError):
        F.einsum(subscripts, *xs)


@pytest.mark.parametrize('subscripts,shapes', [
    ('i,i', ((2,), (3,))),
    ('ii', ((2, 3),)),
    ('ij,jk->ik', ((2, 3), (2, 3))),
    ('...i,...i', ((2, 3), (4, 3))),
])
def test_einsum_label_lengths_differ(subscripts, shapes):
    xs = [numpy.zeros(s, numpy.float32) for s in shapes]
    with pytest.raises(type_check.InvalidType):
        F.einsum(subscripts, *xs)


@pytest.mark.parametrize('subscripts,shapes', [
    ('...i->i', ((2,),)),  # '...' spanning no axis may be dropped
    ('i...->i', ((2,),)),
    ('i,i', ((1,), (3,))),  # length 1 broadcasts
])
def test_einsum_accepted_edge_subscripts(subscripts, shapes):
    rng = numpy.random.RandomState(5)
    xs = [rng.uniform(-1, 1, s) for s in shapes]
    numpy.testing.assert_allclose(F.einsum(subscripts, *xs).array,
                                  numpy.einsum(subscripts, *xs), rtol=1e-12)


def _diag_einsum_reference(in_subs, out_sub, out_shape, xs):
    sizes = dict(zip(out_sub, out_shape))
    for sub, x in zip(in_subs, xs):
        sizes.update(zip(sub, x.shape))
    labels = ''.join(dict.fromkeys(''.join(in_subs) + out_sub))
    y = numpy.zeros(out_shape)
    for idx in numpy.ndindex(*[sizes[c] for c in labels]):
        at = dict(zip(labels, idx))  # a repeated label indexes a diagonal
        value = 1.0
        for sub, x in zip(in_subs, xs):
            value *= x[tuple(at[c] for c in sub)]
        y[tuple(at[c] for c in out_sub)] += value
    return y


@testing.parameterize(*testing.product({
    'case': [
        ('i', 'ii', (3, 3), ((3,),)),  # a diagonal matrix
        ('ij', 'iji', (3, 2, 3), ((3, 2),)),
        ('i', 'ij', (3, 4), ((3,),)),  # broadcast along a new label
        ('', 'i', (3,), ((),)),
        (',i', 'ij', (2, 3), ((), (2,))),
        (',ij', 'i', (3,), ((), (3, 4))),  # j is summed
        ('ij', 'ii', (3, 3), ((3, 2),)),  # sum j, then the diagonal
        ('ii', 'ii', (3, 3), ((3, 3),)),  # keep only the diagonal
    ],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDiagEinSum(testing.FunctionTestCase):
    """``DiagEinSum`` writes an einsum on the diagonal named by repeated labels."""

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-3}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, s).astype(self.dtype)
                     for s in self.case[3])

    def forward(self, inputs, device):
        in_subs, out_sub, out_shape, _ = self.case
        return einsum_module.DiagEinSum(in_subs=in_subs, out_sub=out_sub,
                                        out_shape=out_shape).apply(inputs)

    def forward_expected(self, inputs):
        in_subs, out_sub, out_shape, _ = self.case
        xs = [x.astype(numpy.float64) for x in inputs]
        y = _diag_einsum_reference(in_subs.split(','), out_sub, out_shape, xs)
        return y.astype(self.dtype),


def test_diag_einsum_bad_arguments():
    with pytest.raises(ValueError):
        einsum_module.DiagEinSum('i', 'ii', (3,))  # shape and subscripts differ
    with pytest.raises(ValueError):
        einsum_module.DiagEinSum('i', 'ii', (3, 4))  # one label, two lengths
    with pytest.raises(ValueError):
        einsum_module.DiagEinSum('i-', 'ii', (3, 3))
    with pytest.raises(type_check.InvalidType):
        einsum_module.DiagEinSum('i', 'ii', (3, 3)).apply((numpy.zeros(4, numpy.float32),))
    with pytest.raises(type_check.InvalidType):
        einsum_module.DiagEinSum('i,i', 'i', (3,)).apply((numpy.zeros(3, numpy.float32),))


def test_einsum_subscript_lists():
    rng = numpy.random.RandomState(3)
    a = rng.uniform(-1, 1, (2, 3)).astype(numpy.float32)
    b = rng.uniform(-1, 1, (3, 4)).astype(numpy.float32)
    # Interleaved operands and integer label lists, with and without an output list.
    numpy.testing.assert_allclose(F.einsum(a, [0, 1], b, [1, 2], [0, 2]).array, a @ b,
                                  rtol=1e-5)
    numpy.testing.assert_allclose(F.einsum(a, [0, 1], b, [1, 2]).array, a @ b, rtol=1e-5)
    # Ellipsis inside a list; label 30 maps to an upper-case letter.
    c = rng.uniform(-1, 1, (3, 3, 2)).astype(numpy.float32)
    expected = numpy.einsum('iij->j', c)
    y = F.einsum(c, [30, 30, Ellipsis], [Ellipsis])
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-5)


def test_einsum_subscript_lists_backward():
    rng = numpy.random.RandomState(4)
    a = rng.uniform(-1, 1, (2, 3))
    b = rng.uniform(-1, 1, (3,))
    gy = rng.uniform(-1, 1, (2,))
    chainer.gradient_check.check_backward(
        lambda x, y: F.einsum(x, [0, 1], y, [1], [0]), [a, b], gy)


def test_einsum_bad_subscript_list():
    a = numpy.ones((2, 2), numpy.float32)
    with pytest.raises(ValueError):
        F.einsum(a, [0, 'x'])
    with pytest.raises(ValueError):
        F.einsum(a, [0, 52])


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('node', [
    einsum_module.EinSum(('ij', 'jk'), 'ik'),
    einsum_module.DiagEinSum(('ij', 'jk'), 'ik', (2, 4)),
])
def test_type_checks_pass_on_plain_values(node):
    # the check runs on plain shapes first (the fast path whose success is
    # remembered per shape); it must not need the full expressions to pass
    a = numpy.ones((2, 3), numpy.float32)
    b = numpy.ones((3, 4), numpy.float32)
    with type_check.light_mode:
        node.check_type_forward(type_check.get_light_types((a, b)))
