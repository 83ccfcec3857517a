"""Loading objects pickled by Chainer 7.8.1.

A Chainer pickle names Chainer's reduce functions and stores each object's
``__dict__`` as Chainer laid it out. The classes whose layout differs hand such
state here from small hooks (``_recover_parameter``/``_create_variable`` in
``chainer.variable``, the ``_Hookable`` names of ``chainer.optimizer``, and the
``__setstate__`` of links and other device residents, optimizers, update rules,
initializers, distributions, tabular and text/zipped image datasets, ...), and
this module turns it into rechainer's layout. Pickles that rechainer writes keep
their own layout and pass through unchanged, except that Variables, Parameters,
links, optimizers and update rules are written in Chainer's form
(``chainer_link_state`` and the ``chainer_*_state`` functions add what Chainer's
classes need), so that Chainer 7.8.1 can load a pickled model and its optimizer.
"""
from __future__ import annotations

import collections
from typing import Any

import numpy

from chainer import backend
from chainer import variable

# Attributes of Chainer's DeviceResident and Link that rechainer does not keep.
_CHAINER_ONLY = ('_overridden_to_methods', '_Link__init_done')

_LINKS = 'chainer.links.'


class _Hookable:
    """Chainer's ``chainer.optimizer._Hookable`` (the hooks of an update rule) as
    pickles name it: it only carries the hook dictionaries to the update rule
    that owns it, from Chainer's pickles and into those written for Chainer."""

    __module__ = 'chainer.optimizer'
    _pre_update_hooks: Any = None
    _post_update_hooks: Any = None


class _OptimizerHookable(_Hookable):
    """Chainer's ``chainer.optimizer._OptimizerHookable`` (an optimizer's hooks)."""

    __module__ = 'chainer.optimizer'


def set_state(obj: Any, state: Any, marker: Any, translate: Any) -> None:
    """Unpickles ``state`` into ``obj`` as pickle does by default, after
    ``translate(obj, state)`` where ``marker`` (a key that only Chainer's layout
    has; None for always) is in the ``__dict__`` part."""
    slots = None
    if isinstance(state, tuple):
        state, slots = state
    if state:
        if marker is None or marker in state:
            state = translate(obj, state)
        obj.__dict__.update(state)
    if slots:
        for name, value in slots.items():
            setattr(obj, name, value)


def _hook_dicts(hookable: Any) -> tuple:
    pre = getattr(hookable, '_pre_update_hooks', None)
    post = getattr(hookable, '_post_update_hooks', None)
    return (collections.OrderedDict() if pre is None else pre,
            collections.OrderedDict() if post is None else post)


def _device_of_pickle(device: Any, what: str) -> Any:
    if not isinstance(device, backend.Device):
        raise TypeError(
            f'cannot load a {what} pickled by Chainer on device {device!r}: '
            'rechainer has no such device')
    return device


def recover_parameter(data: Any, name: Any, grad: Any, grad_valid: bool, initializer: Any,
                      update_rule: Any, device: Any) -> variable.Parameter:
    """Builds the Parameter of Chainer's ``_recover_parameter(...)`` (seven arguments)."""
    device = _device_of_pickle(device, 'Parameter')
    # Our own reduce function (six arguments) rebuilds the rest as it was saved.
    p = variable._recover_parameter(data, name, grad if grad_valid else None, initializer,
                                    update_rule, bool(grad_valid))
    if not isinstance(device, backend.CpuDevice):
        p.to_device(device)
    return p


def create_variable(data: Any, name: Any, grad: Any, requires_grad: bool,
                    device: Any) -> variable.Variable:
    """Builds the Variable of Chainer's ``_create_variable(...)``."""
    device = _device_of_pickle(device, 'Variable')
    v = variable.Variable(data, name=name, grad=grad, requires_grad=requires_grad)
    if data is not None and not isinstance(device, backend.CpuDevice):
        v.to_device(device)
    return v


def _qualnames(obj: Any) -> set:
    return {f'{c.__module__}.{c.__qualname__}' for c in type(obj).__mro__}


