"""chainer.testing.attr: the marks are looked up when used, not on import."""
import os
import pathlib
import subprocess
import sys

from chainer.testing import attr


def test_importing_attr_needs_only_the_gpu_mark_registered(tmp_path):
    # A project that registers only the ``gpu`` marker (which chainer.testing
    # uses on import) and turns pytest's unknown-mark warning into an error
    # can still import attr (Chainer's did).
    (tmp_path / 'pytest.ini').write_text('[pytest]\nmarkers =\n    gpu\n')
    (tmp_path / 'test_plain.py').write_text(
        'from chainer.testing import attr  # noqa: F401\n\n'
        'def test_nothing():\n    pass\n')
    env = dict(os.environ)
    root = str(pathlib.Path(__file__).parents[3])
    env['PYTHONPATH'] = os.pathsep.join([root, env.get('PYTHONPATH', '')])
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         '-W', 'error::pytest.PytestUnknownMarkWarning', 'test_plain.py'],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '1 passed' in proc.stdout
    assert 'warning' not in proc.stdout


def test_marks_still_mark_when_used():
    def test_f():
        pass
    for deco, name in ((attr.slow, 'slow'), (attr.cudnn, 'cudnn'),
                       (attr.ideep, 'ideep'), (attr.chainerx, 'chainerx')):
        marked = deco(test_f)
        assert name in [m.name for m in marked.pytestmark]
        assert deco.__name__ == name
