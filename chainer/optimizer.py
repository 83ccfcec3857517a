"""Optimizers: hyperparameters, per-parameter update rules and the optimizer base classes."""
from __future__ import annotations

import collections
import copy
import warnings
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy

from chainer import backend
from chainer import initializers
from chainer import link as link_module
from chainer import optimizer_hooks
from chainer import serializer as serializer_module
from chainer import variable
from chainer.backends import cuda

if TYPE_CHECKING:
    from chainer.link import Link


_HOOK_TIMINGS = ('pre', 'post', 'auto')


_gpu_ndarray = cuda.ndarray  # a placeholder class nothing is an instance of, without CuPy


# Replaced by a new object whenever an attribute of any Hyperparameter is set or
# deleted: update rules keep constants derived from hyperparameters while it holds
# (``chainer.optimizers._util.constants``).
_generation = object()


class Hyperparameter:
    """A set of hyperparameters; attributes not set here are looked up in ``parent``.

    Args:
        parent: Hyperparameter the missing attributes are read from (or None).
    """

    def __init__(self, parent: Optional['Hyperparameter'] = None) -> None:
        self._parent = parent

    def __setattr__(self, name: str, value: Any) -> None:
        global _generation
        object.__setattr__(self, name, value)
        _generation = object()

    def __delattr__(self, name: str) -> None:
        global _generation
        object.__delattr__(self, name)
        _generation = object()

    def __getattr__(self, name: str) -> Any:
        # Only reached for names missing from __dict__. Guard '_parent' itself so
        # that copy/pickle (which build objects without __init__) do not recurse.
        if name.startswith('__') or '_parent' not in self.__dict__:
            raise AttributeError(name)
        parent = self.__dict__['_parent']
        if parent is None:
            raise AttributeError(f"hyperparameter '{name}' is not defined")
        return getattr(parent, name)

    def __repr__(self) -> str:
        d = self.get_dict()
        values = ', '.join(f'{k}={d[k]!s}' for k in sorted(d))  # str, as Chainer's %s
        return f'Hyperparameter({values})'

    @property
    def parent(self) -> Optional['Hyperparameter']:
        """The parent hyperparameter object."""
        return self._parent

    def get_dict(self) -> dict:
        """Returns all hyperparameter values (this object's override the parent's)."""
        d = {} if self._parent is None else self._parent.get_dict()
        for k, v in self.__dict__.items():
            if k != '_parent':
                d[k] = v
        return d


class HyperparameterProxy:
    """Descriptor exposing ``obj.hyperparam.<attr_name>`` as ``obj.<attr_name>``."""

    def __init__(self, attr_name: str) -> None:
        self._attr_name = attr_name
        self.__doc__ = f'Alias to ``self.hyperparam.{attr_name}``'

    def __get__(self, obj: Any, type: Any = None) -> Any:
        if obj is None:
            return self
        return getattr(obj.hyperparam, self._attr_name)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj.hyperparam, self._attr_name, value)


def _check_hook_args(hook: Any, timing: str) -> None:
    if not callable(hook):
        raise TypeError(f'hook function must be callable, got {type(hook).__name__}')
    if timing not in _HOOK_TIMINGS:
        raise ValueError(f"timing must be one of ('pre', 'post', 'auto'), got {timing!r}")


def _register_hook(pre: dict, post: dict, hook: Any, name: Optional[str],
                   timing: str) -> None:
    """Adds ``hook`` to ``pre`` (``timing == 'pre'``) or ``post`` under ``name``, by
    default the hook's ``name`` or ``__name__``; a name already taken is a KeyError."""
    if name is None:
        name = getattr(hook, 'name', getattr(hook, '__name__', None))
        if name is None:
            raise ValueError('the name of the hook function is not specified')
    if name in pre or name in post:
        raise KeyError(f'hook "{name}" already exists')
    if timing == 'pre':
        pre[name] = hook
    else:
        post[name] = hook