def chainer_link_state(obj: Any, state: dict) -> dict:
    """Adds to rechainer's ``__dict__`` of a link (or other device resident) the
    attributes Chainer 7.8.1's class has and rechainer's does not, so that Chainer
    can load the pickle; ``device_resident_state`` takes them out again."""
    from chainer import device_resident
    from chainer import link
    state = dict(state)
    state['_overridden_to_methods'] = tuple(
        name for name in ('to_cpu', 'to_gpu', 'to_intel64')
        if getattr(type(obj), name) is not getattr(device_resident.DeviceResident, name))
    if isinstance(obj, link.Link):
        state['_Link__init_done'] = True
    names = _qualnames(obj)
    if _LINKS + 'connection.convolution_2d.Convolution2D' in names:
        state.setdefault('x_layout', None)  # memory_layouts.CUDNN_CHANNEL_FIRST_X
        state.setdefault('cudnn_fast', False)
    if _LINKS + 'rnn.n_step_rnn.NStepRNNBase' in names:
        state['ws'], state['bs'] = obj.ws, obj.bs
    return state


def _conv_ndim(names: set, state: dict) -> int:
    if (_LINKS + 'connection.convolution_nd.ConvolutionND' in names
            or _LINKS + 'connection.deconvolution_nd.DeconvolutionND' in names):
        ksize = state.get('ksize')
        if isinstance(ksize, tuple):
            return len(ksize)
        w = state.get('W')
        if w is not None and w.array is not None:
            return w.array.ndim - 2
    return 2


def _device_of_state(state: dict) -> Any:
    for value in state.values():
        if isinstance(value, variable.Variable):
            value = value.array
        if value is not None and isinstance(value, backend.get_array_types()):
            return backend.get_device_from_array(value)
    return backend.CpuDevice()


def device_resident_state(obj: Any, state: dict) -> dict:
    """rechainer's ``__dict__`` for a link (or other device resident) pickled by Chainer."""
    state = {k: v for k, v in state.items() if k not in _CHAINER_ONLY}
    if '_device' not in state:
        state['_device'] = _device_of_state(state)
    names = _qualnames(obj)
    if 'chainer.link.Link' in names:
        state.setdefault('_local_link_hooks', None)
    if state.get('x_layout') is not None:
        raise ValueError(
            f'cannot load a {type(obj).__name__} pickled by Chainer with '
            f'x_layout={state["x_layout"]!r}: memory layouts are not supported by rechainer')
    state.pop('x_layout', None)
    state.pop('cudnn_fast', None)
    conv = (_LINKS + 'connection.convolution_2d.Convolution2D',
            _LINKS + 'connection.convolution_nd.ConvolutionND',
            _LINKS + 'connection.deconvolution_2d.Deconvolution2D',
            _LINKS + 'connection.deconvolution_nd.DeconvolutionND',
            _LINKS + 'connection.dilated_convolution_2d.DilatedConvolution2D',
            _LINKS + 'connection.deformable_convolution_2d.DeformableConvolution2DSampler')
    if not names.isdisjoint(conv):
        state.setdefault('ndim', _conv_ndim(names, state))
        state.setdefault('groups', 1)
    if _LINKS + 'connection.deformable_convolution_2d.DeformableConvolution2DSampler' in names:
        state.pop('initialW', None)
        state.setdefault('dilate', 1)
    if _LINKS + 'connection.depthwise_convolution_2d.DepthwiseConvolution2D' in names:
        b = state.get('b')
        if '_bias_initializer' not in state:
            from chainer import initializers
            state['_bias_initializer'] = (
                b.initializer if b is not None else initializers.Constant(0))
    if _LINKS + 'normalization.batch_normalization.BatchNormalization' in names:
        # Chainer keeps None for "the default" (and after the arrays exist).
        if state.get('_initial_avg_mean', 0) is None:
            state['_initial_avg_mean'] = 0
        if state.get('_initial_avg_var', 1) is None:
            state['_initial_avg_var'] = 1
    if _LINKS + 'normalization.batch_renormalization.BatchRenormalization' in names:
        state.pop('r', None)
        state.pop('d', None)
        state.setdefault('_prev_avg_mean', None)
        state.setdefault('_prev_avg_var', None)
    if _LINKS + 'rnn.gru.StatelessGRU' in names and 'state_size' not in state:
        state['state_size'] = state['W'].out_size
    if _LINKS + 'rnn.n_step_rnn.NStepRNNBase' in names:
        # Properties over the children in rechainer.
        state.pop('ws', None)
        state.pop('bs', None)
    return state


