"""The table of converters: function class name -> converter."""
from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def patch_functions() -> Iterator[None]:
    """The context in which the functions of ``_patched`` are traced as one node
    each (a node named after the function, see :func:`fake_as_funcnode`) and those of
    ``_as_nodes`` as their Chainer node."""
    originals = [(module, name, getattr(module, name))
                 for module, name in _patched + tuple(p[:2] for p in _as_nodes)]
    try:
        for module, name, func in originals[:len(_patched)]:
            setattr(module, name, fake_as_funcnode(func, name, experimental_warning=False))
        for module, name, node_func in _as_nodes:
            setattr(module, name, node_func)
        yield
    finally:
        for module, name, func in originals:
            setattr(module, name, func)