class UpdateRule:
    """Base class of the rules that update one parameter.

    Args:
        parent_hyperparam: Hyperparameter the rule's own hyperparameters fall back to.

    Attributes:
        enabled: If False, :meth:`update` does nothing.
        hyperparam: The rule's :class:`Hyperparameter`.
        t: Number of updates done by this rule.
    """

    is_elementwise = False
    # Set by a deserializer: the loaded state is checked at the next update.
    _check_loaded_state = False
    # True while a subclass keeps the base update_core (the CPU step is then
    # called directly).
    _plain_update_core = True
    # Constants derived from the hyperparameters (``optimizers._util.constants``).
    _derived: Optional[tuple] = None

    # False for a rule whose update methods are written outside the library: Chainer
    # calls its hooks and update_core for a parameter without an array or a gradient.
    _library_rule = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain_update_core = cls.update_core is UpdateRule.update_core
        # a subclass that keeps the library's update methods is a library rule
        cls._library_rule = all(
            getattr(cls, name).__module__.startswith('chainer.')
            for name in ('update_core', 'update_core_cpu', 'update_core_gpu'))

    def __init__(self, parent_hyperparam: Optional[Hyperparameter] = None) -> None:
        self._pre_update_hooks: collections.OrderedDict = collections.OrderedDict()
        self._post_update_hooks: collections.OrderedDict = collections.OrderedDict()
        self._state: Optional[dict] = None
        self.enabled = True
        self.hyperparam = Hyperparameter(parent_hyperparam)
        self.t = 0
        self._use_fp32_update = False
        self._fp32_param: Optional[variable.Variable] = None

    def __getstate__(self) -> dict:
        from chainer import _pickle_compat  # written so that Chainer 7.8.1 loads it too
        return _pickle_compat.chainer_update_rule_state(self, self.__dict__)

    def __setstate__(self, state: Any) -> None:
        from chainer import _pickle_compat  # Chainer's pickles have another layout
        _pickle_compat.set_state(self, state, '_hookable', _pickle_compat.update_rule_state)

    @property
    def state(self) -> Optional[dict]:
        """Dictionary of state arrays (None until the first update)."""
        return self._state

    def add_hook(self, hook: Callable, name: Optional[str] = None,
                 timing: str = 'auto') -> None:
        """Adds a hook ``hook(rule, param)`` called before ('pre') or after ('post') updates."""
        _check_hook_args(hook, timing)
        if timing == 'auto':
            # As in Chainer, any timing other than 'pre' registers a post-update hook.
            timing = getattr(hook, 'timing', 'pre')
        _register_hook(self._pre_update_hooks, self._post_update_hooks, hook, name, timing)

    def remove_hook(self, name: str) -> None:
        """Removes the hook registered under ``name`` (KeyError if there is none)."""
        if name in self._pre_update_hooks:
            del self._pre_update_hooks[name]
        else:
            del self._post_update_hooks[name]

    def update(self, param: variable.Variable) -> None:
        """Updates ``param`` from its gradient (no-op when disabled or the grad is None)."""
        if not self.enabled:
            return
        self.t += 1
        data = param.array
        if data is None:
            if self._runs_without_grad():
                self._run_uninitialized(param)
            return
        state = self._state
        if state is not None and param._loss_scale is None and not self._use_fp32_update \
                and not self._check_loaded_state \
                and not self._pre_update_hooks and not self._post_update_hooks:
            # The common step: the state exists and lives where the parameter does,
            # so there is nothing to prepare and no hook to call. ``core`` is the
            # device's step, or update_core when a device context is needed.
            core = None
            if data.__class__ is numpy.ndarray:
                for value in state.values():
                    if value.__class__ is not numpy.ndarray:
                        break
                else:
                    core = self.update_core_cpu
            elif data.__class__ is _gpu_ndarray:
                device_id = data.data.device_id
                for value in state.values():
                    if value.__class__ is not _gpu_ndarray or value.data.device_id != device_id:
                        break
                else:
                    core = (self.update_core_gpu
                            if device_id == cuda.cupy.cuda.runtime.getDevice()
                            else self.update_core)
            if core is not None:
                if param._grad_var is not None:
                    if self._plain_update_core and 'update_core' not in self.__dict__:
                        core(param)
                    else:
                        self.update_core(param)
                    return
                if not self._runs_without_grad():
                    return
        self._update_general(param)

    def _run_uninitialized(self, param: variable.Variable) -> None:
        # As in Chainer: no state; with fp32 updates a float16 parameter is stood
        # in for by an uninitialized float32 one.
        if self._use_fp32_update:
            try:
                dtype = param.dtype
            except RuntimeError:  # the initializer does not tell its dtype
                dtype = None
            if dtype == numpy.float16:
                if self._fp32_param is None:
                    initializer = initializers.NaN(numpy.float32)
                    self._fp32_param = variable.Parameter(initializer, name=param.name)
                param = self._fp32_param
        self._run(param)

    def _runs_without_grad(self) -> bool:
        # Library rules skip a parameter without a gradient (Chainer's checked
        # for it, or failed); a user's update_core is called as Chainer did.
        return not self._library_rule or 'update_core' in self.__dict__

    def _update_general(self, param: variable.Variable) -> None:
        loss_scale = param._loss_scale
        if self._use_fp32_update and param.dtype == numpy.float16:
            if param.grad is None:
                return
            fp32_param = self._fp32_param
            device = param.device
            if fp32_param is None or fp32_param.array is None \
                    or fp32_param.array.shape != param.array.shape:
                fp32_param = self._fp32_param = variable.Variable(
                    param.array.astype(numpy.float32), name=param.name)
            elif fp32_param.device != device:
                # The model moved to another device: the master copy follows it.
                fp32_param.to_device(device)
            with backend.using_device(device):
                fp32_param.grad = param.grad.astype(numpy.float32)
            self._prepare(fp32_param)
            if loss_scale is not None:
                fp32_param.grad /= loss_scale
            self._run(fp32_param)
            backend.copyto(param.array, fp32_param.array)
            fp32_param.grad = None
            return
        self._prepare(param)
        if param.grad is None:
            if self._runs_without_grad():
                self._run(param)
            return
        if loss_scale is not None:
            param.grad /= loss_scale
            # The gradient is unscaled now; forget the factor so a second update
            # without a new backward pass does not unscale it again. The gradient
            # keeps it: another gradient (cleared, zeroed, assigned) counts as
            # scaled by it again, as in Chainer (variable._unscaled_grad_replaced).
            param._loss_scale = None
            param._grad_var._loss_scale = loss_scale
        self._run(param)

    def _run(self, param: variable.Variable) -> None:
        if self._pre_update_hooks:
            for hook in list(self._pre_update_hooks.values()):
                hook(self, param)
        self.update_core(param)
        if self._post_update_hooks:
            for hook in list(self._post_update_hooks.values()):
                hook(self, param)

    def update_core(self, param: variable.Variable) -> None:
        """Updates ``param`` on its device (dispatches to the CPU/GPU implementation)."""
        if isinstance(param.array, numpy.ndarray):
            self.update_core_cpu(param)
            return
        device = param.device
        if device.xp is numpy:
            self.update_core_cpu(param)
        else:
            with backend.using_device(device):
                self.update_core_gpu(param)

    def update_core_cpu(self, param: variable.Variable) -> None:
        """Updates a parameter held in NumPy arrays."""
        raise NotImplementedError

    def update_core_gpu(self, param: variable.Variable) -> None:
        """Updates a parameter held in CuPy arrays."""
        raise NotImplementedError

    def update_core_chainerx(self, param: variable.Variable) -> None:
        """Updates a parameter held in ChainerX arrays (ChainerX is not available)."""
        raise RuntimeError('ChainerX is not available in rechainer')

    def init_state(self, param: variable.Variable) -> None:
        """Initialises the state arrays for ``param`` (``self.state`` is an empty dict)."""
        pass

    def serialize(self, serializer: serializer_module.AbstractSerializer) -> None:
        """Saves or loads ``t`` and the state arrays.

        Loading assigns nothing until every entry was read: in the checking
        pass of a two-phase load only the reads (and their checks) happen.
        """
        t = serializer('t', self.t)
        if not serializer_module.is_loading(serializer):
            if self._state is not None:
                for key, value in self._state.items():
                    serializer(key, value)
            return
        checking = serializer_module.is_checking(serializer)
        if self._state is None:
            # Find out the names of the state entries by initialising the state
            # for a dummy parameter, then read each of them.
            # The probe shares its (new) state dict with self while init_state runs,
            # as in Chainer, so an init_state that writes to this rule's state works.
            probe_state: dict = {}
            self._state = probe_state
            try:
                probe = copy.copy(self)
                dummy = numpy.zeros(1, dtype=numpy.float32)
                dummy_param = variable.Variable(dummy)
                dummy_param.grad = dummy.copy()
                probe.init_state(dummy_param)
            finally:
                self._state = None
            loaded: Optional[dict] = {}
            for key in probe_state:
                try:
                    value = serializer(key, None)
                except KeyError:
                    # A rule saved before its first step (t == 0) wrote no
                    # state; Chainer then failed to load its own snapshot.
                    if self.enabled and not (t == 0 and not loaded):
                        raise
                    value = None
                if value is None:
                    # Not in the snapshot: leave the state to be created lazily.
                    loaded = None
                    break
                loaded[key] = value
            if checking:
                return
            self._state = loaded
        else:
            values = {key: serializer(key, value) for key, value in self._state.items()}
            if checking:
                return
            self._state.update(values)
        self.t = t
        # The fp32 master copy is rebuilt from the (possibly reloaded) parameter.
        self._fp32_param = None
        # Loaded state is checked against the parameter at the next update.
        self._check_loaded_state = self._state is not None

    def use_fp32_update(self, flag: bool = True) -> None:
        """Updates float16 parameters through a float32 master copy (with float32 state)."""
        self._use_fp32_update = flag

    def _validate_loaded_state(self, param: variable.Variable) -> None:
        # A snapshot of another model must not be broadcast silently into this one.
        probe = copy.copy(self)
        probe._state = {}
        with backend.using_device(param.device):
            probe.init_state(param)
        array_types = backend.get_array_types()
        for key, fresh in probe._state.items():
            loaded = self._state.get(key)
            if isinstance(fresh, array_types) and isinstance(loaded, array_types) \
                    and loaded.shape != fresh.shape:
                raise ValueError(
                    f'loaded optimizer state {key!r} has shape {loaded.shape}, but the '
                    f'parameter {param.name!r} needs {fresh.shape}; the snapshot does '
                    'not match this model')
        self._check_loaded_state = False

    def _prepare(self, param: variable.Variable) -> None:
        state = self._state
        if state is None:
            self._state = {}
            with backend.using_device(param.device):
                self.init_state(param)
            # As Chainer: arrays init_state made on another device (NumPy arrays
            # for a GPU parameter, say) are sent to the parameter's, below.
            state = self._state
            if not state:
                return
        elif not state:
            return
        elif self._check_loaded_state:
            self._validate_loaded_state(param)
        # State loaded by a deserializer may live on another device.
        array_types = backend.get_array_types()
        if isinstance(param.array, numpy.ndarray):
            for name, value in state.items():
                if not isinstance(value, numpy.ndarray) and isinstance(value, array_types):
                    state[name] = backend.CpuDevice().send(value)
            return
        device = param.device
        for name, value in state.items():
            if isinstance(value, array_types) and \
                    backend.get_device_from_array(value) != device:
                state[name] = device.send(value)


