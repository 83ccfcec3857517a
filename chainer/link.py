"""Model containers: Link (parameters), Chain (named children), ChainList (indexed children)."""
from __future__ import annotations

import collections
import collections.abc
import contextlib
import copy
import operator
import warnings
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Sequence, Tuple, Union

import numpy

import chainer
from chainer import backend
from chainer import device_resident
from chainer import function_hook
from chainer import initializers
from chainer import link_hook
from chainer import serializer as serializer_module
from chainer import variable
from chainer.utils.error import _TypeAttributeError, _numpy1_printing

if TYPE_CHECKING:
    from chainer.device_resident import DeviceResidentsVisitor
    from chainer.serializer import AbstractSerializer
    from chainer.types import DTypeSpec, InitializerSpec

_COPY_MODES = ('init', 'copy', 'share')


def _is_shape(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, collections.abc.Sequence) and not isinstance(value, str):
        try:
            return all(_is_shape(x) for x in value)
        except TypeError:
            return False
    try:
        return operator.index(value) >= 0
    except TypeError:
        return False


# Link.__call__'s marker for a link whose Link.__init__ never ran (truthy: the slow path).
_NOT_INITIALIZED = object()


def _ensure_shape_dtype(value: Any) -> tuple:
    # A bare shape means float32; anything else must be a (shape, dtype) pair.
    if _is_shape(value):
        return value, numpy.float32
    if isinstance(value, tuple) and len(value) == 2:
        return value
    raise TypeError(
        f'a parameter given to Link() must be a shape or a (shape, dtype) pair, '
        f'got {value!r}')


def _nan_initializer(dtype: Any) -> Any:
    return initializers.NaN(dtype)


def _check_copy_mode(mode: str) -> None:
    if mode not in _COPY_MODES:
        raise ValueError(
            "The 'mode' argument should be either 'init','copy', or 'share'. "
            f'But {mode} was given.')


def _indented_children(pairs: Iterable[Tuple[Any, str]]) -> str:
    """``(key): rep,`` lines indented by two spaces, as Chain/ChainList print children."""
    lines = []
    for key, rep in pairs:
        for line in f'({key}): {rep},'.splitlines():
            lines.append(f'  {line}\n')
    body = ''.join(lines)
    return '\n' + body if body else ''