def hierarchical_softmax_state(func: Any, state: dict) -> dict:
    """rechainer's state of a ``BinaryHierarchicalSoftmaxFunction`` pickled by Chainer."""
    state = {k: v for k, v in state.items() if k not in _CHAINER_ONLY}
    begins = numpy.asarray(state['begins'])
    state['n_vocab'] = len(begins) - 1
    state['_padded_paths'], state['_padded_codes'] = type(func)._padded(
        numpy.asarray(state['paths']), numpy.asarray(state['codes']), begins)
    return state


def optimizer_state(opt: Any, state: dict) -> dict:
    """rechainer's state of an optimizer pickled by Chainer (hooks held by ``_hookable``)."""
    state = dict(state)
    state['_pre_update_hooks'], state['_post_update_hooks'] = _hook_dicts(
        state.pop('_hookable'))
    return state


def _chainer_hookable(owner: Any, cls: type, **attrs: Any) -> Any:
    hookable = cls()
    hookable._pre_update_hooks = owner._pre_update_hooks
    hookable._post_update_hooks = owner._post_update_hooks
    for name, value in attrs.items():
        setattr(hookable, name, value)
    return hookable


def chainer_optimizer_state(opt: Any, state: dict) -> dict:
    """The ``__dict__`` Chainer 7.8.1 kept for an optimizer (its hooks held by a
    ``_hookable``), so that Chainer can load the pickle; ``optimizer_state``
    reverses it."""
    state = {k: v for k, v in state.items()
             if k not in ('_pre_update_hooks', '_post_update_hooks')}
    state['_hookable'] = _chainer_hookable(
        opt, _OptimizerHookable, _invalid_timing_fallback=True, optimizer=opt)
    return state


def chainer_update_rule_state(rule: Any, state: dict) -> dict:
    """The ``__dict__`` Chainer 7.8.1 kept for an update rule, so that Chainer can
    load the pickle; ``update_rule_state`` reverses it."""
    state = {k: v for k, v in state.items()
             if k not in ('_pre_update_hooks', '_post_update_hooks', '_derived')}
    state['_hookable'] = _chainer_hookable(rule, _Hookable, _invalid_timing_fallback=False)
    if 'chainer.optimizers.msvag.MSVAGRule' in _qualnames(rule):
        state['beta_power'] = rule.beta_power  # Chainer kept it; rechainer derives it from t
    return state


def update_rule_state(rule: Any, state: dict) -> dict:
    """rechainer's state of an update rule pickled by Chainer."""
    state = optimizer_state(rule, state)
    names = _qualnames(rule)
    if 'chainer.optimizers.msvag.MSVAGRule' in names:
        state.pop('beta_power', None)  # rechainer derives it from t
    if 'chainer.optimizers.adam.AdamRule' in names and 'initial_alpha' not in state:
        # Chainer records it for AdaBound only; rechainer reads it whenever
        # adabound is on.
        state['initial_alpha'] = state['hyperparam'].alpha
    return state


def initializer_state(init: Any, state: dict) -> dict:
    """rechainer's state of an initializer (Chainer's Zero/One/NaN keep no fill value)."""
    names = _qualnames(init)
    if 'fill_value' not in state:
        for cls, value in (('Zero', 0.0), ('One', 1.0), ('NaN', numpy.nan)):
            if f'chainer.initializers.constant.{cls}' in names:
                state = dict(state, fill_value=value)
                break
    if '_checks' in state:
        state = {k: v for k, v in state.items() if k != '_checks'}
    if '_get_filter_func' in state:  # Up/DownsamplingConvFilter: only 'linear' existed
        state = {k: v for k, v in state.items() if k not in ('_get_filter_func', '_upsampling')}
        state['interpolation'] = 'linear'
    return state


