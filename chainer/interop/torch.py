"""A bridge to PyTorch (``pip install torch``; not a dependency of rechainer).

* :class:`TorchModule`: a Link running a ``torch.nn.Module``; its parameters are
  rechainer Parameters (the module's own ones are placeholders), so rechainer
  optimizers, serializers and the Trainer handle them, and gradients flow through
  the module in both directions.
* :class:`ChainerModule`: a ``torch.nn.Module`` running a rechainer Link; its torch
  parameters share memory with the Link's Parameters.
* :func:`copy_params_to_torch` / :func:`copy_params_from_torch`: copy the
  parameters of matching Linear, Convolution2D, Deconvolution2D,
  BatchNormalization and LSTM layers, converting layouts where they differ.

Arrays cross through DLPack without copies on the CPU and on CUDA (with CuPy).
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy

import chainer
from chainer import backend, function_node

__all__ = ['ChainerModule', 'TorchModule', 'copy_params_from_torch', 'copy_params_to_torch',
           'from_torch', 'to_torch']


def _torch():
    try:
        return importlib.import_module('torch')
    except ImportError as e:
        raise ImportError('chainer.interop.torch needs PyTorch: pip install torch') from e


def to_torch(array: Any) -> Any:
    """A torch tensor sharing the memory of ``array`` (a Variable or array).

    A read-only or non-contiguous array is copied first (DLPack cannot share it).
    """
    torch = _torch()
    if isinstance(array, chainer.Variable):
        array = array.array
    xp = backend.get_array_module(array)
    if not array.flags.c_contiguous or (xp is numpy and not array.flags.writeable):
        array = xp.array(array, copy=True, order='C')
    return torch.from_dlpack(array)


def from_torch(tensor: Any) -> Any:
    """A NumPy/CuPy array sharing the memory of ``tensor`` (detached from its graph)."""
    tensor = tensor.detach()
    if not tensor.is_contiguous():
        tensor = tensor.contiguous()
    return backend.from_dlpack(tensor)


class _TorchCall(function_node.FunctionNode):
    """Runs ``module`` on torch views of the inputs; parameters are inputs too."""

    def __init__(self, module: Any, param_names: list, n_args: int, train: bool) -> None:
        self.module = module
        self.param_names = param_names
        self.n_args = n_args
        self.train = train

    def forward(self, inputs):
        torch = _torch()
        from torch.func import functional_call
        grad = chainer.config.enable_backprop
        tensors = []
        for x in inputs:
            t = to_torch(x)
            if grad and t.is_floating_point():
                t = t.detach().requires_grad_(True)
            tensors.append(t)
        args = tensors[:self.n_args]
        params = dict(zip(self.param_names, tensors[self.n_args:]))
        self.module.train(self.train)
        with torch.set_grad_enabled(grad):
            outs = functional_call(self.module, params, tuple(args))
        if not isinstance(outs, (tuple, list)):
            outs = (outs,)
        self._torch_inputs = tensors
        self._torch_outputs = tuple(outs)
        return tuple(from_torch(y) for y in outs)

    def backward(self, indexes, grad_outputs):
        grad = _TorchCallGrad(self._torch_inputs, self._torch_outputs, indexes)
        gxs = grad.apply(tuple(grad_outputs))
        result = [None] * len(self.inputs)
        for i, g in zip(indexes, gxs):
            result[i] = g
        return tuple(result)


class _TorchCallGrad(function_node.FunctionNode):
    """Input gradients of a :class:`_TorchCall` by ``torch.autograd.grad``."""

    def __init__(self, torch_inputs: list, torch_outputs: tuple, indexes: tuple) -> None:
        self.torch_inputs = torch_inputs
        self.torch_outputs = torch_outputs
        self.indexes = tuple(indexes)

    def forward(self, grad_outputs):
        torch = _torch()
        outs, gys = [], []
        for y, gy in zip(self.torch_outputs, grad_outputs):
            if gy is None or not y.requires_grad:
                continue
            outs.append(y)
            gys.append(to_torch(gy))
        targets = [self.torch_inputs[i] for i in self.indexes]
        wanted = [t for t in targets if t.requires_grad]
        grads = torch.autograd.grad(outs, wanted, gys, retain_graph=True,
                                    allow_unused=True) if outs and wanted else ()
        grads = iter(grads)
        result = []
        for t in targets:
            g = next(grads) if t.requires_grad else None
            if g is None:
                g = torch.zeros_like(t)
            result.append(from_torch(g).copy())
        return tuple(result)

    def backward(self, indexes, grad_outputs):
        raise NotImplementedError('double backpropagation through a torch module is not '
                                  'supported')


class TorchModule(chainer.Link):
    """A Link that runs a ``torch.nn.Module``.

    The module's parameters become Parameters of this Link (named as in torch,
    with ``.`` replaced by ``__``), initialized from the module's current values.
    The module's buffers (e.g. BatchNorm running statistics) stay in torch and
    are updated by torch in training mode (``chainer.config.train``).

    Args:
        module: The ``torch.nn.Module`` (on the CPU, or on a CUDA device with CuPy).
    """

    def __init__(self, module: Any) -> None:
        super().__init__()
        self.module = module
        self._param_names = []
        with self.init_scope():
            for name, p in module.named_parameters():
                setattr(self, name.replace('.', '__'), chainer.Parameter(from_torch(p).copy()))
                self._param_names.append(name)

    def forward(self, *args: Any) -> Any:
        params = [getattr(self, name.replace('.', '__')) for name in self._param_names]
        func = _TorchCall(self.module, self._param_names, len(args), chainer.config.train)
        ys = func.apply(tuple(args) + tuple(params))
        return ys[0] if len(ys) == 1 else ys


def _make_chainer_function():
    torch = _torch()

    class _ChainerCall(torch.autograd.Function):
        @staticmethod
        def forward(ctx, link, train, grad, n_args, *tensors):
            xs = [chainer.Variable(from_torch(t).copy()) for t in tensors[:n_args]]
            params = [p for _, p in sorted(link.namedparams())]
            with chainer.using_config('train', train), \
                    chainer.using_config('enable_backprop', grad):
                ys = link(*xs)
            single = not isinstance(ys, (tuple, list))
            ys = (ys,) if single else tuple(ys)
            ctx.saved = (xs, params, ys)
            outs = tuple(to_torch(y.array.copy()) for y in ys)
            return outs[0] if single else outs

        @staticmethod
        def backward(ctx, *gys):
            xs, params, ys = ctx.saved
            targets = xs + params
            grads = chainer.grad(list(ys), targets,
                                 [chainer.Variable(from_torch(g).copy()) for g in gys])
            result = [None, None, None, None]
            for t, g in zip(targets, grads):
                result.append(None if g is None else to_torch(g.array.copy()))
            return tuple(result)

    return _ChainerCall


class _Lazy:
    cls = None


def _module_base():
    return _torch().nn.Module


def _chainer_module_class():
    if _Lazy.cls is not None:
        return _Lazy.cls

    class ChainerModuleImpl(_module_base()):
        def __init__(self, link: Any) -> None:
            super().__init__()
            nn = _torch().nn
            self.link = link
            self._names = []
            for name, p in sorted(link.namedparams()):
                key = name.strip('/').replace('/', '__')
                self.register_parameter(key, nn.Parameter(to_torch(p.array)))
                self._names.append(key)
            self._fn = _make_chainer_function()

        def forward(self, *args: Any) -> Any:
            params = [getattr(self, k) for k in self._names]
            grad = _torch().is_grad_enabled()
            return self._fn.apply(self.link, self.training, grad, len(args), *args, *params)

    ChainerModuleImpl.__name__ = 'ChainerModule'
    ChainerModuleImpl.__qualname__ = 'ChainerModule'
    _Lazy.cls = ChainerModuleImpl
    return ChainerModuleImpl


def ChainerModule(link: Any) -> Any:
    """A ``torch.nn.Module`` running ``link``.

    Its parameters share memory with the Link's Parameters (in-place updates by a
    torch optimizer are seen by the Link); gradients flow back through the Link to
    the module's inputs and parameters. ``module.train()``/``eval()`` sets
    ``chainer.config.train`` during the call.
    """
    return _chainer_module_class()(link)


# --- parameter copies between matching layers -------------------------------------

_LSTM_TORCH_ORDER = [1, 2, 0, 3]  # torch gates i, f, g, o as rechainer's (a, i, f, o) index


def _lstm_to_torch(w: Any) -> Any:
    """Rows ``unit * 4 + gate`` (a, i, f, o) -> torch blocks ``gate * H + unit`` (i, f, g, o)."""
    h = w.shape[0] // 4
    w4 = w.reshape((h, 4) + w.shape[1:])[:, _LSTM_TORCH_ORDER]
    return numpy.ascontiguousarray(numpy.swapaxes(w4, 0, 1).reshape(w.shape))


def _lstm_from_torch(w: Any) -> Any:
    h = w.shape[0] // 4
    blocks = w.reshape((4, h) + w.shape[1:])
    out = numpy.empty((h, 4) + w.shape[1:], w.dtype)
    for torch_gate, chainer_gate in enumerate(_LSTM_TORCH_ORDER):
        out[:, chainer_gate] = blocks[torch_gate]
    return out.reshape(w.shape)


def _cpu(array: Any) -> numpy.ndarray:
    return numpy.asarray(backend.CpuDevice().send(array))


def _set_torch(tensor: Any, value: Any) -> None:
    torch = _torch()
    with torch.no_grad():
        tensor.copy_(torch.from_numpy(numpy.ascontiguousarray(value)).to(tensor.dtype))


def _set_chainer(param: Any, value: Any) -> None:
    value = numpy.asarray(value)
    if isinstance(param, chainer.Parameter) and param.array is None:
        param.initialize(value.shape)
    target = param.array if isinstance(param, chainer.Variable) else param
    target[...] = backend.get_device_from_array(target).send(value.astype(target.dtype))


def _pairs(link: Any, module: Any):
    """(rechainer link, torch module) pairs of matching paths (``/a/0`` <-> ``a.0``)."""
    modules = dict(module.named_modules())
    for path, sub in link.namedlinks():
        key = path.strip('/').replace('/', '.')
        if key in modules and _kind(sub) is not None:
            yield path, sub, modules[key]


def _kind(link: Any):
    import chainer.links as L
    for cls, kind in ((L.Linear, 'linear'), (L.Convolution2D, 'conv'),
                      (L.Deconvolution2D, 'conv'), (L.BatchNormalization, 'bn'),
                      (L.LSTM, 'lstm')):
        if isinstance(link, cls):
            return kind
    return None


def _lstm_names(module: Any) -> tuple:
    suffix = '_l0' if hasattr(module, 'weight_ih_l0') else ''
    return tuple(getattr(module, n + suffix, None)
                 for n in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'))


def copy_params_to_torch(link: Any, module: Any) -> list:
    """Copies the parameters of ``link``'s layers into ``module``'s layers at the same path.

    Linear/Convolution2D/Deconvolution2D weights keep their layout; BatchNormalization
    copies ``gamma, beta, avg_mean, avg_var`` and its ``eps`` and ``decay`` (as torch's
    ``momentum = 1 - decay``); LSTM reorders the interleaved gates into torch's
    ``(i, f, g, o)`` blocks (``bias_hh`` is set to zero). Returns the copied paths.
    """
    copied = []
    for path, sub, mod in _pairs(link, module):
        kind = _kind(sub)
        if kind in ('linear', 'conv'):
            _set_torch(mod.weight, _cpu(sub.W.array))
            if getattr(sub, 'b', None) is not None and mod.bias is not None:
                _set_torch(mod.bias, _cpu(sub.b.array))
        elif kind == 'bn':
            _set_torch(mod.weight, _cpu(sub.gamma.array))
            _set_torch(mod.bias, _cpu(sub.beta.array))
            _set_torch(mod.running_mean, _cpu(sub.avg_mean))
            _set_torch(mod.running_var, _cpu(sub.avg_var))
            mod.eps = float(sub.eps)
            mod.momentum = 1.0 - float(sub.decay)
        elif kind == 'lstm':
            w_ih, w_hh, b_ih, b_hh = _lstm_names(mod)
            _set_torch(w_ih, _lstm_to_torch(_cpu(sub.upward.W.array)))
            _set_torch(w_hh, _lstm_to_torch(_cpu(sub.lateral.W.array)))
            if b_ih is not None:
                _set_torch(b_ih, _lstm_to_torch(_cpu(sub.upward.b.array)))
                _set_torch(b_hh, numpy.zeros(b_hh.shape, numpy.float32))
        copied.append(path)
    if not copied:
        raise ValueError('no layers of matching paths and kinds were found')
    return copied


def copy_params_from_torch(module: Any, link: Any) -> list:
    """The reverse of :func:`copy_params_to_torch` (LSTM biases ``ih + hh`` are summed)."""
    copied = []
    for path, sub, mod in _pairs(link, module):
        kind = _kind(sub)
        t = lambda x: x.detach().cpu().numpy()  # noqa: E731
        if kind in ('linear', 'conv'):
            _set_chainer(sub.W, t(mod.weight))
            if getattr(sub, 'b', None) is not None and mod.bias is not None:
                _set_chainer(sub.b, t(mod.bias))
        elif kind == 'bn':
            _set_chainer(sub.gamma, t(mod.weight))
            _set_chainer(sub.beta, t(mod.bias))
            _set_chainer(sub.avg_mean, t(mod.running_mean))
            _set_chainer(sub.avg_var, t(mod.running_var))
            sub.eps = float(mod.eps)
            sub.decay = 1.0 - float(mod.momentum if mod.momentum is not None else 0.1)
        elif kind == 'lstm':
            w_ih, w_hh, b_ih, b_hh = _lstm_names(mod)
            _set_chainer(sub.upward.W, _lstm_from_torch(t(w_ih)))
            _set_chainer(sub.lateral.W, _lstm_from_torch(t(w_hh)))
            if b_ih is not None:
                _set_chainer(sub.upward.b, _lstm_from_torch(t(b_ih) + t(b_hh)))
        copied.append(path)
    if not copied:
        raise ValueError('no layers of matching paths and kinds were found')
    return copied
