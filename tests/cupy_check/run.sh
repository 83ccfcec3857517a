#!/usr/bin/env bash
# Checks what a test run used of CuPy (its RECHAINER_CUPY_LOG file), and the
# CuPy names the package spells out, against CuPy itself: names and calls,
# ufunc typing, and every kernel compiled with NVRTC (see check.py). CuPy and
# NVRTC go into a virtual environment of their own: installed beside the
# tests, CuPy would make them look for a GPU.
#
#   bash tests/cupy_check/run.sh LOG [VERSION | REQUIREMENTS ...]
#
# Each VERSION (14: requirements.txt, 13: requirements-13.txt) or requirements
# file is checked in turn, in an environment of its own; without one, those in
# RECHAINER_CUPY_CHECK_VERSIONS (default: "14 13", both versions the package
# supports; CuPy 13 adds about a minute). RECHAINER_CUPY_CHECK_VENV names
# the environment for requirements.txt (made, or reused, there); another
# requirements file's is that name with the file's suffix (-13).
set -euo pipefail
log=${1:?usage: bash tests/cupy_check/run.sh LOG [VERSION | REQUIREMENTS ...]}
shift
[ $# -gt 0 ] || set -- ${RECHAINER_CUPY_CHECK_VERSIONS:-14 13}
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base=${RECHAINER_CUPY_CHECK_VENV:-${TMPDIR:-/tmp}/rechainer-cupy-check-venv}
status=0
for what in "$@"; do
  case $what in
    14) requirements=$here/requirements.txt ;;
    13) requirements=$here/requirements-13.txt ;;
    *) requirements=$what ;;
  esac
  [ -f "$requirements" ] || { echo "run.sh: no requirements for '$what'" >&2; exit 2; }
  suffix=$(basename "$requirements" .txt)
  suffix=${suffix#requirements}
  venv=$base${suffix:+-${suffix#-}}
  [ -x "$venv/bin/python" ] || python -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
  "$venv/bin/python" "$here/check.py" "$log" \
    --source "$root/chainer" "$root/chainermn" "$root/onnx_chainer" "$root/benchmarks" \
    "$root/examples" || status=1
done
exit $status
