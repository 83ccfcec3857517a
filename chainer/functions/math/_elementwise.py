"""Elementwise mathematical functions exported by ``chainer.functions``."""
from chainer.functions.math.arctanh import arctanh
from chainer.functions.math.basic_math import absolute, add
from chainer.functions.math.ceil import ceil
from chainer.functions.math.clip import clip
from chainer.functions.math.digamma import digamma
from chainer.functions.math.erf import erf
from chainer.functions.math.erfc import erfc
from chainer.functions.math.erfcinv import erfcinv
from chainer.functions.math.erfcx import erfcx
from chainer.functions.math.erfinv import erfinv
from chainer.functions.math.exponential import exp, log, log2, log10
from chainer.functions.math.exponential_m1 import expm1
from chainer.functions.math.fix import fix
from chainer.functions.math.floor import floor
from chainer.functions.math.fmod import fmod
from chainer.functions.math.hyperbolic import cosh, sinh
from chainer.functions.math.identity import identity
from chainer.functions.math.lgamma import lgamma
from chainer.functions.math.log_ndtr import log_ndtr
from chainer.functions.math.logarithm_1p import log1p
from chainer.functions.math.maximum import maximum
from chainer.functions.math.minimum import minimum
from chainer.functions.math.ndtr import ndtr
from chainer.functions.math.ndtri import ndtri
from chainer.functions.math.polygamma import polygamma
from chainer.functions.math.sign import sign
from chainer.functions.math.sqrt import rsqrt, sqrt
from chainer.functions.math.square import square
from chainer.functions.math.trigonometric import arccos, arcsin, arctan, arctan2, cos, sin, tan
from chainer.functions.math.zeta import zeta

__all__ = ['absolute', 'add', 'ceil', 'exp', 'floor', 'identity', 'log', 'log10', 'log2',
           'sign',
           'arccos', 'arcsin', 'arctan', 'arctan2', 'arctanh', 'clip', 'cos', 'cosh',
           'digamma', 'erf', 'erfc', 'erfcinv', 'erfcx', 'erfinv', 'expm1', 'fix', 'fmod',
           'lgamma', 'log1p', 'log_ndtr', 'maximum', 'minimum', 'ndtr', 'ndtri', 'polygamma',
           'rsqrt', 'sin', 'sinh', 'sqrt', 'square', 'tan', 'zeta']
