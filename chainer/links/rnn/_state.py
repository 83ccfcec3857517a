"""State handling shared by the stateful recurrent links."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Tuple

import chainer
from chainer import variable
from chainer.utils.error import _TypeAssertionError

if TYPE_CHECKING:
    from chainer.device_resident import DeviceResidentsVisitor
    from chainer.types import VariableOrArray


def zeros_state(link: chainer.Link, shape: Tuple[int, ...], dtype: Any) -> variable.Variable:
    """A zero state Variable on the device of ``link``."""
    with chainer.backend.using_device(link.device):
        return variable.Variable(link.xp.zeros(shape, dtype=dtype))


def adopt(link: chainer.Link, state: Any, name: str) -> variable.Variable:
    """``state`` checked to be a Variable and moved to the device of ``link``."""
    if not isinstance(state, variable.Variable):
        raise _TypeAssertionError(
            f'{name} must be a chainer.Variable, got {type(state).__name__}')
    state.to_device(link.device)
    return state


def accept_states(visitor: Any, *states: Any) -> None:
    """Lets a device visitor move the state Variables that are set."""
    for s in states:
        if s is not None:
            visitor.visit_variable(s)


class HiddenState:
    """Mixin of links that keep a state ``h`` between calls."""

    h: Any = None

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        accept_states(visitor, self.h)

    def set_state(self, h: VariableOrArray) -> None:
        """Sets the state ``h`` (a Variable, moved to the link's device)."""
        self.h = adopt(self, h, 'h')

    def reset_state(self) -> None:
        """Forgets the state."""
        self.h = None


class CellAndHiddenState:
    """Mixin of links that keep a cell state ``c`` and an output ``h`` between calls."""

    c: Any = None
    h: Any = None

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        accept_states(visitor, self.c, self.h)

    def set_state(self, c: VariableOrArray, h: VariableOrArray) -> None:
        """Sets the cell state ``c`` and the output ``h`` (Variables, moved to the
        link's device)."""
        self.c = adopt(self, c, 'c')
        self.h = adopt(self, h, 'h')

    def reset_state(self) -> None:
        """Forgets the state."""
        self.c = self.h = None
