#!/usr/bin/env bash
# Compiles the CuPy kernels that a test run launched (its RECHAINER_KERNEL_LOG
# file) with CuPy's code generator and NVRTC, in a virtual environment of their
# own: installing CuPy beside the tests would make them look for a GPU.
#
#   bash tests/nvrtc/run.sh KERNEL_LOG
#
# RECHAINER_NVRTC_VENV names the environment (made, or reused, there).
set -euo pipefail
log=${1:?usage: bash tests/nvrtc/run.sh KERNEL_LOG}
here="$(cd "$(dirname "$0")" && pwd)"
venv=${RECHAINER_NVRTC_VENV:-${TMPDIR:-/tmp}/rechainer-nvrtc-venv}
[ -x "$venv/bin/python" ] || python -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" "$here/check_kernels.py" "$log"
