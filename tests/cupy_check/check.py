"""Checks what the gpu tests used of CuPy against CuPy 13 or 14 itself, without a GPU.

The stand-in (``tests/cupy_stand_in``) serves NumPy's whole namespace, types
its ufuncs as NumPy does and runs a kernel's CUDA C body as host C++, so it
accepts what CuPy might refuse or do otherwise: a NumPy function CuPy lacks,
a ufunc whose operands CuPy types differently (a Python scalar, say), kernel
code NVRTC rejects (``max`` of a half and a float). With
``RECHAINER_CUPY_LOG`` set, the stand-in and the host kernel harness write
each CuPy name served (with how it was called), each ufunc call (the types its
operands bind) and each distinct kernel launch (the definition and the
arguments' dtypes) to that file, one JSON line each. This script checks every
name and call signature against CuPy, resolves every ufunc call with CuPy's
type resolution and compares the output dtypes with NumPy's, and rebuilds the
source CuPy would generate for every launch and compiles it to PTX with NVRTC,
as CuPy does on a device. It needs CuPy and NVRTC from pip
(``requirements.txt`` beside it for CuPy 14, ``requirements-13.txt`` for CuPy
13; no GPU), in an environment apart from the one the tests run in (``run.sh``
beside it makes one)::

    RECHAINER_CUPY_LOG=cupy-use.jsonl PYTHONPATH=tests/cupy_stand_in pytest -m gpu
    bash tests/cupy_check/run.sh cupy-use.jsonl       # CuPy 14
    bash tests/cupy_check/run.sh cupy-use.jsonl 13    # CuPy 13

The stand-in types ufuncs as NumPy 2 does (NEP 50), as CuPy 14 does; CuPy 13
types a scalar beside an array by its value (as NumPy 1 did: ``float16_array *
1e5`` is float32 there), and the check resolves each call with the smallest
type that holds the scalar the stand-in saw, so a promotion that differs under
CuPy 13 fails here too.

With ``--source``, it also looks up every CuPy name the package's code spells
out (``cupy.x``, ``cuda.cupy.x``), reached by the tests or not, and always
every class, function and method the stand-in defines in ``cupy.cuda`` (and
its memory pool's methods), which code calls on objects.

It prints each name CuPy lacks (or whose signature refuses the recorded call),
each ufunc typing that differs, and each launch that CuPy would refuse or NVRTC
fails to compile, and exits 1 if there is one. It calls CuPy's private type
resolution and code generation, so the requirements files pin the CuPy versions.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import os
import re
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy


def _preload_nvrtc() -> None:
    """Loads NVRTC from its pip wheel (``nvidia-cuda-nvrtc-cu12``): CuPy 13 only
    looks for it on the library path, CuPy 14 finds the wheel itself."""
    import ctypes
    site = Path(numpy.__file__).parent.parent
    for lib in sorted(site.glob('nvidia/cuda_nvrtc/lib/libnvrtc.so.*')):
        ctypes.CDLL(str(lib), mode=ctypes.RTLD_GLOBAL)


_preload_nvrtc()

import cupy  # noqa: E402
from cupy._core import _carray, _kernel, _reduction, _scalar  # noqa: E402
from cupy._core import core as _core  # noqa: E402
from cupy.cuda import compiler  # noqa: E402

# CuPy 13 types scalars beside arrays by value, and its NVRTC takes the fp16
# headers' includes from the CUDA runtime wheel.
VALUE_BASED = int(cupy.__version__.split('.')[0]) < 14

ARCH = 'compute_90'  # the H200's
_NDARRAY, _INDEXER, _SCALAR = 1, 2, 3  # CuPy's argument kinds


def _array(dtype, ndim: int):
    return _kernel._ArgInfo(_NDARRAY, cupy.ndarray, numpy.dtype(dtype), ndim, True, True)


def _scalar_arg(dtype):
    return _kernel._ArgInfo(_SCALAR, _scalar.CScalar, numpy.dtype(dtype), 0, True, True)


def _indexer(ndim: int):
    return _kernel._ArgInfo(_INDEXER, _carray.Indexer, None, ndim, True, True)


def _array_types(described: list) -> tuple:
    """The dtype of each array argument (None for a scalar): what CuPy binds
    the type placeholders with."""
    return tuple(numpy.dtype(d[1]).type if d and d[0] == 'array' else None
                 for d in described)


def elementwise_source(rec: dict) -> str:
    """The CUDA source CuPy generates for one launch of an ElementwiseKernel."""
    kwargs = dict(rec['kwargs'])
    kernel = cupy.ElementwiseKernel(rec['in_params'], rec['out_params'], rec['operation'],
                                    rec['name'], **kwargs)
    nin = kernel.nin
    described = rec['args']
    outs_given = any(d is not None for d in described[nin:])
    in_types, out_types, type_map = kernel._decide_params_type(
        _array_types(described[:nin]), _array_types(described[nin:]) if outs_given else ())
    infos = []
    for p, d, t in zip(kernel.params, described + [None] * len(out_types),
                       in_types + out_types):
        if d is not None and d[0] == 'scalar':
            infos.append(_scalar_arg(t))
        else:
            infos.append(_array(t, d[2] if p.raw and d is not None else 1))
    infos.append(_indexer(1))
    return _kernel._get_elementwise_kernel_code(
        tuple(infos), type_map, kernel.params, kernel.operation, kernel.name,
        kernel.preamble, kwargs.get('loop_prep', ''), kwargs.get('after_loop', ''))


def reduction_source(rec: dict) -> str:
    """The CUDA source CuPy generates for one launch of a ReductionKernel."""
    kwargs = dict(rec['kwargs'])
    kernel = cupy.ReductionKernel(rec['in_params'], rec['out_params'], rec['map_expr'],
                                  rec['reduce_expr'], rec['post_map_expr'], rec['identity'],
                                  rec['name'], **kwargs)
    described = rec['args']
    in_types, out_types, type_map = _kernel._decide_params_type(
        kernel.in_params, kernel.out_params, _array_types(described), ())
    # CuPy adds the index type of the launch (32-bit for arrays under 2**31).
    type_map = _kernel._TypeMap(type_map._pairs + (('IndexT', numpy.int32),))
    ndim = max([d[2] for d in described if d[0] == 'array'], default=1)
    infos = [_scalar_arg(t) if d[0] == 'scalar' else _array(t, ndim)
             for d, t in zip(described, in_types)]
    infos += [_array(t, 1) for t in out_types]
    infos += [_indexer(ndim), _indexer(1), _scalar_arg(numpy.int32)]
    return _reduction._ReductionKernel_get_cached_function_code(
        kernel.nin, kernel.nout, kernel._params, tuple(infos), type_map, kernel.name, 512,
        kernel.reduce_type, kernel.identity, kernel.map_expr, kernel.reduce_expr,
        kernel.post_map_expr, kernel.preamble, tuple(kwargs.get('options', ())))


def compile_source(code: str, options: tuple, cupy_headers: bool = True) -> None:
    """Compiles ``code`` as CuPy would (its headers, unless for a RawKernel, and
    its options) to PTX for ARCH."""
    headers = _core._cupy_header_list if cupy_headers else ()
    source = ''.join(f'#include <{h}>\n' for h in headers) + code
    options = _core.assemble_cupy_compiler_options(tuple(options)) + (f'-arch={ARCH}',)
    options += getattr(compiler, '_get_extra_include_dir_opts', tuple)()
    # compile_using_nvrtc asks the (absent) device for its architecture; this
    # does the same steps with ARCH given.
    program = compiler._NVRTCProgram(source, 'kern.cu', method='ptx')
    program.compile(options + ('--device-as-default-execution-space',))


def _lookup(dotted: str) -> tuple:
    """CuPy's attribute ``dotted`` (``cupy.linalg.inv``: the longest importable
    module, then attributes) and whether it is a method read off a class (its
    signature then starts with self); None if CuPy has none."""
    parts = dotted.split('.')
    for k in range(len(parts), 0, -1):
        try:
            with warnings.catch_warnings():  # cupy.cuda.nccl warns without NCCL
                warnings.simplefilter('ignore')
                obj = importlib.import_module('.'.join(parts[:k]))
        except ImportError:
            continue
        is_method = False
        for part in parts[k:]:
            if not hasattr(obj, part):
                return None, False
            is_method = isinstance(obj, type) and not isinstance(
                inspect.getattr_static(obj, part), (staticmethod, classmethod))
            obj = getattr(obj, part)
        return obj, is_method
    return None, False


class _AnyName(dict):
    """Names in a default value that Python does not know evaluate to None."""

    def __missing__(self, key):
        return None


def _signature(obj) -> inspect.Signature | None:
    """The signature of ``obj``; for a Cython function or method, the one its
    docstring starts with (``_ndarray_base.max(self, axis=None, ...)``), if any."""
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        pass
    first = (getattr(obj, '__doc__', None) or '').lstrip().partition('\n')[0]
    found = re.match(r'[\w.]+\((.*)\)(\s*->.*)?$', first)
    if found is None:
        return None
    namespace = _AnyName()
    try:
        exec(f'def f({found.group(1).replace(chr(92), "")}): pass', {}, namespace)
    except SyntaxError:  # Cython-typed parameters
        return None
    return inspect.signature(namespace['f'])


def name_error(rec: dict) -> str | None:
    """Why CuPy would refuse the recorded use of a name, or None."""
    obj, is_method = _lookup(rec['name'])
    if obj is None:
        return f'CuPy {cupy.__version__} has no such name'
    if 'nargs' not in rec:
        return None
    signature = _signature(obj)
    if signature is None:
        return None
    try:
        signature.bind(*range(rec['nargs'] + is_method), **dict.fromkeys(rec['keywords']))
    except TypeError as e:
        return f'called with {rec["nargs"]} positional arguments and keywords ' \
               f'{rec["keywords"]}: {e}'
    return None


_PYTHON_SCALARS = {'bool': bool, 'int': int, 'float': float, 'complex': complex}
# A value whose smallest type (numpy.min_scalar_type) is the key: what stands
# for a scalar the stand-in saw, where CuPy 13 types it by its value.
_VALUES = {'b1': True, 'u1': 1, 'u2': 300, 'u4': 70000, 'u8': 2 ** 63, 'i1': -1, 'i2': -300,
           'i4': -70000, 'i8': -2 ** 40, 'f2': 1.0, 'f4': 1e5, 'f8': 1e300, 'c8': 1j,
           'c16': 1e300j}


def _scalar_operand(kind: str, t: str, smallest: str | None):
    """The scalar CuPy's type resolution gets for a recorded ``python`` or
    ``scalar`` operand (``smallest``: the smallest type of its value, or None)."""
    if not VALUE_BASED:
        value = _PYTHON_SCALARS[t](1) if kind == 'python' else numpy.dtype(t).type(1)
        return _scalar.CScalar(value)
    value = _VALUES.get(None if smallest is None else smallest.lstrip('<>|='), 1)
    if kind == 'python':  # CuPy 13 makes a NumPy scalar of it (float64, int64, ...)
        return _scalar._python_scalar_to_numpy_scalar(_PYTHON_SCALARS[t](value))
    with warnings.catch_warnings():  # the value stands for one of this type
        warnings.simplefilter('ignore')
        return numpy.dtype(t).type(value)


def _unbacked_array(dtype):
    """A CuPy array object with no device memory behind it: enough for type resolution."""
    memory = cupy.cuda.UnownedMemory(0, 0, None, device_id=0)
    return cupy.ndarray((1,), dtype, memptr=cupy.cuda.MemoryPointer(memory, 0))


def _numpy_types(rec: dict) -> list:
    """The types NumPy's resolution takes for the recorded operands."""
    return [(numpy.dtype(bool) if t == 'bool' else _PYTHON_SCALARS[t]) if kind == 'python'
            else numpy.dtype(t)  # a Python scalar is weak in both, but a bool is a bool
            for kind, t, *_ in rec['inputs']]


