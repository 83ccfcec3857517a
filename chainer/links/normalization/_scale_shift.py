"""Base of the normalization links that learn a per-unit scale and shift."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import chainer
from chainer import initializers
from chainer import link
from chainer import variable

if TYPE_CHECKING:
    from chainer.types import DTypeSpec, InitializerSpec


class ScaleShiftLink(link.Link):
    """Holds ``gamma`` (default 1) and ``beta`` (default 0) of shape ``(size,)``;
    ``size=None`` leaves them to :meth:`_initialize_params` at the first call;
    ``dtype``, where given, is set on both initializers (as Chainer did).
    Without ``dtype`` an initial array becomes the parameter itself, as in
    Chainer: it keeps its own dtype and shape whatever ``config.dtype`` is."""

    def __init__(self, size: Optional[int], initial_gamma: InitializerSpec,
                 initial_beta: InitializerSpec, dtype: DTypeSpec | None = None) -> None:
        super().__init__()
        inits = [1 if initial_gamma is None else initial_gamma,
                 0 if initial_beta is None else initial_beta]
        if dtype is not None:
            inits = [initializers._get_initializer(v) for v in inits]
            for init in inits:
                init.dtype = dtype
        else:
            inits = [v if isinstance(v, chainer.get_array_types())
                     else initializers._get_initializer(v) for v in inits]
        with self.init_scope():
            self.gamma = variable.Parameter(inits[0])
            self.beta = variable.Parameter(inits[1])
        if size is not None:
            self._initialize_params(size)
            # A shape tuple as size works too, as in Chainer (LayerNormalization((4,))).
            expected = tuple(size) if isinstance(size, (tuple, list)) else (size,)
            for name in ('gamma', 'beta'):
                shape = getattr(self, name).shape
                if shape != expected:
                    raise ValueError(
                        f'initial_{name} has shape {shape}, but size={size} needs {expected}')

    def _initialize_params(self, size: int) -> None:
        for param in (self.gamma, self.beta):
            if param.array is None:
                param.initialize(size)
