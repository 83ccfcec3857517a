"""Writing output files atomically: into a temporary file, then renamed."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any, Callable


def write_atomically(path: str, write: Callable[[str], Any]) -> None:
    """Calls ``write(tmp_path)`` and moves the result to ``path`` with ``os.replace``.

    The temporary file lives in a fresh directory beside ``path`` and keeps
    the final base name (some savers look at the suffix), so a crash never
    leaves a partial file under the final name.
    """
    directory = os.path.dirname(path) or '.'
    os.makedirs(directory, exist_ok=True)
    base = os.path.basename(path)
    tmpdir = tempfile.mkdtemp(prefix=f'tmp{base}', dir=directory)
    try:
        tmp_path = os.path.join(tmpdir, base)
        write(tmp_path)
        os.replace(tmp_path, path)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_text_atomically(path: str, text: str) -> None:
    """Writes ``text`` to ``path`` atomically."""
    def write(tmp_path: str) -> None:
        with open(tmp_path, 'w', encoding='utf-8') as f:
            f.write(text)
    write_atomically(path, write)
