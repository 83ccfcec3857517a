#!/bin/bash
# Chainer's own test suite, run against this checkout: a development aid, not part of .ci/run.
# Chainer 7.7.0's source package is the last one that ships its tests (7.8.1's does not).
#
#   bash .ci/upstream/run.sh [--oracle | --stand-in] [pytest args]   (default: tests/chainer_tests)
#
# Ours runs from this checkout (PYTHONPATH) on NumPy 2; --oracle runs the same tests on real
# Chainer 7.8.1 with NumPy 1.26, to tell Chainer's own failures from ours. --stand-in runs ours
# with tests/cupy_stand_in as CuPy and its rounding noise off (Chainer's float16 tolerances are
# tighter), for Chainer's gpu tests: add -m 'gpu and not cudnn and not multi_gpu'. Each side gets a
# venv of its own under $RECHAINER_UPSTREAM_DIR (default ~/.cache/rechainer-upstream), and
# writes <side>.xml there; `python .ci/upstream/compare.py oracle.xml ours.xml` lists the
# tests that pass on Chainer and not on ours. The CPU selection takes about 5 minutes a side.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${RECHAINER_UPSTREAM_DIR:-$HOME/.cache/rechainer-upstream}
url=https://files.pythonhosted.org/packages/43/ef/0ea4eec4b3e31a8bb51c9345e3b1c816b9014a35f1fbbcb3e7c93ff3356a/chainer-7.7.0.tar.gz
sha=efbe8d67138213f336566ecdc10357285dd7e18d5ca52fc0187df6189107d47b
side=ours
stand_in=
if [ "${1:-}" = --oracle ]; then side=oracle; shift; fi
if [ "${1:-}" = --stand-in ]; then stand_in=$repo/tests/cupy_stand_in:; shift; fi
[ $# -gt 0 ] || set -- tests/chainer_tests
mkdir -p "$work"

if [ ! -f "$work/suite/setup.cfg" ]; then
  curl -sSfL "$url" -o "$work/chainer-7.7.0.tar.gz"
  echo "$sha  $work/chainer-7.7.0.tar.gz" | sha256sum -c --quiet -
  rm -rf "$work/suite" && mkdir -p "$work/suite"
  tar xzf "$work/chainer-7.7.0.tar.gz" -C "$work/suite" --strip-components=1 \
    chainer-7.7.0/tests chainer-7.7.0/setup.cfg
  # Warnings of today's toolchains that Chainer's filters (errors by default) predate.
  python3 - "$work/suite/setup.cfg" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
extra = ('\tignore:(?s).*numpy\\.distutils:DeprecationWarning\n'
         '\tignore:msvccompiler is deprecated:DeprecationWarning\n'
         '\tignore:.*is now deprecated and will be removed in a future release:DeprecationWarning\n')
text = text.replace('\tdefault::ImportWarning\n', '\tdefault::ImportWarning\n' + extra)
open(path, 'w').write(text)
PY
fi

venv=$work/venv-$side
common=(scipy h5py pillow matplotlib 'pytest<9' mock filelock protobuf six typing_extensions)
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  if [ $side = oracle ]; then
    "$venv/bin/pip" install -q 'numpy==1.26.4' 'setuptools<70' wheel 'scipy<1.14' "${common[@]}"
    "$venv/bin/pip" install -q --no-build-isolation 'chainer==7.8.1'
  else
    "$venv/bin/pip" install -q 'numpy>=2' "${common[@]}"
  fi
fi

cd "$work/suite"
if [ $side = oracle ]; then
  pythonpath=
  plugin=()
else
  pythonpath=$repo:$stand_in$repo/.ci/upstream
  plugin=(-p numpy1_names)
fi
set +e
PYTHONPATH=$pythonpath RECHAINER_STAND_IN_ULPS=0 OMP_NUM_THREADS=1 MPLBACKEND=Agg "$venv/bin/python" -m pytest \
  -p no:cacheprovider "${plugin[@]}" -q --continue-on-collection-errors \
  -m 'not gpu and not cudnn and not ideep and not slow and not multi_gpu' \
  --junitxml="$work/$side.xml" "$@" > "$work/$side.log" 2>&1
rc=$?
set -e
tail -n 1 "$work/$side.log"
echo "results: $work/$side.xml (log: $work/$side.log)"
exit $rc
