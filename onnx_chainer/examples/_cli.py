"""What the example exporters share: export with optional test data, and the CLI."""
from __future__ import annotations

import argparse
from typing import Any, Callable

from onnx_chainer import export, export_testcase


def export_model(model: Any, x: Any, out: str, opset_version: Any = None,
                 testcase_dir: Any = None) -> Any:
    """Exports ``model`` on ``x`` to ``out``; with ``testcase_dir`` also writes test data."""
    if testcase_dir:
        export_testcase(model, x, testcase_dir, opset_version=opset_version)
    return export(model, x, out, opset_version=opset_version)


def main(export_onnx: Callable, default_out: str, doc: str, argv: Any = None) -> None:
    """Parses ``--out --weights --opset --testcase-dir`` and calls ``export_onnx``."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument('--out', default=default_out)
    parser.add_argument('--weights', default=None)
    parser.add_argument('--opset', type=int, default=None)
    parser.add_argument('--testcase-dir', default=None)
    args = parser.parse_args(argv)
    export_onnx(args.out, args.weights, opset_version=args.opset,
                testcase_dir=args.testcase_dir)
