"""The table of converters: function class name -> converter."""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

import chainer.functions
from onnx_chainer import functions as _functions
from onnx_chainer.functions.converter import FunctionConverter
from onnx_chainer.replace_func import fake_as_funcnode

__all__ = ['FunctionConverter', 'converters', 'fake_as_funcnode', 'functions',
           'patch_functions']

#: ``{class name: converter}`` for every function with a built-in converter; each is
#: called with one :class:`~onnx_chainer.functions.converter.FunctionConverterParams`.
converters: dict = {
    name[len('convert_'):]: FunctionConverter(getattr(_functions, name))
    for name in _functions.__all__
}

#: The names of the functions with a built-in converter.
functions: list = sorted(converters)

#: Functions that make no FunctionNode, traced as one node each while exporting.
_patched = ((chainer.functions, 'sign'),)


def _roi_pooling_2d_node(x, rois, outh, outw, spatial_scale):
    from chainer.functions.pooling.roi_pooling_2d import ROIPooling2D
    return ROIPooling2D(outh, outw, spatial_scale).apply((x, rois))[0]


def _normalize_node(x, eps=1e-5, axis=1):
    from chainer.functions.normalization.l2_normalization import NormalizeL2
    return NormalizeL2(eps, axis).apply((x,))[0]


#: Functions computed by a composition, traced as their node (Chainer's class) so that
#: its converter (or its refusal) applies, not one for each part.
_as_nodes = ((chainer.functions, 'roi_pooling_2d', _roi_pooling_2d_node),
             (chainer.functions, 'normalize', _normalize_node))


# Exports under way in all threads, and the functions they replaced: the first
# export replaces them, the last puts them back (Chainer's, each putting back what
# it found, could leave another export's replacements in place for good).
_patching_lock = threading.Lock()
_n_patching = 0
_originals: list = []


@contextlib.contextmanager
def patch_functions() -> Iterator[None]:
    """The context in which the functions of ``_patched`` are traced as one node
    each (a node named after the function, see :func:`fake_as_funcnode`) and those of
    ``_as_nodes`` as their Chainer node."""
    global _n_patching
    with _patching_lock:
        if _n_patching == 0:
            _originals[:] = [(module, name, getattr(module, name))
                             for module, name in _patched + tuple(p[:2] for p in _as_nodes)]
            for module, name, func in _originals[:len(_patched)]:
                setattr(module, name, fake_as_funcnode(func, name, experimental_warning=False))
            for module, name, node_func in _as_nodes:
                setattr(module, name, node_func)
        _n_patching += 1
    try:
        yield
    finally:
        with _patching_lock:
            _n_patching -= 1
            if _n_patching == 0:
                for module, name, func in _originals:
                    setattr(module, name, func)
                _originals.clear()
