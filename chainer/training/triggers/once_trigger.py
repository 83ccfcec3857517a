"""A trigger that fires only once."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


class OnceTrigger:
    """Fires on its first call only (and again after resuming if ``call_on_resume``)."""

    def __init__(self, call_on_resume: bool = False) -> None:
        self._flag_first = True
        self._flag_resumed = call_on_resume

    @property
    def finished(self) -> bool:
        """True once the trigger will not fire any more."""
        return not (self._flag_first or self._flag_resumed)

    def __call__(self, trainer: Trainer) -> bool:
        fire = not self.finished
        self._flag_resumed = False
        self._flag_first = False
        return fire

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads whether the trigger already fired.

        Snapshots written before the flag was saved lack it: the trigger then
        assumes it already fired (with a warning), as Chainer did.
        """
        try:
            self._flag_first = bool(serializer('_flag_first', self._flag_first))
        except KeyError:
            warnings.warn(
                'The flag is not saved: the snapshot holds no state of this OnceTrigger, so '
                'it is assumed to have fired already. If the snapshot was taken before '
                'its first call, it will not fire.')
            self._flag_first = False