def _weak(operand: list):
    """What NumPy types a recorded operand as: a dtype, or a Python scalar (weak)."""
    kind, t, *_ = operand
    return _PYTHON_SCALARS[t](1) if kind == 'python' else numpy.dtype(t)


def numpy_out_dtypes(rec: dict) -> tuple | None:
    """The output dtypes NumPy gives the recorded ufunc call (what the stand-in
    gave), or None where NumPy refuses the types (the stand-in raised too)."""
    if rec['name'] == 'where':  # x and y's common type, Python scalars weak
        try:
            return (numpy.result_type(*map(_weak, rec['inputs'][1:])),)
        except Exception:
            return None
    numpy_ufunc = numpy._core.umath.clip if rec['name'] == 'clip' else getattr(numpy, rec['name'])
    dtype = rec['dtype']
    # NumPy 2.4 refuses signature=None: it is passed only with a dtype.
    signature = {} if dtype is None else {
        'signature': (None,) * numpy_ufunc.nin + (numpy.dtype(dtype),) * numpy_ufunc.nout}
    try:
        resolved = numpy_ufunc.resolve_dtypes(
            tuple(_numpy_types(rec)) + (None,) * numpy_ufunc.nout, **signature)
    except Exception:
        return None
    return tuple(resolved[numpy_ufunc.nin:])


