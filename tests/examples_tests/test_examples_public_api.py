"""The examples run under Chainer 7.8.1 too: they import none of this project's private modules."""
from __future__ import annotations

import ast
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
_PACKAGES = ('chainer', 'chainermn', 'chainerx', 'onnx_chainer')


def _private_uses(path: pathlib.Path) -> list:
    uses = []
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module + '.' + alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split('.')
            if parts[0] in _PACKAGES and any(p.startswith('_') for p in parts[1:]):
                uses.append(f'{path.relative_to(REPO)}:{node.lineno}: {name}')
    return uses


def test_examples_import_no_private_module():
    uses = [use for path in sorted((REPO / 'examples').rglob('*.py'))
            for use in _private_uses(path)]
    assert not uses, uses
