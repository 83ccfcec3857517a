"""The distributions under ``chainer.testing.distribution_unittest`` (Chainer's test harness)."""
import numpy
from chainer import distributions, testing
from scipy import stats


@testing.parameterize(*testing.product({
    'shape': [(2, 3)],
    'is_variable': [True],
    'sample_shape': [(3, 2)],
    'log_scale_option': [True, False],
}))
@testing.fix_random()
class TestNormal(testing.distribution_unittest):
    scipy_onebyone = True

    def setUp_configure(self):
        self.dist = distributions.Normal
        self.scipy_dist = stats.norm
        self.test_targets = {'batch_shape', 'cdf', 'entropy', 'event_shape', 'icdf', 'log_cdf',
                             'log_prob', 'log_survival', 'mean', 'prob', 'sample', 'stddev',
                             'support', 'survival', 'variance'}
        loc = numpy.random.uniform(-1, 1, self.shape).astype(numpy.float32)
        if self.log_scale_option:
            log_scale = numpy.random.uniform(-1, 1, self.shape).astype(numpy.float32)
            scale = numpy.exp(log_scale)
            self.params = {'loc': loc, 'log_scale': log_scale}
            self.scipy_params = {'loc': loc, 'scale': scale}
        else:
            scale = numpy.exp(numpy.random.uniform(-1, 1, self.shape)).astype(numpy.float32)
            self.params = {'loc': loc, 'scale': scale}
            self.scipy_params = {'loc': loc, 'scale': scale}

    def sample_for_test(self):
        return numpy.random.normal(size=self.sample_shape + self.shape).astype(numpy.float32)


@testing.parameterize(*testing.product({
    'shape': [(2,)],
    'is_variable': [True],
    'sample_shape': [(3, 2)],
}))
@testing.fix_random()
class TestMVN(testing.distribution_unittest):
    scipy_onebyone = True

    def setUp_configure(self):
        self.dist = distributions.MultivariateNormal
        self.scipy_dist = stats.multivariate_normal
        d, = self.event_shape = (3,)
        self.test_targets = {'batch_shape', 'entropy', 'event_shape', 'log_prob', 'support'}
        loc = numpy.random.uniform(-1, 1, self.shape + (3,)).astype(numpy.float32)
        cov = numpy.random.normal(size=(int(numpy.prod(self.shape)),) + (d, d))
        cov = [cov_.dot(cov_.T) for cov_ in cov]
        cov = numpy.vstack(cov).reshape(self.shape + (d, d))
        scale_tril = numpy.linalg.cholesky(cov).astype(numpy.float32)
        self.params = {'loc': loc, 'scale_tril': scale_tril}
        self.scipy_params = {'mean': loc, 'cov': cov}

    def sample_for_test(self):
        shape = self.sample_shape + self.shape + (3,)
        return numpy.random.normal(size=shape).astype(numpy.float32)