def _cupy_ufunc(name: str):
    """CuPy's ufunc ``name``, or the one that computes cupy.where or cupy.clip."""
    if name == 'where':
        return importlib.import_module('cupy._sorting.search')._where_ufunc
    if name == 'clip':
        return importlib.import_module('cupy._core._routines_math')._clip
    return getattr(cupy, name, None)


def ufunc_error(rec: dict) -> str | None:
    """Where CuPy's ufunc resolves the recorded operand types to other output
    dtypes than NumPy's (or refuses them), what it does; else None."""
    cupy_ufunc = _cupy_ufunc(rec['name'])
    if cupy_ufunc is None or not hasattr(cupy_ufunc, '_ops'):
        return f'CuPy {cupy.__version__} has no ufunc {rec["name"]}'
    name = cupy_ufunc.name
    expected = numpy_out_dtypes(rec)
    if expected is None:
        return None
    cupy_args = [_unbacked_array(numpy.dtype(t)) if kind == 'array'
                 else _scalar_operand(kind, t, (smallest or [None])[0])
                 for kind, t, *smallest in rec['inputs']]
    if name == 'cupy_where':  # cupy.where makes the condition a bool array
        cupy_args[0] = _unbacked_array(numpy.dtype(bool))
    dtype = None if rec['dtype'] is None else numpy.dtype(rec['dtype'])
    try:
        op = cupy_ufunc._ops.guess_routine(name, {}, cupy_args, dtype,
                                          getattr(cupy_ufunc, '_out_ops', None))
    except Exception as e:
        return f'CuPy refuses {tuple(map(str, _numpy_types(rec)))}: {e}'
    got = tuple(numpy.dtype(t) for t in op.out_types)
    if got != expected:
        return f'CuPy gives {got} where NumPy gives {expected}'
    return None


