"""Reductions, linear algebra and other mathematical functions exported by ``chainer.functions``."""
from chainer.functions.math.average import average
from chainer.functions.math.batch_l2_norm_squared import batch_l2_norm_squared
from chainer.functions.math.bias import bias
from chainer.functions.math.cholesky import cholesky
from chainer.functions.math.cumprod import cumprod
from chainer.functions.math.cumsum import cumsum
from chainer.functions.math.det import batch_det, det
from chainer.functions.math.einsum import einsum
from chainer.functions.math.fft import fft, ifft
from chainer.functions.math.inv import batch_inv, inv
from chainer.functions.math.linear_interpolate import linear_interpolate
from chainer.functions.math.logsumexp import logsumexp
from chainer.functions.math.matmul import batch_matmul, matmul
from chainer.functions.math.mean import mean
from chainer.functions.math.minmax import argmax, argmin, max, min
from chainer.functions.math.prod import prod
from chainer.functions.math.scale import scale
from chainer.functions.math.sparse_matmul import sparse_matmul
from chainer.functions.math.sum import sum, sum_to
from chainer.functions.math.tensordot import tensordot

__all__ = ['argmax', 'argmin', 'average', 'batch_det', 'batch_inv', 'batch_l2_norm_squared',
           'batch_matmul', 'bias', 'cholesky', 'cumprod', 'cumsum', 'det', 'einsum', 'fft',
           'ifft', 'inv', 'linear_interpolate', 'logsumexp', 'matmul', 'max', 'mean', 'min',
           'prod', 'scale', 'sparse_matmul', 'sum', 'sum_to', 'tensordot']
