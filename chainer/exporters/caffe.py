"""Export a Chainer model's computation as a Caffe model (prototxt + caffemodel)."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import numpy

import chainer
from chainer import backend
from chainer import variable


def _caffe_pb():
    from chainer.links.caffe.caffe_function import _caffe_pb as load
    return load()


def _to_cpu(array: Any) -> numpy.ndarray:
    return numpy.asarray(backend.CpuDevice().send(array), dtype=numpy.float32)


def _set_blob(blob: Any, array: Any) -> None:
    a = _to_cpu(array)
    blob.shape.dim.extend(a.shape)
    blob.data.extend(a.ravel().tolist())


def _pair(value: Any) -> tuple:
    value = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    return int(value[0]), int(value[1])


def _caffe_pooled_size(size: int, k: int, s: int, p: int) -> int:
    """Caffe's pooling output size: rounded up, without a window that starts in
    the padding."""
    out = -(-(size + 2 * p - k) // s) + 1
    if p and (out - 1) * s >= size + p:
        out -= 1
    return out


class _Retriever:
    """Walks the graph of ``outputs`` and turns every function node into layers."""

    def __init__(self, pb: Any, export_params: bool) -> None:
        self.pb = pb
        self.export_params = export_params
        self.net = pb.NetParameter()
        self.blob_names: Dict[int, str] = {}
        self.counts: Dict[str, int] = {}

    def _layer_name(self, label: str) -> str:
        n = self.counts.get(label, 0)
        self.counts[label] = n + 1
        return f'{label}-{n}'

    def _blob(self, node: Any) -> str:
        return self.blob_names[id(node)]

    def _new_layer(self, typ: str, label: str, bottoms: List[Any], node: Any) -> Any:
        layer = self.net.layer.add(name=self._layer_name(label), type=typ)
        layer.bottom.extend(self._blob(b) for b in bottoms)
        for ref in node.outputs:
            out = ref()
            self.blob_names[id(out)] = layer.name
            layer.top.append(layer.name)
        return layer

    def _param(self, vnode: Any) -> Any:
        v = vnode.get_variable_or_none()
        if v is not None:
            return v.array
        return vnode.data

    def run(self, inputs: List[variable.Variable], outputs: List[variable.Variable]) -> Any:
        names = ['data'] if len(inputs) == 1 else [f'data{i}' for i in range(len(inputs))]
        for name, x in zip(names, inputs):
            self.blob_names[id(x.node)] = name
            self.net.input.append(name)
            self.net.input_shape.add().dim.extend(x.shape)
        order: List[Any] = []
        seen: set = set()

        def visit(vnode: Any) -> None:
            creator = vnode.creator_node
            if creator is None or id(creator) in seen:
                return
            seen.add(id(creator))
            for i in creator.inputs:
                visit(i)
            order.append(creator)

        for y in outputs:
            visit(y.node)
        for node in order:
            self._convert(node)
        return self.net

    # -- conversions ------------------------------------------------------

    def _convert(self, node: Any) -> None:
        kind = type(node).__name__
        handler = getattr(self, f'_convert_{kind}', None)
        if handler is None:
            raise NotImplementedError(
                f'{kind} cannot be exported to Caffe (supported: convolution, '
                'deconvolution, linear, max/average pooling, batch normalization in '
                'test mode, local response normalization, ReLU, LeakyReLU, sigmoid, '
                'tanh, softmax, reshape, concat, addition, dropout)')
        handler(node)

    def _conv_common(self, node: Any, typ: str, deconv: bool) -> None:
        x, W = node.inputs[:2]
        Wa = self._param(W)
        if Wa.ndim != 4:
            raise NotImplementedError('only 2-d convolutions can be exported to Caffe')
        layer = self._new_layer(typ, typ, [x], node)
        p = layer.convolution_param
        groups = int(getattr(node, 'groups', 1))
        p.num_output = Wa.shape[1] * groups if deconv else Wa.shape[0]
        p.kernel_h, p.kernel_w = Wa.shape[2:]
        p.stride_h, p.stride_w = _pair(node.stride)
        p.pad_h, p.pad_w = _pair(node.pad)
        dilate = _pair(getattr(node, 'dilate', 1))
        if dilate != (1, 1):
            p.dilation.extend(dilate)
        if groups != 1:
            p.group = groups
        p.bias_term = len(node.inputs) == 3
        if self.export_params:
            _set_blob(layer.blobs.add(), Wa)
            if p.bias_term:
                _set_blob(layer.blobs.add(), self._param(node.inputs[2]))

    def _convert_Convolution2DFunction(self, node: Any) -> None:
        if getattr(node, 'cover_all', False):
            raise NotImplementedError('convolutions with cover_all=True cannot be exported')
        self._conv_common(node, 'Convolution', deconv=False)

    def _convert_ConvolutionND(self, node: Any) -> None:
        self._convert_Convolution2DFunction(node)

    def _convert_Deconvolution2DFunction(self, node: Any) -> None:
        self._conv_common(node, 'Deconvolution', deconv=True)

    def _convert_DeconvolutionND(self, node: Any) -> None:
        self._convert_Deconvolution2DFunction(node)

    def _convert_LinearFunction(self, node: Any) -> None:
        x, W = node.inputs[:2]
        layer = self._new_layer('InnerProduct', 'InnerProduct', [x], node)
        Wa = self._param(W)
        p = layer.inner_product_param
        p.num_output = Wa.shape[0]
        p.bias_term = len(node.inputs) == 3
        if self.export_params:
            _set_blob(layer.blobs.add(), Wa)
            if p.bias_term:
                _set_blob(layer.blobs.add(), self._param(node.inputs[2]))

    def _pooling(self, node: Any, method: int) -> None:
        if len(node.ksize) != 2:
            raise NotImplementedError('only 2-d poolings can be exported to Caffe')
        x = node.inputs[0]
        y = node.outputs[0]()
        for size, out, k, st, pd in zip(x.shape[2:], y.shape[2:], _pair(node.ksize),
                                        _pair(node.stride), _pair(node.pad)):
            if _caffe_pooled_size(size, k, st, pd) != out:
                raise NotImplementedError(
                    f'this pooling gives {out} outputs of {size} inputs where Caffe '
                    f'(rounding up) gives {_caffe_pooled_size(size, k, st, pd)}: choose a '
                    'kernel, stride and pad that tile the input')
        layer = self._new_layer('Pooling', 'Pooling', [x], node)
        p = layer.pooling_param
        p.pool = method
        p.kernel_h, p.kernel_w = _pair(node.ksize)
        p.stride_h, p.stride_w = _pair(node.stride)
        p.pad_h, p.pad_w = _pair(node.pad)

    def _convert_MaxPoolingND(self, node: Any) -> None:
        self._pooling(node, self.pb.PoolingParameter.MAX)

    def _convert_MaxPooling2D(self, node: Any) -> None:
        self._convert_MaxPoolingND(node)

    def _convert_AveragePoolingND(self, node: Any) -> None:
        self._pooling(node, self.pb.PoolingParameter.AVE)

    def _convert_AveragePooling2D(self, node: Any) -> None:
        self._convert_AveragePoolingND(node)

    def _convert_FixedBatchNormalization(self, node: Any) -> None:
        x, gamma, beta, mean, var = node.inputs
        axis = tuple(node.axis)
        if axis != (0,) + tuple(range(2, len(x.shape))):
            raise NotImplementedError('batch normalization is exported only over axis 1')
        bn = self.net.layer.add(name=self._layer_name('BatchNorm'), type='BatchNorm')
        bn.bottom.append(self._blob(x))
        bn.top.append(bn.name)
        bn.batch_norm_param.use_global_stats = True
        bn.batch_norm_param.eps = node.eps
        if self.export_params:
            _set_blob(bn.blobs.add(), self._param(mean))
            _set_blob(bn.blobs.add(), self._param(var))
            _set_blob(bn.blobs.add(), numpy.ones(1, numpy.float32))
        scale = self._new_layer('Scale', 'Scale', [], node)
        scale.bottom.append(bn.name)
        scale.scale_param.axis = 1
        scale.scale_param.bias_term = True
        if self.export_params:
            _set_blob(scale.blobs.add(), self._param(gamma))
            _set_blob(scale.blobs.add(), self._param(beta))

    def _convert_LocalResponseNormalization(self, node: Any) -> None:
        p = self._simple(node, 'LRN').lrn_param
        p.norm_region = self.pb.LRNParameter.ACROSS_CHANNELS
        p.local_size = node.n
        p.k = node.k
        # Caffe divides alpha by local_size; Chainer's alpha is per element.
        p.alpha = node.alpha * node.n
        p.beta = node.beta

    def _simple(self, node: Any, typ: str) -> Any:
        return self._new_layer(typ, typ, list(node.inputs), node)

    def _convert_ReLU(self, node: Any) -> None:
        self._simple(node, 'ReLU')

    def _convert_LeakyReLU(self, node: Any) -> None:
        self._simple(node, 'ReLU').relu_param.negative_slope = node.slope

    def _convert_Sigmoid(self, node: Any) -> None:
        self._simple(node, 'Sigmoid')

    def _convert_Tanh(self, node: Any) -> None:
        self._simple(node, 'TanH')

    def _convert_Softmax(self, node: Any) -> None:
        self._simple(node, 'Softmax').softmax_param.axis = node.axis

    def _convert_Dropout(self, node: Any) -> None:
        self._simple(node, 'Dropout').dropout_param.dropout_ratio = node.dropout_ratio

    def _convert_Concat(self, node: Any) -> None:
        self._simple(node, 'Concat').concat_param.axis = node.axis

    def _convert_Add(self, node: Any) -> None:
        self._simple(node, 'Eltwise').eltwise_param.operation = self.pb.EltwiseParameter.SUM

    def _convert_Reshape(self, node: Any) -> None:
        layer = self._new_layer('Reshape', 'Reshape', [node.inputs[0]], node)
        out = node.outputs[0]()
        # Keep the batch axis symbolic so the model takes any batch size.
        layer.reshape_param.shape.dim.extend((0,) + tuple(out.shape[1:]))


def export(model: Any, args: Any, directory: Optional[str] = None,
           export_params: bool = True, graph_name: str = 'Graph') -> None:
    """Exports the computation of ``model(*args)`` as a Caffe model.

    The model is run once in test mode (``chainer.config.train = False``) and the
    graph from the inputs to the outputs is converted layer by layer.

    Args:
        model (callable): The model (a Chain or any callable returning Variables).
        args: Input array, Variable, or a list/tuple of them.
        directory (str): Where to write ``chainer_model.prototxt`` and
            ``chainer_model.caffemodel``; None writes nothing (the conversion
            still runs, so unsupported functions are reported).
        export_params (bool): Store the parameters in the caffemodel.
        graph_name (str): Name of the network.
    """
    net = _to_net(model, args, export_params, graph_name)
    if directory is None:
        return
    from google.protobuf import text_format

    from chainer.utils import _atomic

    prototxt = _caffe_pb().NetParameter()
    prototxt.CopyFrom(net)
    for layer in prototxt.layer:
        del layer.blobs[:]
    _atomic.write_text(os.path.join(directory, 'chainer_model.prototxt'),
                       text_format.MessageToString(prototxt))
    if export_params:
        _atomic.write_bytes(os.path.join(directory, 'chainer_model.caffemodel'),
                            net.SerializeToString())


def _to_net(model: Any, args: Any, export_params: bool, graph_name: str) -> Any:
    """The ``NetParameter`` message of ``model(*args)`` (with parameters when
    ``export_params``)."""
    pb = _caffe_pb()
    if not isinstance(args, (tuple, list)):
        args = (args,)
    inputs = [a if isinstance(a, variable.Variable) else variable.Variable(a) for a in args]
    with chainer.using_config('train', False), chainer.force_backprop_mode():
        out = model(*inputs)
    if isinstance(out, dict):
        outputs = list(out.values())
    elif isinstance(out, (tuple, list)):
        outputs = list(out)
    else:
        outputs = [out]
    net = _Retriever(pb, export_params).run(inputs, outputs)
    net.name = graph_name
    return net