def _describe_operand(operand: list) -> str:
    """``array <f4``, ``python float``; under CuPy 13 a scalar also says the
    smallest type of its value (``python float ~<f4``)."""
    kind, t, *smallest = operand
    return f'{kind} {t}' + (f' ~{smallest[0]}' if VALUE_BASED and smallest else '')


def source(rec: dict) -> tuple:
    """What compile_source takes for one recorded launch."""
    if rec['kind'] == 'raw':  # a RawKernel's source is compiled as it is
        return rec['code'], tuple(rec['options']), False
    make = elementwise_source if rec['kind'] == 'elementwise' else reduction_source
    return make(rec), tuple(rec['kwargs'].get('options', ())), True


def check(compile_args: tuple) -> str | None:
    """None when the source compiles, else NVRTC's error."""
    try:
        compile_source(*compile_args)
    except compiler.CompileException as e:
        return f'{type(e).__name__}: {e}'
    return None


# What the library names of CuPy outright, in code the tests may not reach:
# ``cupy.x.y`` and ``cuda.cupy.x.y``. cuDNN is optional (CuPy 14 has none,
# CuPy 13 only with the cuDNN library).
_SPELLED = re.compile(r'\b(?:cuda\.)?(cupyx?(?:\.[A-Za-z_]\w*)+)')
_OPTIONAL = ('cupy.cudnn', 'cupy.cuda.cudnn', 'cupyx.cudnn')