class Link(device_resident.DeviceResident):
    """Building block of models: holds parameters and persistent values.

    Parameters (:class:`~chainer.Parameter`) assigned as attributes inside
    ``with self.init_scope():`` are registered; so are values given to
    :meth:`add_persistent`. Subclasses implement ``forward``; calling the link
    runs ``forward`` surrounded by the link hooks.

    Args:
        params: Deprecated way to add parameters: ``name=shape`` or
            ``name=(shape, dtype)``; each becomes an uninitialised-by-NaN
            parameter (see :meth:`add_param`).
    """

    def __init__(self, **params: Any) -> None:
        super().__init__()
        self._params: set = set()
        self._persistent: set = set()
        self._within_init_scope = False
        self._local_link_hooks: Optional[collections.OrderedDict] = None
        self.name: Optional[str] = None
        for name, value in params.items():
            shape, dtype = _ensure_shape_dtype(value)
            self.add_param(name, shape, dtype=dtype)

    # -- registration -------------------------------------------------------

    @property
    def within_init_scope(self) -> bool:
        """True inside ``with self.init_scope():``."""
        return getattr(self, '_within_init_scope', False)

    def _check_init_done(self) -> None:
        if '_params' not in self.__dict__:
            raise RuntimeError('Link.__init__() has not been called.')

    @contextlib.contextmanager
    def init_scope(self) -> Iterator[None]:
        """Context in which assigned Parameters (and, for Chain, links) get registered."""
        self._check_init_done()  # as in Chainer: a subclass must call Link.__init__ first
        old_flag = self.within_init_scope
        self._within_init_scope = True
        try:
            yield
        finally:
            self._within_init_scope = old_flag

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get('_params')
        if params is not None:
            if self.within_init_scope and isinstance(value, variable.Parameter):
                value.name = name
                params.add(name)
                self._persistent.discard(name)
            elif name in params and not isinstance(value, variable.Variable):
                # A Variable (``link.W *= 2``) stays registered, as in Chainer; anything
                # else would break every walk over the parameters, so it is dropped.
                params.discard(name)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if '_params' in d:
            self._params.discard(name)
            self._persistent.discard(name)
        super().__delattr__(name)

    def add_param(self, name: str, shape: Union[int, Sequence[int], None] = None,
                  dtype: DTypeSpec = numpy.float32,
                  initializer: InitializerSpec | None = None) -> None:
        """Registers a new parameter ``name`` (deprecated; prefer ``init_scope``).

        Args:
            name: Attribute name of the parameter.
            shape: Its shape; ``None`` leaves it uninitialised.
            dtype: Its dtype when ``initializer`` is None (then filled with NaN).
            initializer: Initializer, array or scalar used to fill it.
        """
        if name in self.__dict__:
            raise AttributeError(
                f'cannot register a new parameter {name}: attribute exists')
        if initializer is None:
            initializer = _nan_initializer(dtype)
        param = variable.Parameter(initializer, shape)
        with self.init_scope():
            setattr(self, name, param)

    def add_persistent(self, name: str, value: Any) -> None:
        """Registers ``value`` as the persistent (serialized, moved) attribute ``name``."""
        d = self.__dict__
        if name in d:
            raise AttributeError(
                f'cannot register a new persistent value {name}: attribute exists')
        self._persistent.add(name)
        self._params.discard(name)
        d[name] = value

    def register_persistent(self, name: str) -> None:
        """Registers the existing attribute ``name`` as a persistent value."""
        if not hasattr(self, name):
            raise AttributeError(
                f'cannot register non-existent attribute {name} as a persistent value')
        self._persistent.add(name)
        self._params.discard(name)

    # -- traversal ----------------------------------------------------------

    def params(self, include_uninit: bool = True) -> Iterator['variable.Parameter']:
        """Yields all parameters of this link and its descendants (sorted by name)."""
        d = self.__dict__
        for name in sorted(self._params):
            if include_uninit or d[name].array is not None:
                yield d[name]

    def namedparams(self, include_uninit: bool = True
                    ) -> Iterator[Tuple[str, 'variable.Parameter']]:
        """Yields ``(path, param)`` pairs, paths like ``/W`` or ``/l1/W``."""
        d = self.__dict__
        for name in sorted(self._params):
            if include_uninit or d[name].array is not None:
                yield '/' + name, d[name]

    def links(self, skipself: bool = False) -> Iterator['Link']:
        """Yields this link (unless ``skipself``) and all its descendants."""
        if not skipself:
            yield self

    def namedlinks(self, skipself: bool = False) -> Iterator[Tuple[str, 'Link']]:
        """Yields ``(path, link)`` pairs: ``('/', self)``, then ``('/l1', ...)`` etc."""
        if not skipself:
            yield '/', self

    def children(self) -> Iterator['Link']:
        """Yields the direct child links."""
        return iter(())

    # -- copies -------------------------------------------------------------

    def copy(self, mode: str = 'share') -> 'Link':
        """Returns a copy of this link (and its descendants).

        Args:
            mode: ``'share'`` shares parameter arrays (gradients are not
                copied) and gives the copy no name; ``'copy'`` deep-copies them,
                ``'init'`` deep-copies and re-initializes the initialised
                parameters with their initializers, and both keep the name, as
                Chainer does.
        """
        _check_copy_mode(mode)
        if mode == 'share':
            ret = copy.copy(self)
            ret._params = set(self._params)
            ret._persistent = set(self._persistent)
            ret.name = None
            d = ret.__dict__
            for name in ret._params:
                d[name] = copy.copy(d[name])
                d[name].grad = None
            return ret
        ret = copy.deepcopy(self)
        if mode == 'init':
            for param in ret.params(include_uninit=False):
                param.initialize(param.shape)
        return ret

    def copyparams(self, link: 'Link', copy_persistent: bool = True) -> None:
        """Copies parameter (and persistent) values of ``link`` into this link."""
        src = link.__dict__
        dst = self.__dict__
        for name in sorted(self._params):
            dst[name].copydata(src[name])
        if copy_persistent:
            array_types = backend.get_array_types()
            for name in sorted(self._persistent):
                d = dst[name]
                s = src[name]
                if isinstance(d, array_types) and isinstance(s, array_types):
                    backend.copyto(d, s)
                else:
                    dst[name] = copy.deepcopy(s)

    def repeat(self, n_repeat: int, mode: str = 'init') -> 'chainer.Sequential':
        """Returns a :class:`~chainer.Sequential` of ``n_repeat`` copies (see :meth:`copy`)."""
        # chainer.sequential imports this module: Sequential is looked up at call time.
        ret = chainer.Sequential()
        if n_repeat <= 0:
            return ret
        _check_copy_mode(mode)
        for _ in range(n_repeat):
            ret.append(self.copy(mode))
        return ret

    # -- gradients and update ----------------------------------------------

    def cleargrads(self) -> None:
        """Sets the gradients of all parameters to None."""
        for param in self.params():
            param.cleargrad()

    def zerograds(self) -> None:
        """Fills the gradients of all parameters with zeros (deprecated: use cleargrads)."""
        warnings.warn(
            'Link.zerograds is deprecated. Use Link.cleargrads instead.',
            DeprecationWarning)
        for param in self.params():
            param.zerograd()

    def addgrads(self, link: 'Link') -> None:
        """Adds the gradients of the parameters of ``link`` to those of this link."""
        src = link.__dict__
        dst = self.__dict__
        for name in sorted(self._params):
            dst[name].addgrad(src[name])

    def enable_update(self) -> None:
        """Enables the update rules of all parameters."""
        for param in self.params():
            rule = getattr(param, 'update_rule', None)
            if rule is not None:
                rule.enabled = True

    def disable_update(self) -> None:
        """Disables the update rules of all parameters (freezes the link)."""
        for param in self.params():
            rule = getattr(param, 'update_rule', None)
            if rule is not None:
                rule.enabled = False

    @property
    def update_enabled(self) -> bool:
        """True if at least one parameter has an enabled update rule."""
        for param in self.params():
            rule = getattr(param, 'update_rule', None)
            if rule is not None and rule.enabled:
                return True
        return False

    def count_params(self) -> int:
        """Total number of elements of the initialised parameters.

        Uninitialised parameters are skipped with a warning.
        """
        size = 0
        for name, param in self.namedparams():
            if param.array is None:
                warnings.warn(
                    f"Parameter '{name}' has not been initialized, so the resulting "
                    'count will not include the number of parameters in it.')
                continue
            size += param.size
        return size

    # -- devices and serialization -------------------------------------------

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        d = self.__dict__
        for name in sorted(self._params):
            visitor.visit_variable(d[name])
        array_types = backend.get_array_types()
        for name in sorted(self._persistent):
            x = d[name]
            if isinstance(x, array_types):
                d[name] = visitor.visit_array(x)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads parameters and persistent values with ``serializer``.

        Uninitialised parameters get initialised from the loaded arrays.
        """
        d = self.__dict__
        checking = serializer_module.is_checking(serializer)
        for name in sorted(self._params):
            param = d[name]
            data = serializer(name, param.array)
            if param.array is None and data is not None:
                kind = getattr(getattr(data, 'dtype', None), 'kind', None)
                if kind not in ('b', 'i', 'u', 'f'):
                    raise ValueError(
                        f'cannot initialize parameter {name!r} from '
                        f'{serializer_module.describe_key(serializer, name)}: it holds '
                        f'{getattr(data, "dtype", type(data).__name__)} data, not numbers')
                if not checking:
                    param.initialize(data.shape)
                    with backend.using_device(param.device):
                        param.array[...] = param.device.send(data)
        for name in sorted(self._persistent):
            value = serializer(name, d[name])
            if not checking:
                d[name] = value

    @classmethod
    def from_params(cls, *args: Any, **kwargs: Any) -> 'Link':
        """Builds a link from given parameter arrays (implemented by some links)."""
        raise NotImplementedError(
            f'{cls.__name__} does not implement from_params')

    # -- hooks and calling --------------------------------------------------

    @property
    def local_link_hooks(self) -> collections.OrderedDict:
        """Ordered dict of the hooks registered on this link (name -> hook)."""
        hooks = self.__dict__.get('_local_link_hooks')
        if hooks is None:
            hooks = collections.OrderedDict()
            self._local_link_hooks = hooks
        return hooks

    def add_hook(self, hook: 'link_hook.LinkHook', name: Optional[str] = None) -> 'Link':
        """Registers ``hook`` on this link under ``name`` (default ``hook.name``); returns self."""
        if not isinstance(hook, link_hook.LinkHook):
            raise TypeError('Hook must be of type LinkHook')
        function_hook._register(self.local_link_hooks, hook, name, self)
        return self

    def delete_hook(self, name: str) -> None:
        """Unregisters the hook ``name`` from this link."""
        function_hook._unregister(self.local_link_hooks, name, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        local_hooks = self.__dict__.get('_local_link_hooks', _NOT_INITIALIZED)
        if not local_hooks and link_hook.n_global_hooks == 0:
            forward = getattr(self, 'forward', None)
            if forward is not None:  # the common call: no hook anywhere
                out = forward(*args, **kwargs)
                if link_hook.n_global_hooks:  # one was registered inside the forward
                    link_hook._postprocess(self, None, args, kwargs, out)
                return out
        if local_hooks is _NOT_INITIALIZED:
            self._check_init_done()
            local_hooks = None
        global_hooks = link_hook._current_global_hooks()
        if local_hooks:
            hooks = collections.OrderedDict(global_hooks or ())
            hooks.update(local_hooks)
            hooks = list(hooks.values())
        elif global_hooks:
            hooks = list(global_hooks.values())
        else:
            hooks = None

        prepared = 0  # hooks whose forward_preprocess has run
        try:
            if hooks:
                pre = link_hook._ForwardPreprocessCallbackArgs(self, 'forward', args, kwargs)
                for hook in hooks:
                    hook.forward_preprocess(pre)
                    prepared += 1

            forward = getattr(self, 'forward', None)
            if forward is None:
                # A mixin placed after Link may provide __call__ itself.
                parent_call = getattr(super(), '__call__', None)
                if parent_call is None:
                    raise AttributeError(
                        f'{type(self).__name__} has no forward method to call')
                forward = parent_call
            out = forward(*args, **kwargs)
        except BaseException:  # an interrupted call too: a snapshot may follow
            if prepared:
                function_hook._call_failed(self, hooks[:prepared])
            raise

        link_hook._postprocess(self, hooks if local_hooks else None, args, kwargs, out)
        return out

    # -- printing -----------------------------------------------------------

    @property
    def printable_specs(self) -> Iterator[Tuple[str, Any]]:
        """Yields ``(keyword, value)`` pairs shown by ``str(link)``; none by default."""
        return iter(())

    def __str__(self) -> str:
        with _numpy1_printing():  # ksize=(3, 3), not (np.int64(3), np.int64(3))
            specs = ', '.join(f'{k}={v}' for k, v in self.printable_specs)
        return f'{type(self).__name__}({specs})'


class Chain(Link):
    """A link with named child links.

    Links assigned as attributes inside ``with self.init_scope():`` (or given
    as keyword arguments, or added with :meth:`add_link`) become children.

    Args:
        links: Child links, registered under their keyword names.
    """

    def __init__(self, **links: Link) -> None:
        super().__init__()
        self._children: set = set()
        for name, link in links.items():
            self.add_link(name, link)

    def __str__(self) -> str:
        body = _indented_children((c.name, str(c)) for c in self.children())
        return f'{type(self).__name__}({body})'

    def __getitem__(self, name: str) -> Any:
        """Equivalent to ``getattr(self, name)``."""
        return getattr(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        children = self.__dict__.get('_children')
        if children is not None:
            if self.within_init_scope and isinstance(value, Link):
                if hasattr(self, name):
                    raise AttributeError(
                        f'cannot register a new link {name}: attribute exists')
                value.name = name
                children.add(name)
            elif name in children and not isinstance(value, Link):
                # Overwriting a child by a non-link drops its registration.
                children.discard(name)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        children = self.__dict__.get('_children')
        if children is not None:
            children.discard(name)
        super().__delattr__(name)

    def add_link(self, name: str, link: Link) -> None:
        """Registers ``link`` as the child ``name`` (deprecated; prefer ``init_scope``)."""
        if name in self.__dict__:
            raise AttributeError(
                f'cannot register a new link {name}: attribute exists')
        if not isinstance(link, Link):
            raise TypeError('cannot register a non-link object as a child')
        with self.init_scope():
            setattr(self, name, link)

    def copy(self, mode: str = 'share') -> 'Chain':
        ret = super().copy(mode)
        ret._children = set(ret._children)
        d = ret.__dict__
        for name in sorted(ret._children):
            copied = d[name].copy(mode)
            copied.name = name
            d[name] = copied
        return ret

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        for child in self.children():
            child.device_resident_accept(visitor)

    def params(self, include_uninit: bool = True) -> Iterator['variable.Parameter']:
        yield from super().params(include_uninit)
        for child in self.children():
            yield from child.params(include_uninit)

    def namedparams(self, include_uninit: bool = True
                    ) -> Iterator[Tuple[str, 'variable.Parameter']]:
        yield from super().namedparams(include_uninit)
        d = self.__dict__
        for name in sorted(self._children):
            prefix = '/' + name
            for path, param in d[name].namedparams(include_uninit):
                yield prefix + path, param

    def links(self, skipself: bool = False) -> Iterator[Link]:
        if not skipself:
            yield self
        for child in self.children():
            yield from child.links()

    def namedlinks(self, skipself: bool = False) -> Iterator[Tuple[str, Link]]:
        if not skipself:
            yield '/', self
        d = self.__dict__
        for name in sorted(self._children):
            child = d[name]
            prefix = '/' + name
            yield prefix, child
            for path, link in child.namedlinks(True):
                yield prefix + path, link

    def children(self) -> Iterator[Link]:
        d = self.__dict__
        for name in sorted(self._children):
            yield d[name]

    def copyparams(self, link: Link, copy_persistent: bool = True) -> None:
        super().copyparams(link, copy_persistent)
        src = link.__dict__
        dst = self.__dict__
        for name in sorted(self._children):
            dst[name].copyparams(src[name], copy_persistent)

    def addgrads(self, link: Link) -> None:
        super().addgrads(link)
        src = link.__dict__
        dst = self.__dict__
        for name in sorted(self._children):
            dst[name].addgrads(src[name])

    def serialize(self, serializer: AbstractSerializer) -> None:
        super().serialize(serializer)
        d = self.__dict__
        for name in sorted(self._children):
            d[name].serialize(serializer[name])


class ChainList(Link, collections.abc.MutableSequence):
    """A link with a list of child links, named ``'0'``, ``'1'``, ... by position.

    Args:
        links: Initial child links.
    """

    def __init__(self, *links: Link) -> None:
        super().__init__()
        self._children: list = []
        for link in links:
            self.add_link(link)

    def __str__(self) -> str:
        body = _indented_children(
            (index, str(child)) for index, child in enumerate(self._children))
        return f'{type(self).__name__}({body})'

    def __setattr__(self, name: str, value: Any) -> None:
        if self.within_init_scope and isinstance(value, Link):
            raise TypeError(
                'cannot register a new link within a "with chainlist.init_scope():" block.')
        super().__setattr__(name, value)

    def _rename_children(self) -> None:
        for i, child in enumerate(self._children):
            child.name = str(i)

    @staticmethod
    def _check_link(link: Any) -> None:
        if not isinstance(link, Link):
            # Chainer failed reading the object's name (AttributeError).
            raise _TypeAttributeError(
                f'cannot register a non-link object as a child: {type(link).__name__}')

    def __getitem__(self, index: Union[int, slice]) -> Any:
        """The child at ``index`` (a list for a slice)."""
        return self._children[index]

    def __setitem__(self, index: Union[int, slice],
                    value: Union[Link, Iterable[Link]]) -> None:
        if isinstance(index, slice):
            value = list(value)
            for link in value:
                self._check_link(link)
        elif isinstance(index, (int, numpy.integer)):
            self._check_link(value)
        else:
            raise TypeError(
                f'ChainList indices must be integers or slices, not {type(index).__name__}')
        self._children[index] = value
        self._rename_children()

    def __delitem__(self, index: Union[int, slice]) -> None:
        del self._children[index]
        self._rename_children()

    def insert(self, index: int, link: Link) -> None:
        """Inserts ``link`` before position ``index``."""
        self._check_link(link)
        self._children.insert(index, link)
        self._rename_children()

    def __iter__(self) -> Iterator[Link]:
        return iter(self._children)

    def __len__(self) -> int:
        return len(self._children)

    def add_link(self, link: Link) -> None:
        """Appends ``link`` (same as :meth:`append`)."""
        self.append(link)

    def copy(self, mode: str = 'share') -> 'ChainList':
        # As in Chainer, only the children are copied with ``mode``: the list's own
        # parameters are shared in every mode (never deep-copied nor re-initialized),
        # each child re-initializes once, in its own copy (so seeded draws follow
        # Chainer's), and the copy has no name.
        _check_copy_mode(mode)
        ret = super().copy('share')
        ret._children = list(ret._children)
        children = ret._children
        for i, child in enumerate(children):
            child = child.copy(mode)
            child.name = str(i)
            children[i] = child
        return ret

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        for link in self._children:
            link.device_resident_accept(visitor)

    def params(self, include_uninit: bool = True) -> Iterator['variable.Parameter']:
        yield from super().params(include_uninit)
        for link in self._children:
            yield from link.params(include_uninit)

    def namedparams(self, include_uninit: bool = True
                    ) -> Iterator[Tuple[str, 'variable.Parameter']]:
        yield from super().namedparams(include_uninit)
        for idx, link in enumerate(self._children):
            prefix = f'/{idx}'
            for path, param in link.namedparams(include_uninit):
                yield prefix + path, param

    def links(self, skipself: bool = False) -> Iterator[Link]:
        if not skipself:
            yield self
        for child in self._children:
            yield from child.links()

    def namedlinks(self, skipself: bool = False) -> Iterator[Tuple[str, Link]]:
        if not skipself:
            yield '/', self
        for idx, child in enumerate(self._children):
            prefix = f'/{idx}'
            yield prefix, child
            for path, link in child.namedlinks(True):
                yield prefix + path, link

    def children(self) -> Iterator[Link]:
        yield from self._children

    def copyparams(self, link: Link, copy_persistent: bool = True) -> None:
        super().copyparams(link, copy_persistent)
        for idx, child in enumerate(self._children):
            child.copyparams(link[idx], copy_persistent)

    def addgrads(self, link: Link) -> None:
        super().addgrads(link)
        for idx, child in enumerate(self._children):
            child.addgrads(link[idx])

    def serialize(self, serializer: AbstractSerializer) -> None:
        super().serialize(serializer)
        for idx, child in enumerate(self._children):
            child.serialize(serializer[str(idx)])
