#!/usr/bin/env bash
# Checks what a test run used of CuPy (its RECHAINER_CUPY_LOG file), and the
# CuPy names the package spells out, against CuPy 14 itself: names and calls,
# ufunc typing, and every kernel compiled with NVRTC (see check.py). CuPy and
# NVRTC go into a virtual environment of their own: installed beside the
# tests, CuPy would make them look for a GPU.
#
#   bash tests/cupy_check/run.sh LOG
#
# RECHAINER_CUPY_CHECK_VENV names the environment (made, or reused, there).
set -euo pipefail
log=${1:?usage: bash tests/cupy_check/run.sh LOG}
here="$(cd "$(dirname "$0")" && pwd)"
venv=${RECHAINER_CUPY_CHECK_VENV:-${TMPDIR:-/tmp}/rechainer-cupy-check-venv}
[ -x "$venv/bin/python" ] || python -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
root="$(cd "$here/../.." && pwd)"
"$venv/bin/python" "$here/check.py" "$log" \
  --source "$root/chainer" "$root/chainermn" "$root/onnx_chainer" "$root/benchmarks" \
  "$root/examples"
