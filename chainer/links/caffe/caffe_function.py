"""CaffeFunction: a Chain built from a Caffe ``.caffemodel`` file."""
from __future__ import annotations

import functools
import os
import warnings
from typing import Any, Callable, Dict, Iterable, Optional, Sequence, Tuple

import numpy

import chainer
from chainer import functions as F
from chainer import link
from chainer.utils import argument


def _caffe_pb():
    try:
        from chainer.links.caffe.protobuf3 import caffe_pb2
    except ImportError as e:     # pragma: no cover - depends on the environment
        raise ImportError(
            'reading and writing Caffe models needs the protobuf package '
            '(pip install protobuf)') from e
    return caffe_pb2


def _blob_array(blob: Any, shape: Sequence[int] | None = None) -> numpy.ndarray:
    """The data of a ``BlobProto`` as a float32 array (of ``shape`` when given)."""
    if blob.double_data:
        data = numpy.asarray(blob.double_data, dtype=numpy.float64)
    else:
        data = numpy.asarray(blob.data, dtype=numpy.float32)
    if shape is None:
        if blob.shape.dim:
            shape = tuple(blob.shape.dim)
        else:
            shape = tuple(d for d in (blob.num, blob.channels, blob.height, blob.width))
    return data.astype(numpy.float32).reshape(shape)


def _block_diagonal(W: numpy.ndarray, groups: int) -> numpy.ndarray:
    """Caffe's grouped weight ``(A, B, kh, kw)`` as the ``(A, B * groups, kh, kw)``
    weight of one ungrouped convolution, zero outside the diagonal blocks (the
    layout Chainer's CaffeFunction gives, so that its ``.npz`` files load)."""
    if groups == 1:
        return W
    a, b = W.shape[:2]
    full = numpy.zeros((a, b * groups) + W.shape[2:], dtype=W.dtype)
    rows = a // groups
    for i in range(groups):
        full[i * rows:(i + 1) * rows, i * b:(i + 1) * b] = W[i * rows:(i + 1) * rows]
    return full


def _pair(repeated: Sequence[int], h: int, w: int, default: int) -> Tuple[int, int]:
    """A ``(h, w)`` pair from Caffe's ``repeated`` value or its ``_h``/``_w`` fields."""
    if h or w:
        return int(h), int(w)
    if len(repeated) == 0:
        return default, default
    if len(repeated) == 1:
        return int(repeated[0]), int(repeated[0])
    return int(repeated[0]), int(repeated[1])


class _CallChild:
    """Calls the child link ``name`` of ``caffe_func`` (looked up at call time, so
    copies and device transfers of the chain are followed)."""

    def __init__(self, caffe_func: 'CaffeFunction', name: str) -> None:
        self.caffe_func = caffe_func
        self.name = name

    def __call__(self, *xs: Any) -> Any:
        return self.caffe_func[self.name](*xs)


def _in_test_mode(func: Callable) -> Callable:
    """``func`` run under ``chainer.config.train = False``."""
    def call(*xs: Any) -> Any:
        with chainer.using_config('train', False):
            return func(*xs)
    return call


class _ScaleByBlob:
    """Eltwise layer with coefficients: ``sum(c_i * x_i)``."""

    def __init__(self, coeffs: Sequence[float]) -> None:
        self.coeffs = list(coeffs)

    def __call__(self, *xs: Any) -> Any:
        y = None
        for c, x in zip(self.coeffs, xs):
            t = x * c
            y = t if y is None else y + t
        return y


def _eltwise_prod(*xs: Any) -> Any:
    return functools.reduce(lambda a, b: a * b, xs)


def _eltwise_max(*xs: Any) -> Any:
    return functools.reduce(F.maximum, xs)


def _eltwise_sum(*xs: Any) -> Any:
    return functools.reduce(lambda a, b: a + b, xs)


def _global_pooling(pool: Callable, x: Any) -> Any:
    return pool(x, ksize=tuple(x.shape[2:]))


