"""Export a Chainer model's computation as a Caffe model (prototxt + caffemodel)."""
from __future__ import annotations

import heapq
import os
from typing import Any, Dict, List, Optional, Tuple

import numpy

import chainer
from chainer import backend
from chainer import variable
from chainer.utils import conv_nd


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
    return conv_nd.as_tuple(value, 2)


def _caffe_pooled_size(size: int, k: int, s: int, p: int) -> int:
    """Caffe's pooling output size: rounded up, without a window that starts in
    the padding."""
    out = -(-(size + 2 * p - k) // s) + 1
    if p and (out - 1) * s >= size + p:
        out -= 1
    return out


def _layer_order(outputs: List[Any]) -> List[Any]:
    """The function nodes computing ``outputs`` (variable nodes), inputs first, in
    the order Chainer 7.8.1's exporter wrote them (which also fixes the ``-n``
    of the layer names).

    Walking back from the outputs, the next node taken is the newest one found
    that is the only creator among its consumer's inputs and feeds nothing else
    (so a chain of such nodes is taken in one go); failing that, the highest
    ranked one, the newest first among equal ranks. The reversed walk is the
    order."""
    feeds: Dict[int, int] = {}  # id(node) -> inputs (and outputs) it feeds
    stack = [v.creator_node for v in outputs]
    for node in stack:
        if node is None:
            continue
        if id(node) not in feeds:
            feeds[id(node)] = 0
            stack.extend(i.creator_node for i in node.inputs)
        feeds[id(node)] += 1

    walk: List[Any] = []
    heap: List[tuple] = []
    found: set = set()

    def push(vnodes: Any) -> None:
        creators = [v.creator_node for v in vnodes if v.creator_node is not None]
        for node in creators:
            if id(node) in found:
                continue
            newest = -len(found)
            chained = feeds[id(node)] == 1 and len(creators) == 1
            heapq.heappush(heap, (newest if chained else 1, -node.rank, newest, node))
            found.add(id(node))

    push(outputs)
    while heap:
        node = heapq.heappop(heap)[3]
        walk.append(node)
        push(node.inputs)
    walk.reverse()
    return walk


class _Retriever:
    """Walks the graph of ``outputs`` and turns every function node into layers."""

    def __init__(self, pb: Any, export_params: bool) -> None:
        self.pb = pb
        self.export_params = export_params
        self.net = pb.NetParameter()
        self.blob_names: Dict[int, str] = {}
        self.numbers: Dict[str, Dict[int, int]] = {}
        # (layer, name of its parameter message or None, parameters in the
        # order the prototxt lists them)
        self.texts: List[Tuple[Any, Optional[str], Dict[str, Any]]] = []

    def _node_name(self, node: Any) -> str:
        """Chainer's layer name: ``<label>-<rank>-<n>``, ``n`` counting the nodes
        of that label and rank from 1."""
        key = f'{node.label}-{node.rank}'
        numbers = self.numbers.setdefault(key, {})
        n = numbers.setdefault(id(node), len(numbers) + 1)
        return f'{key}-{n}'

    def _blob(self, node: Any) -> str:
        try:
            return self.blob_names[id(node)]
        except KeyError:
            raise NotImplementedError(
                'a layer takes a variable that is neither an input nor computed from '
                'one (a parameter used as data?), which Caffe cannot express') from None

    def _new_layer(self, typ: str, bottoms: List[Any], node: Any,
                   param_name: Optional[str] = None, params: Optional[Dict[str, Any]] = None,
                   name: Optional[str] = None) -> Any:
        layer = self.net.layer.add(name=name or self._node_name(node), type=typ,
                                   phase=self.pb.TEST)
        layer.bottom.extend(self._blob(b) for b in bottoms)
        for ref in node.outputs:
            out = ref()
            self.blob_names[id(out)] = layer.name
            layer.top.append(layer.name)
        params = params or {}
        if param_name is not None:
            _set_fields(getattr(layer, param_name), params)
        self.texts.append((layer, param_name, params))
        return layer

    def _param(self, vnode: Any) -> Any:
        v = vnode.get_variable_or_none()
        if v is not None:
            return v.array
        return vnode.data

    def run(self, inputs: List[variable.Variable], outputs: List[variable.Variable]) -> Any:
        names = ['data'] if len(inputs) == 1 else [f'data{i}' for i in range(len(inputs))]
        self.inputs = [(name, tuple(x.shape)) for name, x in zip(names, inputs)]
        for name, x in zip(names, inputs):
            self.blob_names[id(x.node)] = name
        for node in _layer_order([y.node for y in outputs]):
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
        groups = int(getattr(node, 'groups', 1))
        (pad_h, pad_w), (stride_h, stride_w) = _pair(node.pad), _pair(node.stride)
        params = {
            'num_output': Wa.shape[1] * groups if deconv else Wa.shape[0],
            'bias_term': len(node.inputs) == 3,
            'pad_w': pad_w, 'pad_h': pad_h, 'stride_w': stride_w, 'stride_h': stride_h,
            'kernel_w': Wa.shape[3], 'kernel_h': Wa.shape[2], 'group': groups,
        }
        dilate = _pair(getattr(node, 'dilate', 1))
        if dilate != (1, 1):
            params['dilation'] = list(dilate)
        layer = self._new_layer(typ, [x], node, 'convolution_param', params)
        if self.export_params:
            _set_blob(layer.blobs.add(), Wa)
            if params['bias_term']:
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
        Wa = self._param(W)
        params = {'num_output': Wa.shape[0], 'bias_term': len(node.inputs) == 3}
        layer = self._new_layer('InnerProduct', [x], node, 'inner_product_param', params)
        if self.export_params:
            _set_blob(layer.blobs.add(), Wa)
            if params['bias_term']:
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
        (kernel_h, kernel_w), (stride_h, stride_w) = _pair(node.ksize), _pair(node.stride)
        pad_h, pad_w = _pair(node.pad)
        params = {'pool': int(method), 'pad_w': pad_w, 'pad_h': pad_h, 'stride_w': stride_w,
                  'stride_h': stride_h, 'kernel_w': kernel_w, 'kernel_h': kernel_h}
        self._new_layer('Pooling', [x], node, 'pooling_param', params)

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
        # Caffe splits it in two layers: the statistics (named <name>_bn), then
        # the scale and shift (named <name>).
        name = self._node_name(node)
        bn = self._new_layer('BatchNorm', [x], node, 'batch_norm_param',
                             {'use_global_stats': True, 'eps': node.eps}, name=f'{name}_bn')
        if self.export_params:
            _set_blob(bn.blobs.add(), self._param(mean))
            _set_blob(bn.blobs.add(), self._param(var))
            _set_blob(bn.blobs.add(), numpy.ones(1, numpy.float32))
        scale = self._new_layer('Scale', [], node, 'scale_param',
                                {'axis': 1, 'bias_term': True}, name=name)
        scale.bottom.append(bn.name)
        if self.export_params:
            _set_blob(scale.blobs.add(), self._param(gamma))
            _set_blob(scale.blobs.add(), self._param(beta))

    def _convert_LocalResponseNormalization(self, node: Any) -> None:
        # Caffe divides alpha by local_size; Chainer's alpha is per element.
        self._simple(node, 'LRN', 'lrn_param', {
            'norm_region': int(self.pb.LRNParameter.ACROSS_CHANNELS), 'local_size': node.n,
            'k': node.k, 'alpha': node.alpha * node.n, 'beta': node.beta})

    def _simple(self, node: Any, typ: str, param_name: Optional[str] = None,
                params: Optional[Dict[str, Any]] = None) -> Any:
        return self._new_layer(typ, list(node.inputs), node, param_name, params)

    def _convert_ReLU(self, node: Any) -> None:
        self._simple(node, 'ReLU')

    def _convert_LeakyReLU(self, node: Any) -> None:
        self._simple(node, 'ReLU', 'relu_param', {'negative_slope': node.slope})

    def _convert_Sigmoid(self, node: Any) -> None:
        self._simple(node, 'Sigmoid')

    def _convert_Tanh(self, node: Any) -> None:
        self._simple(node, 'TanH')

    def _convert_Softmax(self, node: Any) -> None:
        # Caffe's default axis is 1; another one is written out.
        if node.axis == 1:
            self._simple(node, 'Softmax')
        else:
            self._simple(node, 'Softmax', 'softmax_param', {'axis': node.axis})

    def _convert_Dropout(self, node: Any) -> None:
        self._simple(node, 'Dropout', 'dropout_param', {'dropout_ratio': node.dropout_ratio})

    def _convert_Concat(self, node: Any) -> None:
        self._simple(node, 'Concat', 'concat_param', {'axis': node.axis})

    def _convert_Add(self, node: Any) -> None:
        self._simple(node, 'Eltwise')    # Caffe's default operation is SUM

    def _convert_Reshape(self, node: Any) -> None:
        # A reshape of a reshape reads the first one's input (as Chainer wrote
        # it; the shape is explicit, so the values are the same).
        x = node.inputs[0]
        if type(x.creator_node).__name__ == 'Reshape':
            x = x.creator_node.inputs[0]
        self._new_layer('Reshape', [x], node, 'reshape_param',
                        {'shape': {'dim': [int(d) for d in node.shape]}})

    def prototxt(self, graph_name: str) -> str:
        """The network as Chainer's exporter wrote it: an Input layer per input,
        then the layers, with their parameters in a fixed order."""
        lines = [f'name: "{graph_name}"\n']
        for name, shape in self.inputs:
            dims = ''.join(f' dim: {d}' for d in shape)
            lines.append(f'layer {{\n  name: "{name}"\n  type: "Input"\n  top: "{name}"\n'
                         f'  input_param {{ shape: {{{dims} }} }}\n}}\n')
        for layer, param_name, params in self.texts:
            fields: Dict[str, Any] = {'type': layer.type, 'name': layer.name,
                                      'bottom': list(layer.bottom), 'top': list(layer.top)}
            if param_name is not None:
                fields[param_name] = params
            lines.append(_text_block('layer', fields, 0))
        return ''.join(lines)


def _set_fields(message: Any, params: Dict[str, Any]) -> None:
    for key, value in params.items():
        if isinstance(value, dict):
            _set_fields(getattr(message, key), value)
        elif isinstance(value, list):
            getattr(message, key).extend(value)
        else:
            setattr(message, key, value)


def _text_value(value: Any) -> str:
    if isinstance(value, (bool, numpy.bool_)):
        return 'true' if value else 'false'
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _text_block(name: str, value: Any, depth: int) -> str:
    """``name: value`` lines, or a ``name { ... }`` block for a dict, indented
    by two spaces a level (a list gives one line per element)."""
    indent = '  ' * depth
    if isinstance(value, dict):
        inner = ''.join(_text_block(k, v, depth + 1) for k, v in value.items())
        return f'{indent}{name} {{\n{inner}{indent}}}\n'
    if isinstance(value, list):
        return ''.join(_text_block(name, v, depth) for v in value)
    return f'{indent}{name}: {_text_value(value)}\n'


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
    retriever = _retrieve(model, args, export_params)
    if directory is None:
        return
    from chainer.utils import _atomic

    # Both files are written to temporaries before either is renamed into place,
    # so a failure (a directory in the way, a full disk) leaves neither written.
    contents = [('chainer_model.prototxt', retriever.prototxt(graph_name).encode('utf-8'))]
    if export_params:
        contents.append(('chainer_model.caffemodel', retriever.net.SerializeToString()))
    _atomic.write_together([(os.path.join(directory, name), data) for name, data in contents])


def _retrieve(model: Any, args: Any, export_params: bool) -> _Retriever:
    """The layers of ``model(*args)`` (with parameters when ``export_params``)."""
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
    retriever = _Retriever(_caffe_pb(), export_params)
    retriever.run(inputs, outputs)
    return retriever
