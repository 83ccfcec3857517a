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
            f'{api_name} is experimental. Its API may be changed in a future release. '
            'Set chainer.disable_experimental_feature_warning = True to hide this warning.',
            FutureWarning)


def nondeterministic(f_name: str) -> None:
    """Warns that ``f_name`` may compute nondeterministically (``config.warn_nondeterministic``)."""
    if chainer.config.warn_nondeterministic:
        warnings.warn(f'Potentially nondeterministic computation {f_name}')
