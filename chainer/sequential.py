"""Sequential: a list of links and functions applied one after another."""
from __future__ import annotations

import copy
import inspect
from typing import Any, Iterator

import numpy

from chainer import link as _link
from chainer.utils.error import _numpy1_printing


def _check_callable(layer: Any) -> None:
    if not callable(layer):
        raise ValueError(
            'All elements of the argument should be callable. But given '
            f'{layer} is not callable.')


def _layer_type_name(layer: Any) -> str:
    if isinstance(layer, _link.Link):
        return type(layer).__name__
    return getattr(layer, '__name__', type(layer).__name__)


def _layer_repr(layer: Any) -> str:
    if getattr(layer, '__name__', None) == '<lambda>':
        try:
            return inspect.getsource(layer).strip().rstrip(',')
        except (OSError, TypeError):
            pass
    with _numpy1_printing():  # partial(f, slope=0.2), not slope=np.float32(0.2)
        return str(layer)


class Sequential(_link.ChainList):
    """Applies its layers in order: links and any other callables (functions, lambdas).

    ``Sequential(l1, F.relu, l2)(x)`` computes ``l2(F.relu(l1(x)))``. A layer
    returning a tuple has it unpacked into the arguments of the next layer.
    Links among the layers are the children, named ``'0'``, ``'1'``, ... by
    their position among the children (functions are not counted). That
    position is Chainer's: a link inserted at layer ``i > 0`` becomes the
    child right after position ``k`` of the children, where ``k`` is the layer
    index of the first link before it (0 if there is none), so
    ``Sequential(l1, F.relu, l2, F.relu, l3)`` names ``l1, l3, l2`` as
    ``'0', '1', '2'``. The names are the ``.npz`` keys, so files move both
    ways. A Sequential holding a lambda cannot be pickled or deep-copied
    (``ValueError``); use ``functools.partial`` or a named function.

    Args:
        layers: The initial layers.
    """

    def __init__(self, *layers: Any) -> None:
        super().__init__()
        self._layers: list = []
        for layer in layers:
            self.append(layer)

    def _add_child(self, i: int, layer: Any) -> None:
        # Called after ``layer`` was put at layer position ``i``.
        if not isinstance(layer, _link.Link):
            return
        if i == 0:
            pos = 0
        else:
            first = next((j for j in range(i) if isinstance(self._layers[j], _link.Link)), 0)
            pos = first + 1
        self._children.insert(pos, layer)
        self._rename_children()

    def _remove_child(self, layer: Any) -> None:
        if isinstance(layer, _link.Link):
            self._children = [c for c in self._children if c is not layer]
            self._rename_children()

    # -- sequence protocol -----------------------------------------------

    def __len__(self) -> int:
        return len(self._layers)

    def __getitem__(self, i: Any) -> Any:
        """The layer at ``i`` (a list of layers for a slice)."""
        return self._layers[i]

    def __setitem__(self, i: Any, layer: Any) -> None:
        if not isinstance(i, (int, numpy.integer)):
            raise TypeError(
                f'Sequential indices must be integers, not {type(i).__name__}')
        if i >= len(self):
            raise ValueError(f'{i} should be less than {len(self)}')
        _check_callable(layer)
        if self._layers[i] is not layer:
            # As Chainer: delete, then insert at the same position.
            del self[i]
            self.insert(i, layer)

    def __delitem__(self, i: Any) -> None:
        if isinstance(i, slice):
            for j in sorted(range(len(self._layers))[i], reverse=True):
                del self[j]
            return
        self._remove_child(self._layers.pop(i))

    def __iter__(self) -> Iterator[Any]:
        return iter(self._layers)

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self._layers)

    def __contains__(self, item: Any) -> bool:
        return item in self._layers

    def __add__(self, other: 'Sequential') -> 'Sequential':
        if not isinstance(other, Sequential):
            raise ValueError(
                'add (+) operator supports only objects of Sequential class, but '
                f'{type(other)} is given.')
        ret = Sequential()
        for layer in self:
            ret.append(layer)
        for layer in other:
            ret.append(layer)
        return ret

    def __iadd__(self, other: 'Sequential') -> 'Sequential':
        if not isinstance(other, Sequential):
            raise ValueError(
                'add (+) operator supports only objects of Sequential class, but '
                f'{type(other)} is given.')
        for layer in list(other):
            self.append(layer)
        return self

    def insert(self, i: int, layer: Any) -> None:
        """Inserts ``layer`` before position ``i``."""
        n = len(self._layers)
        if not (-n <= i < n + 1):
            raise IndexError(f'Index out of range: {i}')
        _check_callable(layer)
        if i < 0:
            i += n
        self._layers.insert(i, layer)
        self._add_child(i, layer)

    def append(self, layer: Any) -> None:
        """Appends ``layer`` at the end."""
        self.insert(len(self), layer)

    def extend(self, sequential: Any) -> None:
        """Appends every layer of ``sequential`` (any iterable of layers)."""
        for layer in list(sequential):
            self.append(layer)

    def remove(self, layer: Any) -> None:
        """Removes the first occurrence of ``layer``."""
        if layer not in self:
            raise ValueError(f'There is no object that is same as {layer}')
        del self[self.index(layer)]

    def remove_by_layer_type(self, type_name: str) -> None:
        """Removes every layer whose class (or function) name is ``type_name``."""
        for layer in [x for x in self._layers if _layer_type_name(x) == type_name]:
            self.remove(layer)

    def pop(self, i: int = -1) -> Any:
        """Removes and returns the layer at ``i``."""
        layer = self._layers[i]
        del self[i]
        return layer

    def clear(self) -> None:
        """Removes every layer."""
        self._layers = []
        self._children = []

    def reverse(self) -> None:
        """Reverses the order of the layers in place (children as if appended anew)."""
        layers = self._layers[::-1]
        self.clear()
        for layer in layers:
            self.append(layer)

    def index(self, layer: Any, start: Any = None, end: Any = None) -> int:
        """Position of the first ``layer`` within ``[start:end]`` (relative to ``start``)."""
        return self._layers[start:end].index(layer)

    def count(self, layer: Any) -> int:
        """How many times ``layer`` occurs."""
        return self._layers.count(layer)

    def count_by_layer_type(self, type_name: str) -> int:
        """How many layers have class (or function) name ``type_name``."""
        return sum(1 for layer in self._layers if _layer_type_name(layer) == type_name)

    # -- copies ---------------------------------------------------------

    def __reduce_ex__(self, protocol: Any) -> Any:
        # pickle and copy.deepcopy come here; Chainer refuses lambdas with a
        # ValueError rather than pickle's own error.
        if any(getattr(layer, '__name__', None) == '<lambda>' for layer in self._layers):
            raise ValueError(
                'This Sequential holds a lambda function, which cannot be pickled '
                'or deep-copied; give the layer as functools.partial or as a '
                'function defined with def instead.')
        return super().__reduce_ex__(protocol)

    def copy(self, mode: str = 'share') -> 'Sequential':
        """Returns a Sequential of copies of the layers (links copied with ``mode``)."""
        _link._check_copy_mode(mode)
        ret = Sequential()
        for layer in self:
            if isinstance(layer, _link.Link):
                ret.append(layer.copy(mode))
            else:
                ret.append(copy.copy(layer))
        return ret

    def copyparams(self, link: 'Sequential', copy_persistent: bool = True) -> None:
        """Copies the parameters of the links of another Sequential, layer by layer."""
        if not isinstance(link, Sequential):
            raise ValueError(
                'Objects other than Sequential object cannot be copied to a '
                'Sequential object.')
        for idx, child in enumerate(self):
            if isinstance(child, _link.Link):
                child.copyparams(link[idx], copy_persistent)

    def flatten(self) -> 'Sequential':
        """Returns a Sequential with nested Sequentials expanded into their layers."""
        ret = Sequential()
        for layer in self:
            if isinstance(layer, Sequential):
                ret.extend(layer.flatten())
            else:
                ret.append(layer)
        return ret

    # -- forward and printing ------------------------------------------

    def forward(self, *x: Any) -> Any:
        """Feeds ``x`` through the layers; tuples are unpacked into the next layer."""
        if not self._layers:
            raise RuntimeError('Sequential does not have any layer.')
        for layer in self._layers:
            if isinstance(x, tuple):
                x = layer(*x)
            else:
                x = layer(x)
        return x

    def __str__(self) -> str:
        body = _link._indented_children(
            (index, _layer_repr(layer)) for index, layer in enumerate(self._layers))
        return f'{type(self).__name__}({body})'
