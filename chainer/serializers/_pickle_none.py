"""Recognising the pickle NumPy writes for ``numpy.asarray(None)``, without unpickling.

Chainer stored ``None`` values as pickled 0-d object arrays. Such a payload is
decoded here by a tiny symbolic machine over the pickle opcodes: only a few
whitelisted globals are named and nothing is imported or called.
"""
from __future__ import annotations

import pickletools
from typing import Any

__all__ = ['is_pickled_none_array']

_ALLOWED_GLOBALS = {
    ('numpy.core.multiarray', '_reconstruct'): 'reconstruct',
    ('numpy._core.multiarray', '_reconstruct'): 'reconstruct',
    ('numpy', 'ndarray'): 'ndarray',
    ('numpy', 'dtype'): 'dtype',
}

_PUSH_ARG_OPS = frozenset([
    'SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8', 'UNICODE',
    'SHORT_BINSTRING', 'BINSTRING', 'STRING',
    'SHORT_BINBYTES', 'BINBYTES', 'BINBYTES8',
    'BININT', 'BININT1', 'BININT2', 'INT', 'LONG1', 'LONG4', 'LONG',
])


class _Sym:
    """A symbolic global or call result built while decoding a pickle."""

    __slots__ = ('name', 'args', 'state')

    def __init__(self, name: str, args: Any = None) -> None:
        self.name = name
        self.args = args
        self.state: Any = None


def _decode_pickle(payload: bytes) -> Any:
    """Runs a tiny symbolic pickle machine: only whitelisted globals, nothing called.

    Returns the symbolic result, or raises ``ValueError`` for anything outside
    the small subset NumPy uses to pickle a 0-d object array.
    """
    stack: list = []
    marks: list = []
    memo: dict = {}

    def pop_mark() -> list:
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
        return items

    for op, arg, _ in pickletools.genops(payload):
        name = op.name
        if name in ('PROTO', 'FRAME'):
            continue
        if name == 'STOP':
            break
        if name in _PUSH_ARG_OPS:
            stack.append(arg)
        elif name in ('GLOBAL', 'STACK_GLOBAL'):
            if name == 'GLOBAL':
                module, _, attr = arg.partition(' ')
            else:
                attr = stack.pop()
                module = stack.pop()
            kind = _ALLOWED_GLOBALS.get((module, attr))
            if kind is None:
                raise ValueError(f'unexpected global {module}.{attr}')
            stack.append(_Sym(kind))
        elif name == 'NONE':
            stack.append(None)
        elif name in ('NEWTRUE', 'NEWFALSE'):
            stack.append(name == 'NEWTRUE')
        elif name == 'MARK':
            marks.append(len(stack))
        elif name == 'TUPLE':
            stack.append(tuple(pop_mark()))
        elif name in ('TUPLE1', 'TUPLE2', 'TUPLE3'):
            n = int(name[-1])
            items = tuple(stack[-n:])
            del stack[-n:]
            stack.append(items)
        elif name == 'EMPTY_TUPLE':
            stack.append(())
        elif name == 'EMPTY_LIST':
            stack.append([])
        elif name == 'LIST':
            stack.append(pop_mark())
        elif name == 'APPEND':
            value = stack.pop()
            stack[-1].append(value)
        elif name == 'APPENDS':
            items = pop_mark()
            stack[-1].extend(items)
        elif name == 'MEMOIZE':
            memo[len(memo)] = stack[-1]
        elif name in ('BINPUT', 'LONG_BINPUT', 'PUT'):
            memo[arg] = stack[-1]
        elif name in ('BINGET', 'LONG_BINGET', 'GET'):
            stack.append(memo[arg])
        elif name == 'REDUCE':
            args = stack.pop()
            func = stack.pop()
            if not isinstance(func, _Sym) or func.args is not None or \
                    not isinstance(args, tuple):
                raise ValueError('unexpected call')
            stack.append(_Sym(func.name, args))
        elif name == 'BUILD':
            state = stack.pop()
            target = stack[-1]
            if not isinstance(target, _Sym) or target.args is None or \
                    target.state is not None:
                raise ValueError('unexpected BUILD')
            target.state = state
        else:
            raise ValueError(f'unsupported opcode {name}')
    if len(stack) != 1:
        raise ValueError('malformed pickle')
    return stack[0]


def is_pickled_none_array(payload: bytes) -> bool:
    """Whether ``payload`` is NumPy's pickle of ``numpy.asarray(None)``."""
    try:
        obj = _decode_pickle(payload)
    except Exception:  # any malformed or unexpected stream is simply "not None"
        return False
    if not (isinstance(obj, _Sym) and obj.name == 'reconstruct'):
        return False
    args, state = obj.args, obj.state
    if not (len(args) == 3 and isinstance(args[0], _Sym) and args[0].name == 'ndarray'):
        return False
    if not (isinstance(state, tuple) and len(state) == 5):
        return False
    _, shape, dtype, _, data = state
    if shape != () or not isinstance(dtype, _Sym) or dtype.name != 'dtype':
        return False
    if not (dtype.args and dtype.args[0] in ('O', 'O4', 'O8')):
        return False
    return isinstance(data, (list, tuple)) and len(data) == 1 and data[0] is None
