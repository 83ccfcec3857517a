"""LayerNormalization: layer normalization with learned scale and shift."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from chainer import function_node
from chainer import functions
from chainer import utils
from chainer import variable
from chainer.links.normalization._scale_shift import ScaleShiftLink
from chainer.functions.normalization.layer_normalization import layer_normalization

if TYPE_CHECKING:
    from chainer.types import InitializerSpec, VariableOrArray


class LayerNormalization(ScaleShiftLink):
    """Layer normalization layer (Ba et al., 2016).

    Args:
        size (int or None): Number of units of each sample; None defers it to the
            first call (the product of the input's non-batch axes).
        eps (float): Added to the variances.
        initial_gamma, initial_beta: Initializers of the scale (default 1) and
            shift (default 0).
    """

    def __init__(self, size: Optional[int] = None, eps: float = 1e-6,
                 initial_gamma: InitializerSpec | None = None,
                 initial_beta: InitializerSpec | None = None) -> None:
        super().__init__(size, initial_gamma, initial_beta)
        self.eps = eps

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Normalizes each sample (row) of ``x``; extra axes are flattened, fewer than
        two axes are an ``InvalidType`` (as in Chainer)."""
        function_node._check_input(x)
        shape = variable.as_array(x).shape
        if self.gamma.array is None or self.beta.array is None:
            self._initialize_params(utils.size_of_shape(shape[1:]))
        if len(shape) > 2:
            x = functions.reshape(x, (shape[0], -1 if shape[0] else self.gamma.size))
            return functions.reshape(
                layer_normalization(x, self.gamma, self.beta, self.eps), shape)
        return layer_normalization(x, self.gamma, self.beta, self.eps)
