"""chainer._runtime_info.print_runtime_info."""
import io

import numpy

import chainer
from chainer import _runtime_info


def _lines(text):
    return text.splitlines()


def test_print_runtime_info_lines():
    out = io.StringIO()
    _runtime_info.print_runtime_info(out)
    lines = _lines(out.getvalue())
    assert lines[0].startswith('Platform: ')
    assert lines[1] == f"Chainer: {getattr(chainer, '__version__', '7.8.1')}"
    assert lines[2].startswith('rechainer: ')
    assert lines[3] == 'ChainerX: Not Available'
    assert lines[4] == f'NumPy: {numpy.__version__}'
    if not chainer.backends.cuda.available:
        assert lines[5] == 'CuPy: Not Available'
    else:
        assert lines[5] == 'CuPy:'
    assert lines[-1] == 'iDeep: Not Available'


def test_versions_from_package():
    info = _runtime_info._get_runtime_info()
    if hasattr(chainer, '__version__'):
        assert info.chainer_version == chainer.__version__ == '7.8.1'
    if hasattr(chainer, '_rechainer_version'):
        assert info.rechainer_version == chainer._rechainer_version
    assert str(info).startswith('Platform: ')


def test_print_runtime_info_stdout(capsys):
    _runtime_info.print_runtime_info()
    captured = capsys.readouterr().out
    assert 'NumPy: ' in captured
    assert captured.endswith('\n')


def test_top_level_reexport_if_present():
    if hasattr(chainer, 'print_runtime_info'):
        assert chainer.print_runtime_info is _runtime_info.print_runtime_info