def _reshape(dims: Sequence[int], x: Any) -> Any:
    shape = [x.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    return F.reshape(x, tuple(shape))


class CaffeFunction(link.Chain):
    """A network read from a Caffe model (``.caffemodel``, binary protocol buffer).

    Supported layers (others, Input among them, are skipped with a warning):
    BatchNorm, Concat, Convolution, Data, Deconvolution, Dropout, Eltwise,
    InnerProduct, LRN (across channels), Pooling (max/average, global), ReLU,
    Reshape, Scale, Sigmoid, Slice, Softmax, SoftmaxWithLoss, Split and TanH, in
    the current format and in the pre-2015 one (``layers``). Layers with
    parameters become child links named after the layer, so
    ``func['conv1/7x7_s2'].W`` is that layer's weight; grouped convolutions
    become one convolution whose weight is zero outside the groups' blocks.

    Args:
        model_path (str): Path to the ``.caffemodel`` file.

    Attributes:
        forwards (dict): Layer name to the callable that runs it.
        layers (list): ``(layer name, bottom blob names, top blob names)`` in file order.
    """

    def __init__(self, model_path: str | os.PathLike) -> None:
        super().__init__()
        caffe_pb2 = _caffe_pb()
        net = caffe_pb2.NetParameter()
        with open(model_path, 'rb') as f:
            net.MergeFromString(f.read())
        self.forwards: Dict[str, Callable] = {}
        self.split_map: Dict[str, str] = {}
        self.layers: list = []
        self._pb = caffe_pb2
        if net.layer:
            for layer in net.layer:
                setup = _SETUP.get(layer.type)
                if setup is None:
                    warnings.warn(f'Skip the layer "{layer.name}", since CaffeFunction '
                                  f'does not support {layer.type} layer')
                    continue
                setup(self, layer)
        else:
            # Models written before 2015 keep their layers in ``layers``, typed by
            # an enum (VGG's published caffemodels are among them).
            layer_type = caffe_pb2.V1LayerParameter.LayerType
            for layer in net.layers:
                setup = _SETUP.get(_V1_TYPES.get(layer_type.Name(layer.type), ''))
                if setup is None:
                    warnings.warn(f'Skip the layer "{layer.name}", since CaffeFunction '
                                  'does not support it')
                    continue
                setup(self, layer)
        del self._pb

    def forward(self, inputs: Dict[str, Any], outputs: Iterable[str],
                disable: Iterable[str] = (), **kwargs: Any) -> tuple:
        """Runs the network.

        Args:
            inputs (dict): Blob name to the input array or Variable.
            outputs (list of str): Names of the blobs to return.
            disable (iterable of str): Layer names to skip.

        Returns:
            tuple: The Variables of the ``outputs`` blobs.
        """
        argument.check_unexpected_kwargs(
            kwargs, train='train argument is not supported anymore. '
            'Use chainer.using_config')
        argument.assert_kwargs_empty(kwargs)
        variables = dict(inputs)
        disabled = set(disable)
        for name, bottom, top in self.layers:
            if name in disabled or name not in self.forwards:
                continue
            if any(b not in variables for b in bottom):
                continue
            ys = self.forwards[name](*[variables[b] for b in bottom])
            if not isinstance(ys, (tuple, list)):
                ys = (ys,)
            for blob, y in zip(top, ys):
                variables[blob] = y
        self.variables = variables
        return tuple(variables[blob] for blob in outputs)

    # -- layer setup --------------------------------------------------------

    def _add_layer(self, layer: Any) -> None:
        bottom = [self.split_map.get(b, b) for b in layer.bottom]
        self.layers.append((layer.name, bottom, list(layer.top)))

    def _add_child(self, layer: Any, child: link.Link, call: Optional[Callable] = None) -> None:
        self.add_link(layer.name, child)
        self.forwards[layer.name] = call or _CallChild(self, layer.name)
        self._add_layer(layer)

    def _add_function(self, layer: Any, func: Callable) -> None:
        self.forwards[layer.name] = func
        self._add_layer(layer)

    def _setup_convolution(self, layer: Any, deconv: bool = False) -> None:
        p = layer.convolution_param
        ksize = _pair(p.kernel_size, p.kernel_h, p.kernel_w, 1)
        stride = _pair(p.stride, p.stride_h, p.stride_w, 1)
        pad = _pair(p.pad, p.pad_h, p.pad_w, 0)
        dilate = _pair(p.dilation, 0, 0, 1)
        W = _block_diagonal(_blob_array(layer.blobs[0]), int(p.group) or 1)
        if deconv:
            child = chainer.links.Deconvolution2D(
                W.shape[0], W.shape[1], ksize, stride=stride, pad=pad,
                nobias=not p.bias_term, initialW=W, dilate=dilate)
        else:
            child = chainer.links.Convolution2D(
                W.shape[1], W.shape[0], ksize, stride=stride, pad=pad,
                nobias=not p.bias_term, initialW=W, dilate=dilate)
        if p.bias_term:
            child.b.array[...] = _blob_array(layer.blobs[1], child.b.shape)
        self._add_child(layer, child)

    def _setup_deconvolution(self, layer: Any) -> None:
        self._setup_convolution(layer, deconv=True)

    def _setup_inner_product(self, layer: Any) -> None:
        p = layer.inner_product_param
        if p.axis != 1:
            raise RuntimeError('InnerProduct layers with axis != 1 are not supported')
        W = _blob_array(layer.blobs[0])
        W = W.reshape(W.shape[-2:]) if W.ndim > 2 else W
        if p.transpose:
            W = W.T
        out_size, in_size = W.shape
        child = chainer.links.Linear(in_size, out_size, nobias=not p.bias_term,
                                     initialW=W.copy())
        if p.bias_term:
            child.b.array[...] = _blob_array(layer.blobs[1], (out_size,))
        self._add_child(layer, child)

    def _setup_batch_norm(self, layer: Any) -> None:
        p = layer.batch_norm_param
        mean = _blob_array(layer.blobs[0])
        mean = mean.reshape(mean.size)
        var = _blob_array(layer.blobs[1]).reshape(mean.size)
        factor = float(_blob_array(layer.blobs[2]).ravel()[0]) if len(layer.blobs) > 2 else 1.0
        factor = 0.0 if factor == 0 else 1.0 / factor
        child = chainer.links.BatchNormalization(
            mean.size, decay=p.moving_average_fraction, eps=p.eps,
            use_gamma=False, use_beta=False)
        child.avg_mean[...] = mean * factor
        child.avg_var[...] = var * factor
        call = _CallChild(self, layer.name)
        self._add_child(layer, child, _in_test_mode(call) if p.use_global_stats else call)

    def _setup_scale(self, layer: Any) -> None:
        p = layer.scale_param
        if len(layer.bottom) == 2:
            shape = _blob_array(layer.blobs[0]).shape if p.bias_term else None
            child = chainer.links.Scale(axis=p.axis, bias_term=p.bias_term, bias_shape=shape)
            if p.bias_term:
                child.bias.b.array[...] = _blob_array(layer.blobs[0])
            self._add_child(layer, child)
            return
        W = _blob_array(layer.blobs[0])
        W = W.reshape(W.shape if W.ndim else (1,))
        child = chainer.links.Scale(axis=p.axis, W_shape=W.shape, bias_term=p.bias_term)
        child.W.array[...] = W
        if p.bias_term:
            child.bias.b.array[...] = _blob_array(layer.blobs[1], W.shape)
        self._add_child(layer, child)

    def _setup_pooling(self, layer: Any) -> None:
        p = layer.pooling_param
        if p.pool == self._pb.PoolingParameter.MAX:
            pool = F.max_pooling_2d
        elif p.pool == self._pb.PoolingParameter.AVE:
            pool = F.average_pooling_2d
        else:
            raise RuntimeError('stochastic pooling is not supported')
        if p.global_pooling:
            self._add_function(layer, functools.partial(_global_pooling, pool))
            return
        ksize = (p.kernel_h, p.kernel_w) if p.kernel_h or p.kernel_w else p.kernel_size
        stride = (p.stride_h, p.stride_w) if p.stride_h or p.stride_w else p.stride
        pad = (p.pad_h, p.pad_w) if p.pad_h or p.pad_w else p.pad
        self._add_function(layer, functools.partial(pool, ksize=ksize, stride=stride,
                                                    pad=pad))

    def _setup_lrn(self, layer: Any) -> None:
        p = layer.lrn_param
        if p.norm_region != self._pb.LRNParameter.ACROSS_CHANNELS:
            raise RuntimeError('only LRN across channels is supported')
        n = p.local_size
        self._add_function(layer, functools.partial(
            F.local_response_normalization, n=n, k=p.k, alpha=p.alpha / n, beta=p.beta))

    def _setup_relu(self, layer: Any) -> None:
        slope = layer.relu_param.negative_slope
        self._add_function(layer, F.relu if slope == 0 else functools.partial(
            F.leaky_relu, slope=slope))

    def _setup_softmax(self, layer: Any) -> None:
        self._add_function(layer, functools.partial(F.softmax, axis=layer.softmax_param.axis))

    def _setup_softmax_with_loss(self, layer: Any) -> None:
        if layer.softmax_param.axis != 1:
            raise RuntimeError('SoftmaxWithLoss is supported only along axis 1')
        self._add_function(layer, F.softmax_cross_entropy)

    def _setup_concat(self, layer: Any) -> None:
        p = layer.concat_param
        axis = p.axis if p.HasField('axis') or not p.HasField('concat_dim') else p.concat_dim
        self._add_function(layer, lambda *xs: F.concat(xs, axis=axis))

    def _setup_dropout(self, layer: Any) -> None:
        self._add_function(layer, functools.partial(
            F.dropout, ratio=layer.dropout_param.dropout_ratio))

    def _setup_eltwise(self, layer: Any) -> None:
        p = layer.eltwise_param
        op = p.operation
        if op == self._pb.EltwiseParameter.PROD:
            func = _eltwise_prod
        elif op == self._pb.EltwiseParameter.MAX:
            func = _eltwise_max
        elif p.coeff:
            func = _ScaleByBlob(p.coeff)
        else:
            func = _eltwise_sum
        self._add_function(layer, func)

    def _setup_reshape(self, layer: Any) -> None:
        p = layer.reshape_param
        if p.axis != 0 or p.num_axes != -1:
            raise RuntimeError('Reshape layers are supported only over all axes')
        self._add_function(layer, functools.partial(_reshape, list(p.shape.dim)))

    def _setup_slice(self, layer: Any) -> None:
        p = layer.slice_param
        axis = p.axis if p.HasField('axis') or not p.HasField('slice_dim') else p.slice_dim
        points = list(p.slice_point)
        n_out = len(layer.top)
        sections = points if points else n_out
        self._add_function(layer, functools.partial(F.split_axis, indices_or_sections=sections,
                                                    axis=axis))

    def _setup_split(self, layer: Any) -> None:
        for top in layer.top:
            self.split_map[top] = layer.bottom[0]

    def _setup_skip(self, layer: Any) -> None:
        """Layers that feed data in (inputs come from ``forward``'s argument)."""

    def _setup_simple(self, func: Callable, layer: Any) -> None:
        self._add_function(layer, func)


_SETUP: Dict[str, Callable[[CaffeFunction, Any], None]] = {
    'BatchNorm': CaffeFunction._setup_batch_norm,
    'Concat': CaffeFunction._setup_concat,
    'Convolution': CaffeFunction._setup_convolution,
    'Data': CaffeFunction._setup_skip,
    'Deconvolution': CaffeFunction._setup_deconvolution,
    'Dropout': CaffeFunction._setup_dropout,
    'Eltwise': CaffeFunction._setup_eltwise,
    'InnerProduct': CaffeFunction._setup_inner_product,
    'LRN': CaffeFunction._setup_lrn,
    'Pooling': CaffeFunction._setup_pooling,
    'ReLU': CaffeFunction._setup_relu,
    'Reshape': CaffeFunction._setup_reshape,
    'Scale': CaffeFunction._setup_scale,
    'Sigmoid': lambda self, layer: self._setup_simple(F.sigmoid, layer),
    'Slice': CaffeFunction._setup_slice,
    'Softmax': CaffeFunction._setup_softmax,
    'SoftmaxWithLoss': CaffeFunction._setup_softmax_with_loss,
    'Split': CaffeFunction._setup_split,
    'TanH': lambda self, layer: self._setup_simple(F.tanh, layer),
}

# Names of the pre-2015 layer types, as the types of _SETUP.
_V1_TYPES = {
    'CONCAT': 'Concat', 'CONVOLUTION': 'Convolution', 'DATA': 'Data',
    'DECONVOLUTION': 'Deconvolution', 'DROPOUT': 'Dropout', 'ELTWISE': 'Eltwise',
    'INNER_PRODUCT': 'InnerProduct', 'LRN': 'LRN', 'POOLING': 'Pooling', 'RELU': 'ReLU',
    'SIGMOID': 'Sigmoid', 'SLICE': 'Slice', 'SOFTMAX': 'Softmax',
    'SOFTMAX_LOSS': 'SoftmaxWithLoss', 'SPLIT': 'Split', 'TANH': 'TanH',
}