def _make_hook_dicts() -> tuple:
    return collections.OrderedDict(), collections.OrderedDict()


class Optimizer:
    """Base class of all optimizers.

    Attributes:
        target: The link being optimised (set by :meth:`setup`).
        t: Number of update steps done.
        epoch: Current epoch (incremented by :meth:`new_epoch`).
        use_auto_new_epoch: True when an updater calls ``new_epoch(auto=True)``.
    """

    target = None
    t = 0
    epoch = 0
    _pre_update_hooks: Optional[collections.OrderedDict] = None
    _post_update_hooks: Optional[collections.OrderedDict] = None
    _loss_scale: Optional[float] = None
    _loss_scale_max = 65504  # the largest float16
    _loss_scaling_is_dynamic = False
    _loss_scaling_isnan = False
    _loss_scaling_isnan_ever = False
    _loss_scaling_multiplier = 2.0 ** (1.0 / 1000)
    _check_loaded_states = False
    use_auto_new_epoch = False

    def __getstate__(self) -> dict:
        from chainer import _pickle_compat  # written so that Chainer 7.8.1 loads it too
        return _pickle_compat.chainer_optimizer_state(self, self.__dict__)

    def __setstate__(self, state: Any) -> None:
        from chainer import _pickle_compat  # Chainer's pickles have another layout
        _pickle_compat.set_state(self, state, '_hookable', _pickle_compat.optimizer_state)

    def setup(self, link: Link) -> 'Optimizer':
        """Sets the target link and resets ``t``, ``epoch`` and the hooks; returns self."""
        if not isinstance(link, link_module.Link):
            raise TypeError(
                f'optimization target must be a link, got {type(link).__name__}')
        self.target = link
        self.t = 0
        self.epoch = 0
        self._pre_update_hooks, self._post_update_hooks = _make_hook_dicts()
        return self

    def _check_setup(self, what: str) -> None:
        if self.target is None or self._pre_update_hooks is None:
            raise RuntimeError(
                f'{type(self).__name__}.{what}() was called before setup(); '
                'call optimizer.setup(link) first')

    def update(self, lossfun: Optional[Callable] = None, *args: Any, **kwds: Any) -> None:
        """Updates the parameters (computing the loss and gradients first if ``lossfun`` given)."""
        raise NotImplementedError

    def new_epoch(self, auto: bool = False) -> None:
        """Starts a new epoch (increments ``epoch``)."""
        if self.use_auto_new_epoch:
            if not auto:
                raise RuntimeError(
                    'invalid new_epoch call with auto=False: the updater calls '
                    'new_epoch(auto=True) for this optimizer (use_auto_new_epoch is True)')
        elif auto:
            raise RuntimeError(
                'invalid new_epoch call with auto=True: set use_auto_new_epoch to True '
                'when an updater manages the epochs of this optimizer')
        self.epoch += 1

    def add_hook(self, hook: Callable, name: Optional[str] = None,
                 timing: str = 'auto') -> None:
        """Registers ``hook``, called with the optimizer before ('pre') or after ('post') updates.

        Args:
            hook: Callable; per-parameter hooks set ``call_for_each_param`` and
                are called as ``hook(rule, param)``.
            name: Name of the hook (defaults to ``hook.name``).
            timing: ``'pre'``, ``'post'`` or ``'auto'`` (use ``hook.timing``).
        """
        if self._pre_update_hooks is None or self._post_update_hooks is None:
            raise RuntimeError('call `setup` method before `add_hook` method')
        _check_hook_args(hook, timing)
        if timing == 'auto':
            timing = getattr(hook, 'timing', 'pre')
            if timing not in ('pre', 'post'):
                warnings.warn("Hook timing attribute not in ('pre', 'post'), "
                              "defaulting timing to 'pre'.")
                timing = 'pre'
        _register_hook(self._pre_update_hooks, self._post_update_hooks, hook, name, timing)

    def remove_hook(self, name: str) -> None:
        """Removes the hook registered under ``name`` (KeyError if there is none)."""
        self._check_setup('remove_hook')
        if name in self._pre_update_hooks:
            del self._pre_update_hooks[name]
        else:
            del self._post_update_hooks[name]

    def call_hooks(self, timing: str = 'pre') -> None:
        """Calls the hooks registered for ``timing`` ('pre' or 'post')."""
        self._check_setup('call_hooks')
        if timing not in ('pre', 'post'):
            raise ValueError(f"timing must be either 'pre' or 'post', got {timing!r}")
        hooks = self._pre_update_hooks if timing == 'pre' else self._post_update_hooks
        if not hooks:
            return
        for hook in list(hooks.values()):
            self.call_hook(hook)
            self.reallocate_cleared_grads()

    def call_hook(self, hook: Callable) -> None:
        """Calls one hook (once per parameter if it sets ``call_for_each_param``)."""
        if getattr(hook, 'call_for_each_param', False):
            for param in self.target.params():
                hook(param.update_rule, param)
        else:
            hook(self)

    def reallocate_cleared_grads(self) -> None:
        """Gives zero gradients to initialised parameters whose gradient is None."""
        pass

    def serialize(self, serializer: serializer_module.AbstractSerializer) -> None:
        """Saves or loads ``t``, ``epoch`` and the state of every parameter's update rule."""
        self._check_setup('serialize')
        self.t = serializer('t', self.t)
        self.epoch = serializer('epoch', self.epoch)
        for name, param in self.target.namedparams():
            rule = getattr(param, 'update_rule', None)
            if rule is not None:
                rule.serialize(serializer[name])
        if self._loss_scaling_is_dynamic:
            self._serialize_dynamic_loss_scale(serializer)
        if serializer_module.is_loading(serializer) and \
                not serializer_module.is_checking(serializer):
            self._check_loaded_states = True

    def _serialize_dynamic_loss_scale(
            self, serializer: serializer_module.AbstractSerializer) -> None:
        # The current scale and whether a gradient ever overflowed, so that a
        # resumed run scales as an uninterrupted one. Chainer saved neither (a
        # resumed run restarted at 1); loading its snapshots keeps the scale.
        try:
            scale = serializer('_loss_scale', self._loss_scale)
            ever = serializer('_loss_scaling_isnan_ever', self._loss_scaling_isnan_ever)
        except KeyError:
            return
        if serializer_module.is_loading(serializer) and \
                not serializer_module.is_checking(serializer):
            self._loss_scale = float(numpy.asarray(scale))
            self._loss_scaling_isnan_ever = bool(numpy.asarray(ever))

    # -- loss scaling ------------------------------------------------------

    def loss_scaling(self, interval: int = 1000, scale: Optional[float] = None) -> None:
        """Configures loss scaling: dynamic when ``scale`` is None, else the scale given.

        Dynamic scaling starts at 1 and doubles after every step until a gradient
        first overflows; from then on it halves on each step with an inf/NaN
        gradient (which is skipped) and grows by ``2 ** (1 / interval)`` on the
        others, so it doubles in ``interval`` good steps. It stays in [1, 65504].

        Args:
            interval: Good steps for the scale to double, once an overflow was seen.
            scale: The scale to use; None for dynamic scaling. A scale given sets
                the current scale only (see :meth:`set_loss_scale`).
        """
        if scale is None:
            if interval < 1:
                raise ValueError(f'interval must be a positive integer, got {interval}')
            self._loss_scaling_is_dynamic = True
            self._loss_scale = 1.0
            self._loss_scaling_multiplier = 2.0 ** (1.0 / interval)
            self._loss_scaling_isnan = False
            self._loss_scaling_isnan_ever = False
        else:
            self.set_loss_scale(scale)

    def set_loss_scale(self, loss_scale: Optional[float]) -> None:
        """Sets the current loss scale; None starts dynamic scaling, as ``loss_scaling()``.

        The mode stays as it is: without dynamic scaling the scale is static; once
        dynamic scaling is on, it goes on from this scale (as in Chainer).
        """
        if loss_scale is None:
            self.loss_scaling()
            return
        if not loss_scale > 0:
            raise ValueError(f'loss scale must be positive, got {loss_scale}')
        self._loss_scale = loss_scale

    def check_nan_in_grads(self) -> None:
        """Records whether any gradient has an inf/NaN (only with dynamic loss scaling)."""
        self._loss_scaling_isnan = False
        if not self._loss_scaling_is_dynamic:
            return
        for name, param in self.target.namedparams():
            grad = param.grad
            if grad is None:
                continue
            xp = backend.get_array_module(grad)
            if not bool(xp.isfinite(grad).all()):
                self._loss_scaling_isnan = True
                self._loss_scaling_isnan_ever = True
                warnings.warn(f'Non finite number found in param.grad of {name} (iteration: '
                              f'{self.t}, loss_scale: {self._loss_scale}); the update is '
                              'skipped')

    def is_safe_to_update(self) -> bool:
        """False when the last :meth:`check_nan_in_grads` found an inf/NaN gradient."""
        return not self._loss_scaling_isnan

    def update_loss_scale(self) -> None:
        """Adjusts the dynamic loss scale after a step."""
        if not self._loss_scaling_is_dynamic:
            return
        if self._loss_scaling_isnan:
            multiplier = 0.5
        elif self._loss_scaling_isnan_ever:
            multiplier = self._loss_scaling_multiplier
        else:
            multiplier = 2.0
        self._loss_scale = max(1, min(self._loss_scale_max, self._loss_scale * multiplier))


