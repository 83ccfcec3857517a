"""distribution_unittest driven by a small NumPy normal distribution."""
import numpy
from scipy import stats

import chainer
from chainer import backend
from chainer import testing
from chainer.backends import cuda


def _arr(x):
    return cuda.to_cpu(x.array if isinstance(x, chainer.Variable) else x)


class _FakeNormal:
    """Just enough of a chainer.Distribution for the base test class."""

    def __init__(self, loc, scale):
        self.xp = backend.get_array_module(loc)
        self.loc = _arr(loc)
        self.scale = _arr(scale)

    batch_shape = property(lambda self: self.loc.shape)
    event_shape = property(lambda self: ())
    support = property(lambda self: 'real')
    mean = property(lambda self: self._var(self.loc))
    stddev = property(lambda self: self._var(self.scale))
    variance = property(lambda self: self._var(self.scale ** 2))
    entropy = property(
        lambda self: self._var(0.5 * numpy.log(2 * numpy.pi * numpy.e * self.scale ** 2)))

    def _var(self, x):
        return chainer.Variable(self.xp.asarray(numpy.asarray(x, dtype=numpy.float32)))

    def _v(self, f, x):
        return self._var(f(_arr(x), self.loc, self.scale))

    def cdf(self, x):
        return self._v(stats.norm.cdf, x)

    def icdf(self, x):
        return self._v(stats.norm.ppf, x)

    def log_cdf(self, x):
        return self._v(stats.norm.logcdf, x)

    def log_prob(self, x):
        return self._v(stats.norm.logpdf, x)

    def prob(self, x):
        return self._v(stats.norm.pdf, x)

    def log_survival_function(self, x):
        return self._v(stats.norm.logsf, x)

    def survival_function(self, x):
        return self._v(stats.norm.sf, x)

    def sample(self, sample_shape):
        noise = numpy.random.standard_normal(sample_shape + self.loc.shape)
        return self._var(self.loc + self.scale * noise)


@testing.parameterize(
    {'shape': (2, 3), 'is_variable': True, 'scipy_onebyone': False},
    {'shape': (2, 3), 'is_variable': False, 'scipy_onebyone': True},
    {'shape': (), 'is_variable': False, 'scipy_onebyone': True},
)
@testing.fix_random()
class TestFakeNormal(testing.distribution_unittest):

    sample_shape = (3, 2)

    def setUp_configure(self):
        self.dist = _FakeNormal
        self.scipy_dist = stats.norm
        self.test_targets = {
            'batch_shape', 'cdf', 'entropy', 'event_shape', 'icdf', 'log_cdf',
            'log_prob', 'log_survival', 'mean', 'prob', 'sample', 'stddev',
            'support', 'survival', 'variance'}
        loc = numpy.asarray(numpy.random.uniform(-1, 1, self.shape), numpy.float32)
        scale = numpy.asarray(numpy.exp(numpy.random.uniform(-1, 1, self.shape)), numpy.float32)
        self.params = {'loc': loc, 'scale': scale}
        self.scipy_params = {'loc': loc, 'scale': scale}

    def sample_for_test(self):
        return numpy.asarray(
            numpy.random.normal(size=self.sample_shape + self.shape), numpy.float32)


def test_invalid_target_is_rejected():
    class Bad(testing.distribution_unittest):
        def setUp_configure(self):
            self.test_targets = {'nope'}

        def runTest(self):
            pass

    import pytest
    with pytest.raises(ValueError, match='invalid target'):
        Bad().setUp()


def test_event_shape_given_by_the_class_is_kept():
    # As in Chainer: a parameterized event_shape is seen by setUp_configure; the
    # default () is set only where the class gives none.
    seen = []

    class Given(testing.distribution_unittest):
        event_shape = (3,)
        is_variable = False

        def setUp_configure(self):
            seen.append(self.event_shape)
            self.params = {}

        def runTest(self):
            pass

    Given().setUp()
    assert seen == [(3,)]
    del Given.event_shape
    Given().setUp()
    assert seen == [(3,), ()]
