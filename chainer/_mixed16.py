"""The ``mixed16`` pseudo dtype (float16 compute with float32 parameters)."""


import numpy


class _Mixed16:
    """``numpy.dtype(mixed16)`` is float16: the compute dtype of mixed precision."""

    __slots__ = ()
    dtype = numpy.dtype(numpy.float16)

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return hash('mixed16')

    def __repr__(self):
        return "dtype('mixed16')"

    __str__ = __repr__


mixed16 = _Mixed16()
