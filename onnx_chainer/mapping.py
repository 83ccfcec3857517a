"""The table of converters: function class name -> converter."""
from __future__ import annotations

from onnx_chainer import functions as _functions
from onnx_chainer.functions.converter import FunctionConverter
from onnx_chainer.replace_func import fake_as_funcnode

__all__ = ['FunctionConverter', 'converters', 'fake_as_funcnode', 'functions',
           'patch_functions']

#: ``{class name: converter}`` for every function with a built-in converter.
converters: dict = {
    name[len('convert_'):]: getattr(_functions, name) for name in _functions.__all__
}

#: The names of the functions with a built-in converter.
functions: list = sorted(converters)

#: Functions to be replaced by single graph nodes while exporting (none built in:
#: every function here is a FunctionNode of its own).
patch_functions: dict = {}