def _per_parameter_hooks(hooks: dict) -> bool:
    """True when every hook is a built-in one that reads and changes only the
    gradient of the parameter it is called for (so it may run just before that
    parameter's update rather than before all updates)."""
    kinds = (optimizer_hooks.WeightDecay, optimizer_hooks.Lasso,
             optimizer_hooks.GradientHardClipping, optimizer_hooks.GradientLARS)
    for hook in hooks.values():
        if type(hook) not in kinds:
            return False
    return True


def _separate_buffers(params) -> bool:
    """True when no two parameters share the memory of their arrays or gradients
    (tied weights do; so do the gradients of ``a + b``): a hook changing one
    gradient in place then leaves the others' alone, and may run just before
    that parameter's update."""
    seen = set()
    for param in params:
        gv = param._grad_var
        for a in (param._data, None if gv is None else gv._data):
            if a is not None:
                base = a.base
                key = id(a if base is None else base)
                if key in seen:
                    return False
                seen.add(key)
    return True


def _reallocate_grad(param: variable.Variable) -> None:
    device = param.device
    with backend.using_device(device):
        param.grad = device.xp.zeros_like(param.array)


# The methods that the single-pass step of GradientMethod.update stands in for.
_STEP_METHODS = frozenset(('reallocate_cleared_grads', 'check_nan_in_grads',
                           'is_safe_to_update', 'call_hooks', 'update_loss_scale'))
