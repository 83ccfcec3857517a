"""Error classes that are also the exception Chainer raised, and helpers that format
error messages about arrays."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any


def _add_note(error: BaseException, note: str) -> None:
    """``error.add_note(note)``; on Python 3.10, which has no ``add_note`` (nor prints
    notes), appends to ``__notes__`` all the same, for readers and 3.11's tracebacks."""
    if hasattr(error, 'add_note'):
        error.add_note(note)
    else:
        error.__notes__ = [*getattr(error, '__notes__', ()), note]


class _ValueAssertionError(ValueError, AssertionError):
    """A bad argument: a ValueError, and the AssertionError that Chainer's ``assert`` raised."""


class _TypeAssertionError(TypeError, AssertionError):
    """An argument of a wrong type: a TypeError, and the AssertionError that Chainer's
    ``assert`` raised."""


class _NotSerializableError(TypeError, AttributeError):
    """Saving or loading an object without a ``serialize`` method: a TypeError, and the
    AttributeError that Chainer raised looking the method up."""


class _TypeAttributeError(TypeError, AttributeError):
    """An object of the wrong type where Chainer read an attribute it lacks: a
    TypeError, and the AttributeError that Chainer raised."""


class _IndexValueError(ValueError, IndexError):
    """An index, label or id out of range, or an empty list Chainer took the first item
    of: a ValueError, and the IndexError that indexing raised in Chainer."""


class _ValueTypeError(ValueError, TypeError):
    """A missing value Chainer went on with until an operation on None failed: a
    ValueError, and the TypeError that operation raised in Chainer."""


class _IndexTypeError(TypeError, IndexError):
    """An index of a type indexing does not take (a Variable): a TypeError, and the
    IndexError that NumPy raised for it in Chainer."""


def _none_input_error(where: str, attr: str = 'dtype') -> AttributeError:
    """The ``AttributeError`` Chainer's type checks raised reading an input that is
    None, with the input named (``where``: ``'input 0 of ReLU'``)."""
    return AttributeError(f"'NoneType' object has no attribute '{attr}' ({where} is None; "
                          'a function takes Variables or arrays)')


# Held while NumPy's print options are switched: before NumPy kept them per thread
# (NumPy 2.0 did not), two threads printing at once could restore each other's
# switched options and leave them switched for the whole process.
_printing_lock = threading.RLock()


@contextlib.contextmanager
def _numpy1_printing() -> Iterator[None]:
    """NumPy's print options as NumPy 1, under which Chainer printed, used them: NumPy
    scalars print as ``1.0`` rather than ``np.float32(1.0)``, and float16 / float32
    arrays switch to scientific notation where NumPy 1 did (NumPy 2.3 switches at
    1e4 / 1e7). A legacy mode NumPy 1 had ('1.13', '1.21') that the user chose is kept."""
    import numpy
    with _printing_lock:
        if numpy.get_printoptions()['legacy'] in ('1.13', '1.21'):
            yield
        else:
            with numpy.printoptions(legacy='1.25'):
                yield


def _repr(value: Any) -> str:
    """``repr(value)`` as Chainer's messages showed it under NumPy 1: NumPy scalars,
    also inside containers, print as ``1.0`` rather than ``np.float32(1.0)``."""
    with _numpy1_printing():
        return repr(value)


def _format_array_props(arrays: Sequence[Any]) -> str:
    """``'(2, 3):float32, None'``: the shape and dtype of each array, as Chainer prints them."""
    return ', '.join(
        'None' if a is None else f'{tuple(a.shape)}:{a.dtype.name}' for a in arrays)


def _caused_by(exc_type: type[BaseException], message: str,
               cause: BaseException) -> BaseException:
    """An ``exc_type`` error whose message ends with the text of ``cause``.

    It carries ``cause``'s traceback; raise it ``from None`` so that a test
    report prints the cause once, under ``(caused by)``.
    """
    text = f'{message}\n\n(caused by)\n{type(cause).__name__}: {cause}\n'
    return exc_type(text).with_traceback(cause.__traceback__)
