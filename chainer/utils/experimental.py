"""Warnings for experimental and nondeterministic features."""
from __future__ import annotations

import warnings

import chainer


def experimental(api_name: str) -> None:
    """Warns (``FutureWarning``) that ``api_name`` is experimental.

    Silenced by ``chainer.disable_experimental_feature_warning = True``.
    """
    if not chainer.disable_experimental_feature_warning:
        warnings.warn(
            f'{api_name} is experimental. The interface can change in the future. '
            'Set chainer.disable_experimental_feature_warning = True to hide this warning.',
            FutureWarning)


def nondeterministic(f_name: str) -> None:
    """Warns that ``f_name`` may compute nondeterministically (``config.warn_nondeterministic``)."""
    if chainer.config.warn_nondeterministic:
        warnings.warn('Potentially non-deterministic code is being executed while '
                      f'config.warn_nondeterministic set. Source: {f_name}')