def spelled_names(roots: list) -> list:
    """``(name, where)`` of each CuPy name spelled out in the ``.py`` files under ``roots``."""
    found = {}
    for root in roots:
        for path in sorted(Path(root).rglob('*.py')):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                for name in _SPELLED.findall(line):
                    if not name.startswith(_OPTIONAL):
                        found.setdefault(name, f'{path}:{number}')
    return sorted(found.items())


_STAND_IN = Path(__file__).resolve().parent.parent / 'cupy_stand_in' / 'cupy'


def stand_in_names() -> list:
    """``(name, where)`` of each public class, function and method the stand-in
    defines in ``cupy.cuda`` (``cupy.cuda.Stream.add_callback``), and of its
    memory pool's methods: the tests call them on objects, where no name is
    spelled out or logged, so each must exist in CuPy too."""
    found = []

    def walk(path, body, prefix):
        for node in body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) \
                    and not node.name.startswith('__'):
                name = prefix + node.name.replace('_MemoryPool', 'cuda.MemoryPool')
                if not node.name.startswith('_') or node.name == '_MemoryPool':
                    found.append((name, f'{path}:{node.lineno}'))
                if isinstance(node, ast.ClassDef) and not name.endswith('Error'):
                    walk(path, node.body, name + '.')
    cuda = _STAND_IN / 'cuda' / '__init__.py'
    walk(cuda, ast.parse(cuda.read_text()).body, 'cupy.cuda.')
    top = _STAND_IN / '__init__.py'
    walk(top, [n for n in ast.parse(top.read_text()).body
               if isinstance(n, ast.ClassDef) and n.name == '_MemoryPool'], 'cupy.')
    return found


def _report(records: list, error_of, describe) -> int:
    """Prints each record that ``error_of`` finds fault with; returns how many."""
    failed = 0
    for rec in sorted(records, key=lambda rec: rec['name']):
        error = error_of(rec)
        if error is not None:
            failed += 1
            print(f'{describe(rec)}: {error}')
    return failed


