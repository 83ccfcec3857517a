"""DumpGraph: writes the computational graph of a reported Variable as a dot file."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chainer import computational_graph
from chainer import configuration
from chainer import variable
from chainer.training import extension
from chainer.utils import _atomic
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer

_var_style = {'shape': 'octagon', 'fillcolor': '#E0E0E0', 'style': 'filled'}
_func_style = {'shape': 'record', 'fillcolor': '#6495ED', 'style': 'filled'}


def is_return_code_zero(args: Sequence[str]) -> bool:
    """Whether the command ``args`` runs and exits with status 0 (output discarded)."""
    try:
        subprocess.run(list(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
    except (subprocess.CalledProcessError, OSError):
        return False
    return True


def is_graphviz_available() -> bool:
    """Whether Graphviz's ``dot`` command can be run (to render dumped graphs)."""
    return is_return_code_zero(['dot', '-V'])


class DumpGraph(extension.Extension):
    """Writes the graph of the observed Variable ``root_name`` (e.g. ``'main/loss'``).

    It runs once, at the first iteration, and keeps the graph of reported
    values alive until then (``chainer.config.keep_graph_on_report``).

    Args:
        root_name (str): Observation key of the root Variable.
        filename (str): Output file under ``trainer.out`` (default
            ``'cg.dot'``; the old ``out_name`` argument is accepted).
        variable_style (dict): Dot attributes of variables.
        function_style (dict): Dot attributes of functions.
    """

    default_name = 'dump_graph'

    def __init__(self, root_name: str, filename: str | None = None,
                 variable_style: dict | None = None, function_style: dict | None = None,
                 **kwargs: Any) -> None:
        out_name, = argument.parse_kwargs(kwargs, ('out_name', 'cg.dot'))
        if filename is None:
            filename = out_name
        self._root_name = root_name
        self._filename = filename
        if variable_style is None:
            variable_style = _var_style
        if function_style is None:
            function_style = _func_style
        self._variable_style = variable_style
        self._function_style = function_style
        self._original_flag: Any = None
        self._flag_called = False
        self._flag_set = False

    def initialize(self, _: Any) -> None:
        if not self._flag_called:
            self._original_flag = configuration.config.keep_graph_on_report
            configuration.config.keep_graph_on_report = True
            self._flag_set = True

    def finalize(self) -> None:
        # A run that ends before the first dump must not leave the flag on.
        if self._flag_set:
            configuration.config.keep_graph_on_report = self._original_flag
            self._flag_set = False

    def trigger(self, _: Any) -> bool:  # type: ignore[override]
        # A method rather than the usual tuple: fires at the first call only.
        if self._flag_called:
            return False
        self._flag_called = True
        return True

    def __call__(self, trainer: Trainer) -> None:
        try:
            if self._root_name not in trainer.observation:
                raise KeyError(
                    f'DumpGraph: {self._root_name!r} is not in the observation '
                    f'(observed keys: {sorted(trainer.observation)})')
            var = trainer.observation[self._root_name]
            if not isinstance(var, variable.Variable):
                raise TypeError(
                    f'DumpGraph: root value {self._root_name!r} is not a Variable '
                    f'but {type(var).__name__}')
            cg = computational_graph.build_computational_graph(
                [var], variable_style=self._variable_style,
                function_style=self._function_style).dump()
            _atomic.write_text(os.path.join(trainer.out, self._filename), cg,
                               create_directory=True)
        finally:
            configuration.config.keep_graph_on_report = self._original_flag
            self._flag_set = False

    def serialize(self, serializer: AbstractSerializer) -> None:
        original_flag = serializer('_original_flag', self._original_flag)
        flag_called = bool(serializer('_flag_called', self._flag_called))
        if not getattr(serializer, 'checking', False):
            self._original_flag = original_flag
            self._flag_called = flag_called


# Chainer's older, function-like name of the same extension.
dump_graph = DumpGraph
