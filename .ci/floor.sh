#!/usr/bin/env bash
# The dependency floor: a fresh virtual environment with the oldest releases that
# pyproject.toml allows (.ci/floor-constraints.txt), ruff, and the tests of the parts
# that lean on those dependencies (ONNX, MPI, protobuf, HDF5, SciPy, matplotlib, docs).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/floor"
python -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  -c .ci/floor-constraints.txt '.[test]'
"$venv/bin/ruff" check .
"$venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/onnx_chainer_tests tests/chainermn_tests tests/docs_tests \
  tests/chainer_tests/links_tests/caffe_tests tests/chainer_tests/exporters_tests \
  tests/chainer_tests/dataset_tests tests/chainer_tests/distributions_tests \
  tests/chainer_tests/interop_tests tests/chainer_tests/serializers_tests \
  tests/chainer_tests/training_tests/test_plot_extensions.py
