"""A unittest base comparing a ``chainer.Distribution`` with its SciPy twin.

Subclasses define ``setUp_configure`` setting ``self.dist`` (the Chainer
distribution class), ``self.scipy_dist`` (the SciPy distribution),
``self.params`` / ``self.scipy_params`` (arguments of both),
``self.test_targets`` (the properties to check) and ``sample_for_test()``;
parameterized classes give ``shape``, ``sample_shape`` and ``is_variable``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
import functools
import unittest

import numpy

from chainer.testing import array
from chainer.testing import attr

if TYPE_CHECKING:
    from collections.abc import Iterator

_TARGETS = frozenset({
    'batch_shape', 'cdf', 'entropy', 'event_shape', 'icdf', 'log_cdf',
    'log_prob', 'log_survival', 'mean', 'prob', 'sample', 'stddev',
    'support', 'survival', 'variance'})


def skip_not_in_test_target(test_target: str):
    """Skips the test unless ``test_target`` is in ``self.test_targets``."""
    def decorator(f):
        @functools.wraps(f)
        def new_f(self, *args, **kwargs):
            if test_target not in self.test_targets:
                self.skipTest(f"'{test_target}' does not exist in test_targets.")
            else:
                f(self, *args, **kwargs)
        return new_f
    return decorator


def _to_gpu(x):
    from chainer.backends import cuda
    return cuda.to_gpu(x)


def _size(shape) -> int:
    return int(numpy.prod(shape, dtype=numpy.int64))


class distribution_unittest(unittest.TestCase):
    """Base of the distribution tests; see the module docstring."""

    scipy_onebyone = False

    def setUp(self) -> None:
        self.support = 'real'
        if not hasattr(self, 'event_shape'):  # a parameterized class may give it
            self.event_shape = ()
        self.continuous = True
        self.test_targets = set()
        self.options = {}

        self.setUp_configure()

        targets_not_found = self.test_targets - _TARGETS
        if targets_not_found:
            raise ValueError(f'invalid target(s): {targets_not_found}')

        if self.is_variable:
            import chainer
            self.params = {k: chainer.Variable(v) for k, v in self.params.items()}

    def scipy_onebyone_params_iter(self) -> Iterator[dict]:
        for index in numpy.ndindex(self.shape):
            yield {k: v if numpy.isscalar(v) else v[index]
                   for k, v in self.scipy_params.items()}

    @property
    def cpu_dist(self):
        params = dict(self.params)
        params.update(self.options)
        return self.dist(**params)

    @property
    def gpu_dist(self):
        if self.is_variable:
            import chainer
            gpu_params = {k: chainer.Variable(_to_gpu(v.array))
                          for k, v in self.params.items()}
        else:
            gpu_params = {k: _to_gpu(v) for k, v in self.params.items()}
        gpu_params.update(self.options)
        return self.dist(**gpu_params)

    def _dist(self, is_gpu):
        return self.gpu_dist if is_gpu else self.cpu_dist

    def _sample(self, is_gpu):
        smp = self.sample_for_test()
        return smp, (_to_gpu(smp) if is_gpu else smp)

    def _onebyone(self, method, trailing_shape):
        values = [method(**params) for params in self.scipy_onebyone_params_iter()]
        return numpy.vstack(values).reshape(self.shape + trailing_shape)

    def _check_at_sample(self, is_gpu, method, scipy_method):
        """``dist.<method>(x)`` against scipy's ``<scipy_method>`` at a drawn ``x``."""
        smp, x = self._sample(is_gpu)
        actual = getattr(self._dist(is_gpu), method)(x).array
        expected = getattr(self.scipy_dist, scipy_method)(smp, **self.scipy_params)
        array.assert_allclose(actual, expected)

    def _check_statistic(self, is_gpu, name, scipy_method, event_shape):
        """The property ``dist.<name>`` against scipy's ``<scipy_method>``."""
        actual = getattr(self._dist(is_gpu), name).array
        scipy_stat = getattr(self.scipy_dist, scipy_method)
        if self.scipy_onebyone:
            expected = self._onebyone(scipy_stat, event_shape)
        else:
            expected = scipy_stat(**self.scipy_params)
        array.assert_allclose(actual, expected)

    @skip_not_in_test_target('batch_shape')
    def test_batch_shape_cpu(self) -> None:
        self.assertEqual(self.cpu_dist.batch_shape, self.shape)

    @attr.gpu
    @skip_not_in_test_target('batch_shape')
    def test_batch_shape_gpu(self) -> None:
        self.assertEqual(self.gpu_dist.batch_shape, self.shape)

    def check_cdf(self, is_gpu: bool) -> None:
        self._check_at_sample(is_gpu, 'cdf', 'cdf')

    @skip_not_in_test_target('cdf')
    def test_cdf_cpu(self) -> None:
        self.check_cdf(False)

    @attr.gpu
    @skip_not_in_test_target('cdf')
    def test_cdf_gpu(self) -> None:
        self.check_cdf(True)

    def check_entropy(self, is_gpu: bool) -> None:
        self._check_statistic(is_gpu, 'entropy', 'entropy', ())

    @skip_not_in_test_target('entropy')
    def test_entropy_cpu(self) -> None:
        self.check_entropy(False)

    @attr.gpu
    @skip_not_in_test_target('entropy')
    def test_entropy_gpu(self) -> None:
        self.check_entropy(True)

    @skip_not_in_test_target('event_shape')
    def test_event_shape_cpu(self) -> None:
        self.assertEqual(self.cpu_dist.event_shape, self.event_shape)

    @attr.gpu
    @skip_not_in_test_target('event_shape')
    def test_event_shape_gpu(self) -> None:
        self.assertEqual(self.gpu_dist.event_shape, self.event_shape)

    def check_icdf(self, is_gpu: bool) -> None:
        smp = numpy.random.uniform(
            1e-5, 1 - 1e-5, self.sample_shape + self.shape).astype(numpy.float32)
        x = _to_gpu(smp) if is_gpu else smp
        icdf1 = self._dist(is_gpu).icdf(x).array
        icdf2 = self.scipy_dist.ppf(smp, **self.scipy_params)
        array.assert_allclose(icdf1, icdf2)

    @skip_not_in_test_target('icdf')
    def test_icdf_cpu(self) -> None:
        self.check_icdf(False)

    @attr.gpu
    @skip_not_in_test_target('icdf')
    def test_icdf_gpu(self) -> None:
        self.check_icdf(True)

    def check_log_cdf(self, is_gpu: bool) -> None:
        self._check_at_sample(is_gpu, 'log_cdf', 'logcdf')

    @skip_not_in_test_target('log_cdf')
    def test_log_cdf_cpu(self) -> None:
        self.check_log_cdf(False)

    @attr.gpu
    @skip_not_in_test_target('log_cdf')
    def test_log_cdf_gpu(self) -> None:
        self.check_log_cdf(True)

    def check_log_prob(self, is_gpu: bool) -> None:
        smp, x = self._sample(is_gpu)
        log_prob1 = self._dist(is_gpu).log_prob(x).array
        scipy_prob = self.scipy_dist.logpdf if self.continuous else self.scipy_dist.logpmf
        if self.scipy_onebyone:
            # Sample axes first, then batch, then event; scipy wants one
            # batch element at a time.
            n_sample = _size(self.sample_shape)
            n_batch = _size(self.shape)
            onebyone_smp = smp.reshape(n_sample, n_batch, _size(self.event_shape))
            onebyone_smp = numpy.swapaxes(onebyone_smp, 0, 1)
            onebyone_smp = onebyone_smp.reshape(
                (-1,) + self.sample_shape + self.event_shape)
            log_prob2 = [scipy_prob(one_smp, **one_params)
                         for one_params, one_smp
                         in zip(self.scipy_onebyone_params_iter(), onebyone_smp)]
            log_prob2 = numpy.vstack(log_prob2).reshape(n_batch, -1).T
            log_prob2 = log_prob2.reshape(self.sample_shape + self.shape)
        else:
            log_prob2 = scipy_prob(smp, **self.scipy_params)
        array.assert_allclose(log_prob1, log_prob2)

    @skip_not_in_test_target('log_prob')
    def test_log_prob_cpu(self) -> None:
        self.check_log_prob(False)

    @attr.gpu
    @skip_not_in_test_target('log_prob')
    def test_log_prob_gpu(self) -> None:
        self.check_log_prob(True)

    def check_log_survival(self, is_gpu: bool) -> None:
        self._check_at_sample(is_gpu, 'log_survival_function', 'logsf')

    @skip_not_in_test_target('log_survival')
    def test_log_survival_cpu(self) -> None:
        self.check_log_survival(False)

    @attr.gpu
    @skip_not_in_test_target('log_survival')
    def test_log_survival_gpu(self) -> None:
        self.check_log_survival(True)

    def check_mean(self, is_gpu: bool) -> None:
        self._check_statistic(is_gpu, 'mean', 'mean', self.cpu_dist.event_shape)

    @skip_not_in_test_target('mean')
    def test_mean_cpu(self) -> None:
        self.check_mean(False)

    @attr.gpu
    @skip_not_in_test_target('mean')
    def test_mean_gpu(self) -> None:
        self.check_mean(True)

    def check_prob(self, is_gpu: bool) -> None:
        self._check_at_sample(is_gpu, 'prob', 'pdf' if self.continuous else 'pmf')

    @skip_not_in_test_target('prob')
    def test_prob_cpu(self) -> None:
        self.check_prob(False)

    @attr.gpu
    @skip_not_in_test_target('prob')
    def test_prob_gpu(self) -> None:
        self.check_prob(True)

    def check_sample(self, is_gpu: bool) -> None:
        n = 100000
        smp1 = self._dist(is_gpu).sample(sample_shape=(n,) + self.sample_shape).array
        if is_gpu:
            smp1 = smp1.get()
        event_shape = self.cpu_dist.event_shape
        if self.scipy_onebyone:
            smp2 = [self.scipy_dist.rvs(size=(n,) + self.sample_shape, **one_params)
                    for one_params in self.scipy_onebyone_params_iter()]
            smp2 = numpy.vstack(smp2)
            smp2 = smp2.reshape((_size(self.shape), n) + self.sample_shape + event_shape)
            smp2 = numpy.rollaxis(smp2, 0, smp2.ndim - len(event_shape))
            smp2 = smp2.reshape((n,) + self.sample_shape + self.shape + event_shape)
        else:
            smp2 = self.scipy_dist.rvs(
                size=(n,) + self.sample_shape + self.shape, **self.scipy_params)
        array.assert_allclose(smp1.mean(axis=0), smp2.mean(axis=0), atol=3e-2, rtol=3e-2)
        array.assert_allclose(smp1.std(axis=0), smp2.std(axis=0), atol=3e-2, rtol=3e-2)

    @skip_not_in_test_target('sample')
    def test_sample_cpu(self) -> None:
        self.check_sample(False)

    @attr.gpu
    @skip_not_in_test_target('sample')
    def test_sample_gpu(self) -> None:
        self.check_sample(True)

    def check_stddev(self, is_gpu: bool) -> None:
        self._check_statistic(is_gpu, 'stddev', 'std', self.cpu_dist.event_shape)

    @skip_not_in_test_target('stddev')
    def test_stddev_cpu(self) -> None:
        self.check_stddev(False)

    @attr.gpu
    @skip_not_in_test_target('stddev')
    def test_stddev_gpu(self) -> None:
        self.check_stddev(True)

    @skip_not_in_test_target('support')
    def test_support_cpu(self) -> None:
        self.assertEqual(self.cpu_dist.support, self.support)

    @attr.gpu
    @skip_not_in_test_target('support')
    def test_support_gpu(self) -> None:
        self.assertEqual(self.gpu_dist.support, self.support)

    def check_survival(self, is_gpu: bool) -> None:
        self._check_at_sample(is_gpu, 'survival_function', 'sf')

    @skip_not_in_test_target('survival')
    def test_survival_cpu(self) -> None:
        self.check_survival(False)

    @attr.gpu
    @skip_not_in_test_target('survival')
    def test_survival_gpu(self) -> None:
        self.check_survival(True)

    def check_variance(self, is_gpu: bool) -> None:
        self._check_statistic(is_gpu, 'variance', 'var', self.cpu_dist.event_shape)

    @skip_not_in_test_target('variance')
    def test_variance_cpu(self) -> None:
        self.check_variance(False)

    @attr.gpu
    @skip_not_in_test_target('variance')
    def test_variance_gpu(self) -> None:
        self.check_variance(True)