def distribution_state(dist: Any, state: dict) -> dict:
    """rechainer's state of a distribution pickled by Chainer, which kept its
    parameters in private (name-mangled) attributes: the distribution is built
    again from them."""
    cls = type(dist)
    prefixes = tuple(f'_{c.__name__}__' for c in cls.__mro__)
    if not any(key.startswith(prefixes) for key in state):
        return state
    params = {}
    for key, value in state.items():
        for prefix in prefixes:
            if key.startswith(prefix):
                key = key[len(prefix):]
                break
        params[key] = value
    params.pop('device', None)
    use_loc_scale = params.pop('_use_loc_scale', False)
    if params.pop('_use_low_high', False) or use_loc_scale:
        # Chainer's Uniform keeps both parametrisations; it was built from one.
        for name in (('low', 'high') if use_loc_scale else ('loc', 'scale')):
            params.pop(name, None)
    fresh = cls.__new__(cls)
    cls.__init__(fresh, **{k: v for k, v in params.items() if v is not None})
    return vars(fresh)


def tabular_state(dataset: Any, state: dict) -> dict:
    """rechainer's state of a tabular dataset view pickled by Chainer."""
    names = _qualnames(dataset)
    if ('chainer.dataset.tabular.delegate_dataset.DelegateDataset' in names
            and '_dataset' in state and 'dataset' not in state):
        state = dict(state)
        state['dataset'] = state.pop('_dataset')
    if 'chainer.dataset.tabular.from_data._Index' in names and '_len' in state:
        state = dict(state)
        state['_size'] = state.pop('_len')
    if 'chainer.dataset.tabular._transform._TransformBatch' in names \
            and '_transform_batch' in state:
        state = dict(state)
        state['_transform'] = state.pop('_transform_batch')
    if ('chainer.dataset.tabular._transform._Transform' in names
            or 'chainer.dataset.tabular._transform._TransformBatch' in names) \
            and '_mode' not in state:
        from chainer.dataset.tabular import _transform
        state = dict(state, _mode=_transform._UNKNOWN)
    return state


def text_dataset_state(state: dict) -> dict:
    """rechainer's state of a ``TextDataset`` pickled by Chainer (per-file
    options and line boundaries become per-file ``open`` options and the
    offsets of each kept row)."""
    paths = list(state['_paths'])
    options = [{'encoding': e, 'errors': r, 'newline': n} for e, r, n in zip(
        state['_encoding'], state['_errors'], state['_newline'])]
    bounds = state['_bounds']
    rows = [tuple(b[line] for b in bounds) for line in state['_lines']]
    return {'_paths': paths, '_options': options, '_rows': rows, '_fps': None, '_pid': None}


def zipped_image_dataset_state(dataset: Any, state: dict) -> dict:
    """rechainer's state of a zipped image dataset pickled by Chainer."""
    from chainer.datasets import image_dataset
    if '_zf_pid' in state:  # ZippedImageDataset
        return {'_zipfilename': state['_zipfilename'],
                '_zf': image_dataset._ZipReader(state['_zipfilename']),
                '_dtype': state['_dtype'], '_paths': state['_paths']}
    if '_zfs' in state:  # MultiZippedImageDataset
        return {'_zds': state['_zfs'], '_zpaths_accumlens': state['_zpaths_accumlens']}
    if '_zipfile' in state:  # LabeledZippedImageDataset: holds a ZippedImageDataset
        zipped = state['_zipfile']
        return {'_zipfilename': zipped._zipfilename, '_zf': zipped._zf,
                '_dtype': zipped._dtype, '_label_dtype': state['_label_dtype'],
                '_pairs': state['_pairs']}
    return state
