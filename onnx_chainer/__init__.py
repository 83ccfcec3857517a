"""Export rechainer models to ONNX (``pip install 'rechainer[onnx]'``).

:func:`export` traces a model's forward and converts every function call to
ONNX operators; :func:`export_testcase` also writes inputs and outputs as ONNX
test data.
"""
from onnx_chainer import functions  # NOQA
from onnx_chainer.export import MAXIMUM_OPSET_VERSION, MINIMUM_OPSET_VERSION  # NOQA
from onnx_chainer.export import convert_parameter, export  # NOQA
from onnx_chainer.export_testcase import export_testcase  # NOQA
from onnx_chainer.replace_func import as_funcnode, fake_as_funcnode  # NOQA

__all__ = ['MAXIMUM_OPSET_VERSION', 'MINIMUM_OPSET_VERSION', 'as_funcnode',
           'convert_parameter', 'export', 'export_testcase', 'fake_as_funcnode']
