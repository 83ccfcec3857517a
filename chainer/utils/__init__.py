"""Small array utilities shared across the package."""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

import numpy

if TYPE_CHECKING:
    from collections.abc import Iterator

    from chainer.types import DTypeSpec


_SCALAR_TYPES = (numpy.generic, int, float, complex)


def force_array(x: Any, dtype: DTypeSpec | None = None) -> Any:
    """Returns ``x`` as an array (NumPy scalars become 0-d arrays)."""
    if type(x) is numpy.ndarray:  # the common case
        if dtype is None or x.dtype == dtype:
            return x
        return x.astype(dtype, copy=False)
    if isinstance(x, _SCALAR_TYPES):
        return numpy.asarray(x, dtype=dtype)
    if dtype is not None and x.dtype != dtype:
        return x.astype(dtype, copy=False)
    return x


def force_type(dtype: DTypeSpec, value: Any) -> Any:
    """Casts ``value`` (scalar or array) to ``dtype``."""
    if numpy.isscalar(value):
        return dtype.type(value)
    if value.dtype != dtype:
        return value.astype(dtype, copy=False)
    return value


@contextlib.contextmanager
def tempdir(**kwargs: Any) -> Iterator[str]:
    """A temporary directory that is removed on exit."""
    ignore_errors = kwargs.pop('ignore_errors', False)
    temp_dir = tempfile.mkdtemp(**kwargs)
    try:
        yield temp_dir
    finally:
        shutil.rmtree(temp_dir, ignore_errors=ignore_errors)


from chainer.utils.array import size_of_shape, sum_to  # NOQA: E402,F401
from chainer.utils.sparse import CooMatrix, get_order, to_coo  # NOQA: E402,F401
from chainer.utils._final import enable_final, final  # NOQA: E402,F401
from chainer.utils.experimental import experimental, nondeterministic  # NOQA: E402,F401
from chainer.utils.walker_alias import WalkerAlias  # NOQA: E402,F401
from chainer.utils.conv import get_conv_outsize, get_deconv_outsize  # NOQA: E402,F401
# Chainer's module layout and the names libraries read from it.
import collections.abc as collections_abc  # NOQA: E402,F401
from chainer.utils import argument  # NOQA: E402,F401
from chainer.utils import array  # NOQA: E402,F401
from chainer.utils import cache  # NOQA: E402,F401
from chainer.utils import conv  # NOQA: E402,F401
from chainer.utils import error  # NOQA: E402,F401
from chainer.utils import imgproc  # NOQA: E402,F401
from chainer.utils import meta  # NOQA: E402,F401
from chainer.utils import precision  # NOQA: E402,F401
from chainer.utils import sparse  # NOQA: E402,F401
from chainer.utils import type_check  # NOQA: E402,F401
from chainer.utils import walker_alias  # NOQA: E402,F401
# ``experimental`` and ``nondeterministic`` are both submodules and the
# functions they hold; loading the submodules first keeps the functions bound.
import chainer.utils.nondeterministic  # NOQA: E402,F401
from chainer.utils.experimental import experimental, nondeterministic  # NOQA: E402,F401,F811
