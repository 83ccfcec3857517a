"""Elementwise mathematical functions exported by ``chainer.functions``."""
from chainer.functions.math.basic_math import absolute, add
from chainer.functions.math.ceil import ceil
from chainer.functions.math.exponential import exp, log, log2, log10
from chainer.functions.math.floor import floor
from chainer.functions.math.identity import identity
from chainer.functions.math.sign import sign

__all__ = ['absolute', 'add', 'ceil', 'exp', 'floor', 'identity', 'log', 'log10', 'log2',
           'sign']
