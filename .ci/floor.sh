#!/usr/bin/env bash
# The dependency floor: a fresh virtual environment with the oldest releases that
# pyproject.toml allows (.ci/floor-constraints.txt), ruff, and the tests of the parts
# that lean on those dependencies (ONNX, MPI, protobuf, HDF5, SciPy, matplotlib, docs),
# with the oldest Python where there is one (the main suite runs on newer ones).
set -euo pipefail
cd "$(dirname "$0")/.."
# The pins have wheels for Python 3.10 and 3.11 only (pillow 9.2, onnx 1.14 and
# NumPy 2.0 would build from source on 3.12+): use one of those, 3.10 first.
py=
# A pyenv install of 3.10 counts too: its shim runs only where 3.10 is selected.
for cand in "${FLOOR_PYTHON:-}" python3.10 "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.10*/bin/python3.10 \
    python3.11 python3 python; do
  if [ -n "$cand" ] && command -v "$cand" >/dev/null \
      && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 10), (3, 11)))' 2>/dev/null; then
    py="$cand"; break
  fi
done
if [ -z "$py" ]; then
  echo 'floor.sh: needs Python 3.10 or 3.11 (set FLOOR_PYTHON)' >&2
  exit 1
fi
echo "floor: $("$py" -V 2>&1) with .ci/floor-constraints.txt"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
venv="$tmp/floor"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  -c .ci/floor-constraints.txt '.[test]'
"$venv/bin/ruff" check .
"$venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/onnx_chainer_tests tests/chainermn_tests tests/docs_tests \
  tests/chainer_tests/links_tests/caffe_tests tests/chainer_tests/exporters_tests \
  tests/chainer_tests/dataset_tests tests/chainer_tests/distributions_tests \
  tests/chainer_tests/interop_tests tests/chainer_tests/serializers_tests \
  tests/chainer_tests/training_tests/test_plot_extensions.py \
  tests/chainer_tests/test_link.py tests/chainer_tests/test_thread_state.py