_link_cleargrads = link_module.Link.cleargrads
_parameter_update = variable.Parameter.update


class GradientMethod(Optimizer):
    """Base class of optimizers that update each parameter with its own :class:`UpdateRule`.

    Subclasses implement :meth:`create_update_rule`.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hyperparam = Hyperparameter()
        self._use_fp32_update = False

    def setup(self, link: Link) -> 'GradientMethod':
        """Sets the target and gives each parameter a fresh update rule; returns self."""
        super().setup(link)
        for name, param in link.namedparams():
            if not isinstance(param, variable.Parameter):
                raise TypeError(
                    f'cannot set up an optimizer: {name} is a {type(param).__name__}, not a '
                    'Parameter (a parameter attribute was replaced, e.g. by `link.W *= 2`; '
                    'update its array in place instead: `link.W.array *= 2`)')
            rule = self.create_update_rule()
            if self._use_fp32_update:
                rule.use_fp32_update()
            param.update_rule = rule
        return self

    def reallocate_cleared_grads(self) -> None:
        """Gives zero gradients to initialised parameters whose gradient is None."""
        for param in self.target.params(include_uninit=False):
            if param.grad is None:
                _reallocate_grad(param)

    def update(self, lossfun: Optional[Callable] = None, *args: Any, **kwds: Any) -> None:
        """Updates all parameters once.

        With ``lossfun``, the loss ``lossfun(*args, **kwds)`` is computed, the
        gradients cleared and recomputed by backprop (scaled by the loss scale)
        first; otherwise the gradients already stored are used.
        """
        self._check_setup('update')
        target = self.target
        params = None
        if lossfun is not None:
            use_cleargrads = getattr(self, '_use_cleargrads', True)
            loss = lossfun(*args, **kwds)
            if not use_cleargrads:
                target.zerograds()
            elif type(target).cleargrads is _link_cleargrads \
                    and 'cleargrads' not in target.__dict__:
                # The loss function may have added parameters: list them now,
                # once for clearing and updating.
                params = list(target.params())
                for param in params:
                    param.cleargrad()
            else:
                target.cleargrads()
            loss.backward(loss_scale=self._loss_scale)
            del loss

        pre_hooks = self._pre_update_hooks
        if not self._post_update_hooks and not self._loss_scaling_is_dynamic \
                and not self._check_loaded_states and self._has_default_step_methods() \
                and (not pre_hooks or (_per_parameter_hooks(pre_hooks) and _separate_buffers(
                    target.params() if params is None else params))):
            # Nothing needs all gradients before the first update: reallocate
            # each cleared gradient just before its parameter is updated, and
            # run the hooks that touch one parameter's gradient just before it too
            # (in the same order as all hooks on all parameters, then the updates).
            self.t += 1
            hooks = tuple(pre_hooks.values()) if pre_hooks else ()
            for param in target.params() if params is None else params:
                if param._grad_var is None and param._data is not None:
                    _reallocate_grad(param)
                rule = param.update_rule
                for hook in hooks:
                    hook(rule, param)
                if type(param).update is _parameter_update:
                    if rule is not None:
                        rule.update(param)
                else:
                    param.update()
            return

        self.reallocate_cleared_grads()
        if self._check_loaded_states:
            # Check every loaded state before the first update changes anything.
            for param in target.params(include_uninit=False):
                rule = param.update_rule
                if rule is not None and rule._state and \
                        rule._check_loaded_state:
                    rule._validate_loaded_state(param)
            self._check_loaded_states = False
        self.check_nan_in_grads()
        # As in Chainer, a step skipped for an inf/NaN gradient still counts in t and runs
        # the hooks; only the parameters are left alone.
        self.call_hooks('pre')
        self.t += 1
        if self.is_safe_to_update():
            for param in target.params():
                param.update()
        if self._post_update_hooks:
            self.reallocate_cleared_grads()
            self.call_hooks('post')
        self.update_loss_scale()

    def _has_default_step_methods(self) -> bool:
        # False when a subclass or the instance replaces a method that the
        # single-pass step would not call.
        cls = type(self)
        return cls.reallocate_cleared_grads is _default_reallocate \
            and cls.check_nan_in_grads is _default_check_nan \
            and cls.is_safe_to_update is _default_is_safe \
            and cls.call_hooks is _default_call_hooks \
            and cls.update_loss_scale is _default_update_loss_scale \
            and _STEP_METHODS.isdisjoint(self.__dict__)

    def use_cleargrads(self, use: bool = True) -> None:
        """Deprecated: chooses cleargrads (default) or zerograds before backprop."""
        warnings.warn(
            'GradientMethod.use_cleargrads is deprecated.', DeprecationWarning)
        self._use_cleargrads = use

    def create_update_rule(self) -> UpdateRule:
        """Returns a new update rule for one parameter."""
        raise NotImplementedError

    def use_fp32_update(self, flag: bool = True) -> None:
        """Updates float16 parameters via float32 master copies."""
        self._use_fp32_update = flag
        link = self.target
        if link is not None:
            for param in link.params():
                if param.update_rule is not None:
                    param.update_rule.use_fp32_update(flag)


_default_reallocate = GradientMethod.reallocate_cleared_grads
_default_check_nan = GradientMethod.check_nan_in_grads
_default_is_safe = GradientMethod.is_safe_to_update
_default_call_hooks = GradientMethod.call_hooks
_default_update_loss_scale = GradientMethod.update_loss_scale


# -- deprecated aliases of chainer.optimizer_hooks ---------------------------

_DEPRECATED_HOOKS = ('GradientClipping', 'GradientHardClipping', 'GradientNoise',
                     'Lasso', 'WeightDecay')


def make_deprecation_message(module_name: str) -> str:
    """Message of the warning raised by the deprecated ``chainer.optimizer`` hook aliases."""
    return (f'chainer.optimizer.{module_name} is deprecated from v4. '
            f'Use chainer.optimizer_hooks.{module_name} instead.')


def _make_deprecated_alias(name: str) -> type:
    base = getattr(optimizer_hooks, name)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(make_deprecation_message(name), DeprecationWarning)
        base.__init__(self, *args, **kwargs)

    return type(name, (base,), {
        '__init__': __init__, '__module__': __name__,
        '__doc__': f'Deprecated alias of :class:`chainer.optimizer_hooks.{name}`.'})


def __getattr__(name: str) -> Any:
    if name in _DEPRECATED_HOOKS:
        cls = _make_deprecated_alias(name)
        globals()[name] = cls
        return cls
    if name in ('_Hookable', '_OptimizerHookable'):  # named by Chainer's pickles
        from chainer import _pickle_compat
        return getattr(_pickle_compat, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_DEPRECATED_HOOKS))