def _self_test() -> None:
    """Fails if the check would pass what it exists to catch (say, after a change
    of CuPy's internals that it calls)."""
    half_max = {'kind': 'elementwise', 'in_params': 'T x', 'out_params': 'T y',
                'operation': 'y = max(x, 0.5f)', 'name': 'self_test',
                'kwargs': {'preamble': ''}, 'args': [['array', '<f2', 1], None]}
    float_max = dict(half_max, args=[['array', '<f4', 1], None])
    assert check(source(half_max)) is not None, 'NVRTC passed max(half, float)'
    assert check(source(float_max)) is None, 'NVRTC refused max(float, float)'
    assert name_error({'kind': 'name', 'name': 'cupy.errstate'}) is not None
    assert name_error({'kind': 'name', 'name': 'cupy.take', 'nargs': 2,
                       'keywords': ['mode']}) is not None
    assert name_error({'kind': 'name', 'name': 'cupy.take', 'nargs': 2,
                       'keywords': ['axis']}) is None
    assert name_error({'kind': 'name', 'name': 'cupy.ndarray.max', 'nargs': 0,
                       'keywords': ['initial']}) is not None  # a Cython method
    assert ufunc_error({'name': 'spacing', 'inputs': [['array', '<f4']], 'dtype': None})
    assert _lookup('cupy.cuda.runtime.getDevice')[0] is not None
    assert ('cupy.cuda.Stream.add_callback' in dict(stand_in_names())
            and 'cupy.cuda.MemoryPool.n_free_blocks' in dict(stand_in_names()))
    assert _lookup('cupy.cuda.compile_with_cache')[0] is None
    half_times_float = {'name': 'multiply', 'dtype': None,
                        'inputs': [['array', '<f2'], ['python', 'float', '<f2']]}
    assert numpy_out_dtypes(half_times_float) == (numpy.dtype(numpy.float16),)
    assert ufunc_error(half_times_float) is None
    # A value that float16 cannot hold: float32 by value in CuPy 13, float16
    # in CuPy 14 and NumPy 2; a float64 NumPy scalar is strong in NumPy 2 only.
    big = ufunc_error({'name': 'multiply', 'dtype': None,
                       'inputs': [['array', '<f2'], ['python', 'float', '<f4']]})
    strong = ufunc_error({'name': 'multiply', 'dtype': None,
                          'inputs': [['array', '<f4'], ['scalar', '<f8', '<f2']]})
    assert (big is not None, strong is not None) == (VALUE_BASED, VALUE_BASED), (big, strong)
    where_big = ufunc_error({'name': 'where', 'dtype': None, 'inputs': [
        ['array', '|b1'], ['array', '<f2'], ['python', 'float', '<f4']]})
    clip_big = ufunc_error({'name': 'clip', 'dtype': None, 'inputs': [
        ['array', '<f2'], ['python', 'int', '|u1'], ['python', 'float', '<f4']]})
    assert (where_big is not None, clip_big is not None) == (VALUE_BASED, VALUE_BASED)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('log', help='the RECHAINER_CUPY_LOG file of a test run')
    parser.add_argument('-j', '--jobs', type=int, default=os.cpu_count())
    parser.add_argument('--source', nargs='*', default=[],
                        help='folders whose code is searched for CuPy names spelled out')
    args = parser.parse_args()
    _self_test()
    spelled = spelled_names(args.source) + stand_in_names()
    unknown = [(name, where) for name, where in spelled if _lookup(name)[0] is None]
    for name, where in unknown:
        print(f'UNKNOWN {name} ({where}): CuPy {cupy.__version__} has no such name')
    with open(args.log) as f:
        records = list({line: json.loads(line) for line in f if line.strip()}.values())
    if not any(rec['kind'] not in ('name', 'ufunc') for rec in records):
        print(f'{args.log}: no kernel launches recorded')
        return 1
    uses = [rec for rec in records if rec['kind'] == 'name']
    refused = _report(uses, name_error,
                      lambda rec: f'REFUSED {rec["name"]} (the stand-in served it)')
    names = {rec['name'] for rec in uses}
    calls = [rec for rec in records if rec['kind'] == 'ufunc']
    differ = _report(calls, ufunc_error, lambda rec: (
        f'DIFFERS {rec["name"]}({", ".join(map(_describe_operand, rec["inputs"]))})'))
    records = [rec for rec in records if rec['kind'] not in ('name', 'ufunc')]
    errors: dict = {}  # record index -> error
    sources: dict = {}  # compile_source's arguments -> indexes of the records
    for i, rec in enumerate(records):
        try:
            sources.setdefault(source(rec), []).append(i)
        except Exception as e:  # CuPy refuses the launch (a dtype mismatch, say)
            errors[i] = f'{type(e).__name__}: {e}'
    with ProcessPoolExecutor(args.jobs) as pool:
        for indexes, error in zip(sources.values(), pool.map(check, sources)):
            if error is not None:
                errors.update(dict.fromkeys(indexes, error))
    for i, error in sorted(errors.items()):
        rec = records[i]
        dtypes = ', '.join('-' if d is None else d[1] for d in rec.get('args', ()))
        print(f'FAILED {rec["kind"]} kernel {rec["name"]} ({dtypes}):\n{error}\n')
    kernels = {rec['name'] for rec in records}
    print(f'CuPy {cupy.__version__}: {len(uses) - refused} of {len(uses)} uses of '
          f'{len(names)} names accepted; {len(spelled) - len(unknown)} of {len(spelled)} '
          f'names spelled out in the source or defined in the stand-in\'s cupy.cuda exist; '
          f'{len(calls) - differ} of {len(calls)} '
          f'ufunc typings as NumPy\'s; NVRTC ({ARCH}): {len(records) - len(errors)} of '
          f'{len(records)} launches of {len(kernels)} kernels compiled '
          f'({len(sources)} distinct sources)')
    return 1 if errors or refused or differ or unknown else 0


if __name__ == '__main__':
    sys.exit(main())
