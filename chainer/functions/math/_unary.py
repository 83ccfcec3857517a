"""The base of the elementwise functions of one float input computed by one array function."""
from __future__ import annotations

from typing import Any

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check


class Unary(function_node.FunctionNode):
    """``xp.<_name>(x)`` (NumPy or CuPy) of one float input ``x``, labelled ``_name``.

    A subclass names the function and writes the ``backward``, which reads ``x``
    (``_keeps_x``) and/or the output (``_keeps_y``); :meth:`_compute` is the array
    function where it is not ``xp.<_name>``.
    """

    is_elementwise = True
    _name = ''
    _keeps_x = True
    _keeps_y = False
    # The name of the input in InvalidType messages; None: Chainer's unnamed in_types[0].
    _input_name: str | None = 'x'

    @property
    def label(self):
        return self._name

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, self._input_name)

    def _compute(self, x: Any) -> Any:
        return getattr(backend.get_array_module(x), self._name)(x)

    def forward(self, inputs):
        if self._keeps_x:
            self.retain_inputs((0,))
        if self._keeps_y:
            self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(self._compute(x)),
