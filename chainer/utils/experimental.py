"""The warning for experimental features."""
from __future__ import annotations

import warnings

import chainer
from chainer.utils.nondeterministic import nondeterministic  # NOQA: F401 (its old home)


def experimental(api_name: str) -> None:
    """Warns (``FutureWarning``) that ``api_name`` is experimental.

    Silenced by ``chainer.disable_experimental_feature_warning = True``.
    """
    if not chainer.disable_experimental_feature_warning:
        warnings.warn(
            f'{api_name} is experimental. The interface can change in the future. '
            'Set chainer.disable_experimental_feature_warning = True to hide this warning.',
            FutureWarning)

