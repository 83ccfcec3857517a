"""Reductions, linear algebra and other mathematical functions exported by ``chainer.functions``."""
from chainer.functions.math.average import average
from chainer.functions.math.matmul import batch_matmul, matmul
from chainer.functions.math.sum import sum, sum_to

__all__ = ['average', 'batch_matmul', 'matmul', 'sum', 'sum_to']
