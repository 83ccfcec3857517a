#!/usr/bin/env bash
# The whole GPU check in one run: environment facts, the `gpu`-marked tests in
# parallel, then the GPU benchmarks. Results go to $OUT (a temporary folder when
# unset): env.txt, gpu-tests.log (with pytest's summary), gpu-progress.txt (each
# test's outcome as it ends), gpu-junit.xml, bench.txt, host_costs.txt, profile.txt.
#
#   bash benchmarks/gpu/run.sh             # on a machine with CuPy and a GPU
#   bash benchmarks/gpu/run.sh --dry-run   # anywhere: checks that the script starts
#   bash benchmarks/gpu/run.sh --only-failed FILE
#       # the second run: only the tests that failed in FILE (a gpu-progress.txt
#       # of the first run, copied into the tree), then the benchmarks again
#
# Environment: TEST_BUDGET_S (default 300) bounds the test phase so the
# benchmarks always run; PYTEST_WORKERS (default 14) sets pytest-xdist's -n;
# BENCH=0 and PROFILE=0 leave out the benchmarks and the profile.
set -uo pipefail
DRY=0
ONLY_FAILED=""
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) DRY=1 ;;
        --only-failed)
            [ -f "${2:-}" ] || { echo "--only-failed needs a progress file" >&2; exit 2; }
            ONLY_FAILED=$(realpath "$2"); shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
cd "$(dirname "$0")/../.."
TESTS=()
if [ -n "$ONLY_FAILED" ]; then
    mapfile -t TESTS < <(grep -E '^(failed|error) ' "$ONLY_FAILED" | cut -d' ' -f2- | sort -u)
    echo "only the ${#TESTS[@]} tests that failed in $ONLY_FAILED"
fi
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export CUPY_CACHE_DIR="${CUPY_CACHE_DIR:-/tmp/rechainer-cupy-cache}"
PY=${PYTHON:-python3}

echo "== environment" | tee "$OUT/env.txt"
$PY - <<'EOF' 2>&1 | tee -a "$OUT/env.txt"
import platform, numpy, chainer
print('python', platform.python_version(), '| numpy', numpy.__version__,
      '| rechainer', chainer.__version__)
try:
    import cupy
    print('cupy', cupy.__version__, '| CUDA runtime', cupy.cuda.runtime.runtimeGetVersion(),
          '| devices', cupy.cuda.runtime.getDeviceCount())
    print('GPU', cupy.cuda.runtime.getDeviceProperties(0)['name'].decode())
except Exception as e:  # no CuPy or no GPU
    print('cupy unavailable:', type(e).__name__, e)
try:
    import torch
    print('torch', torch.__version__, '| cuda', torch.cuda.is_available())
except Exception as e:
    print('torch unavailable:', type(e).__name__)
EOF

if [ $DRY = 1 ]; then
    echo "== gpu tests (dry run: collection only)"
    if [ -z "$ONLY_FAILED" ] || [ ${#TESTS[@]} -gt 0 ]; then
        $PY -m pytest -q --collect-only -m gpu -p no:cacheprovider "${TESTS[@]}" 2>&1 \
            | tail -n 1 | tee "$OUT/gpu-tests.log"
    fi
    [ "${BENCH:-1}" = 1 ] || exit 0
    echo "== benchmarks (dry run)"
    $PY benchmarks/gpu/bench.py --dry-run 2>&1 | tee "$OUT/bench.txt"
    BENCH_RC=${PIPESTATUS[0]}
    $PY benchmarks/gpu/host_costs.py --dry-run 2>&1 | tee "$OUT/host_costs.txt"
    HOST_RC=${PIPESTATUS[0]}
    [ "$BENCH_RC" = 0 ] && exit "$HOST_RC"
    exit "$BENCH_RC"
fi

echo "== warming CuPy's kernel cache"
$PY - <<'EOF'
import cupy
x = cupy.arange(10, dtype=cupy.float32)
(x * 2 + 1).sum().get(); cupy.exp(x).max().get()
EOF

echo "== gpu tests"
XDIST=""
$PY -c "import xdist" 2>/dev/null && XDIST="-n ${PYTEST_WORKERS:-14}"
TIMEOUT=""
$PY -c "import pytest_timeout" 2>/dev/null && TIMEOUT="--timeout 120"
# Outcomes are written as tests end, so a run cut at the budget still reports.
export RECHAINER_TEST_PROGRESS="$OUT/gpu-progress.txt"
: > "$RECHAINER_TEST_PROGRESS"
if [ -n "$ONLY_FAILED" ] && [ ${#TESTS[@]} = 0 ]; then
    echo "no test failed there" > "$OUT/gpu-tests.log"
    TEST_RC=0
else
    timeout "${TEST_BUDGET_S:-300}" $PY -m pytest -q -m gpu $XDIST $TIMEOUT \
        -p no:cacheprovider -o addopts="" --continue-on-collection-errors -rfE \
        --junitxml "$OUT/gpu-junit.xml" "${TESTS[@]}" > "$OUT/gpu-tests.log" 2>&1
    TEST_RC=$?
fi
echo "pytest exit: $TEST_RC" >> "$OUT/gpu-tests.log"
[ $TEST_RC = 124 ] && echo "test phase cut at TEST_BUDGET_S=${TEST_BUDGET_S:-300} s"
grep -E "^(failed|error) " "$RECHAINER_TEST_PROGRESS" | cut -c1-220 | sort | head -n 80
echo "outcomes so far: $(cut -d' ' -f1 "$RECHAINER_TEST_PROGRESS" | sort | uniq -c | xargs)"
tail -n 3 "$OUT/gpu-tests.log"

if [ "${BENCH:-1}" = 1 ]; then
    echo "== benchmarks"
    $PY benchmarks/gpu/bench.py 2>&1 | tee "$OUT/bench.txt"
    echo "== host time of the pieces of a step"
    $PY benchmarks/gpu/host_costs.py 2>&1 | tee "$OUT/host_costs.txt"
fi
if [ "${PROFILE:-1}" = 1 ]; then
    echo "== profile (written to profile.txt)"
    $PY benchmarks/gpu/profile_step.py > "$OUT/profile.txt" 2>&1 || tail -n 5 "$OUT/profile.txt"
fi
exit $TEST_RC
