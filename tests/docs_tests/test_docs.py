"""The code in README.md and docs/*.md runs and prints what the pages show.

Every ```python block is run in a fresh namespace in a temporary directory
(the markers that skip it, give it the user's model, or check what its
comments say are described in ``_markdown.py``); the README's CI command is
``.ci/run``'s.
"""
from __future__ import annotations

import contextlib
import doctest
import importlib.util
import io
import random

import numpy as np
import pytest

import chainer
from tests.docs_tests import _markdown

BLOCKS = _markdown.all_blocks()
PYTHON = [b for b in BLOCKS if b.lang == 'python']


def test_pages_have_python_blocks():
    assert len(PYTHON) >= 9


@pytest.fixture(autouse=True)
def _fresh_state(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np_state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(0)
    random.seed(0)
    with chainer.using_config('train', True):
        yield
    np.random.set_state(np_state)
    random.setstate(py_state)


def _run(code: str, namespace: dict, name: str) -> None:
    exec(compile(code, name, 'exec'), namespace)


@pytest.mark.parametrize('block', PYTHON, ids=[b.id for b in PYTHON])
def test_python_block(block):
    if 'skip-test' in block.before:
        pytest.skip(block.before['skip-test'])
    for module in block.before.get('test-requires', '').split():
        if importlib.util.find_spec(module) is None:
            pytest.skip(f'needs {module}')
    namespace: dict = {'__name__': '__docs__'}
    if 'test-setup' in block.before:
        _run(block.before['test-setup'], namespace, f'{block.id} (setup)')
    if block.code.lstrip().startswith('>>>'):
        test = doctest.DocTestParser().get_doctest(
            block.code, namespace, block.id, block.page, block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        out = io.StringIO()
        result = runner.run(test, out=out.write)
        assert result.failed == 0, out.getvalue()
    else:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            _run(block.code, namespace, block.id)
        if block.output is not None:
            assert out.getvalue().rstrip().splitlines() == block.output.rstrip().splitlines()
    if 'test-check' in block.after:
        _run(block.after['test-check'], namespace, f'{block.id} (check)')


def test_every_python_block_is_run_or_says_why_not():
    for block in PYTHON:
        reason = block.before.get('skip-test')
        assert reason is None or reason.strip(), f'{block.id}: skip-test needs a reason'


def test_markers_sit_on_python_blocks():
    for block in BLOCKS:
        if block.lang != 'python':
            assert not block.before, f'{block.id}: test markers before a {block.lang!r} block'


def _shell_command(text: str) -> str:
    return ' '.join(text.replace('\\\n', ' ').split())


def test_readme_ci_command_is_ci_run():
    readme = [b for b in BLOCKS if b.page == 'README.md' and b.lang == 'sh']
    ci = (_markdown.ROOT / '.ci' / 'run').read_text(encoding='utf-8')
    body = '\n'.join(line for line in ci.splitlines()
                     if line.strip() and not line.startswith(('#', 'set ', 'cd ')))
    assert _shell_command(body) in [_shell_command(b.code) for b in readme]


def test_contributing_commands_are_ci_run():
    text = (_markdown.ROOT / 'CONTRIBUTING.md').read_text(encoding='utf-8')
    block = _markdown.read_blocks(_markdown.ROOT / 'CONTRIBUTING.md')[0]
    ci = _shell_command((_markdown.ROOT / '.ci' / 'run').read_text(encoding='utf-8'))
    for line in block.code.splitlines():
        command = line.split('#')[0].strip().replace('pip install -e ', 'pip install ')
        assert command in ci, f'CONTRIBUTING.md runs {command!r}, .ci/run does not'
    assert '.ci/run' in text


def test_install_extras_named_in_the_pages_exist():
    tomllib = pytest.importorskip('tomllib')  # Python 3.11+; the floor runs 3.10 too
    project = tomllib.loads((_markdown.ROOT / 'pyproject.toml').read_text(encoding='utf-8'))
    extras = set(project['project']['optional-dependencies'])
    import re
    named = set()
    for page in _markdown.PAGES:
        named |= set(re.findall(r"pip install '(?:\.|rechainer)\[(\w+)\]'",
                                page.read_text(encoding='utf-8')))
    assert named and named <= extras, named - extras


def test_markers_and_output_blocks_are_read(tmp_path):
    page = tmp_path / 'page.md'
    page.write_text(
        'Text.\n\n<!-- skip-test: needs a GPU -->\n```python\nimport cupy\n```\n\n'
        '<!-- test-setup:\nx = 2\n-->\n```python\nprint(x * 3)\n```\n'
        '<!-- test-check:\nassert x == 2\n-->\n```output\n6\n```\n'
        '```python\n>>> 1 + 1\n2\n```\n', encoding='utf-8')
    monkey_root = _markdown.ROOT
    try:
        _markdown.ROOT = tmp_path
        skipped, printed, output, doctested = _markdown.read_blocks(page)
    finally:
        _markdown.ROOT = monkey_root
    assert skipped.before == {'skip-test': 'needs a GPU'}
    assert printed.before == {'test-setup': '\nx = 2\n'.strip('\n')}
    assert printed.after == {'test-check': 'assert x == 2'}
    assert printed.output == '6\n' and output.lang == 'output'
    assert doctested.code.startswith('>>>')
    for block in (printed, doctested):
        test_python_block(block)


def test_wrong_output_fails(tmp_path):
    block = _markdown.Block('page.md', 1, 'python', 'print(5)\n', {}, {}, output='6\n')
    with pytest.raises(AssertionError):
        test_python_block(block)
    block = _markdown.Block('page.md', 1, 'python', '>>> 1 + 1\n3\n', {}, {})
    with pytest.raises(AssertionError):
        test_python_block(block)


def test_paths_named_in_the_pages_exist():
    import re
    pattern = re.compile(
        r'`(?:python |bash )?((?:examples|benchmarks|tests|docs|chainer|chainermn'
        r'|onnx_chainer|\.ci)/[A-Za-z0-9_./-]*)')
    missing = []
    for page in _markdown.PAGES:
        for path in pattern.findall(page.read_text(encoding='utf-8')):
            if not (_markdown.ROOT / path.rstrip('.')).exists():
                missing.append(f'{page.name}: {path}')
    assert not missing, missing
