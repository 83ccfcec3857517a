import warnings

import numpy as np
import pytest

import chainer
from chainer import utils
from chainer.utils import argument
from tests.chainer_tests._threads import run_in_threads


def test_experimental_warns_and_can_be_silenced(monkeypatch):
    # Chainer's sentence first (filters written for it match), then how to hide it
    with pytest.warns(FutureWarning,
                      match='myapi is experimental. The interface can change in the future.'):
        utils.experimental('myapi')
    monkeypatch.setattr(chainer, 'disable_experimental_feature_warning', True)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        utils.experimental('myapi')


def test_nondeterministic():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        utils.nondeterministic('f')
    with chainer.using_config('warn_nondeterministic', True):
        with pytest.warns(UserWarning) as record:
            utils.nondeterministic('f')
    assert str(record[0].message) == (  # Chainer's text
        'Potentially non-deterministic code is being executed while '
        'config.warn_nondeterministic set. Source: f')


def test_nondeterministic_warns_from_its_module():
    # Filters naming Chainer's module apply, as in Chainer.
    with chainer.using_config('warn_nondeterministic', True):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            warnings.filterwarnings('ignore', module='chainer.utils.nondeterministic')
            utils.nondeterministic('f')
    import sys
    assert sys.modules['chainer.utils.experimental'].nondeterministic is utils.nondeterministic


def test_deprecated_array_helpers_warn_from_the_library():
    # As Chainer's, attributed to chainer.utils.array: hidden by Python's default
    # filters, which show DeprecationWarnings only from __main__.
    from chainer.utils import array as array_utils
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter('always')
        array_utils.as_vec(np.zeros(2))
    assert record[0].filename.endswith('array.py')


def test_final_class_is_only_marked():
    # As in Chainer: final declares methods final; a class is marked, not sealed.
    @utils.final
    class A:
        pass

    class B(A):
        pass

    assert B.__mro__ == (B, A, object)

    class Base(utils.enable_final()):
        @utils.final
        class Inner:
            pass

    with pytest.raises(TypeError, match='final'):
        class Bad(Base):
            class Inner:
                pass



def test_final_messages_and_overrides_of_overrides_as_chainer():
    class Base(utils.enable_final()):
        @utils.final(action=UserWarning)
        def f(self):
            return 1

        @utils.final
        def g(self):
            return 2

    with pytest.warns(UserWarning, match="^Overriding method 'f'"):
        class Sub(Base):
            def f(self):
                return 3
    with warnings.catch_warnings():
        warnings.simplefilter('error')

        class SubSub(Sub):  # Sub.f is not final: no second warning, as in Chainer
            def f(self):
                return 4
    assert SubSub().f() == 4
    with pytest.raises(TypeError, match="^method 'g' is final"):
        type('Bad', (SubSub,), {'g': lambda self: 5})

def test_final_bad_arguments():
    with pytest.raises(AssertionError):
        utils.final(1, 2)
    with pytest.raises(TypeError):
        utils.final(1, 2)


def test_enable_final_is_left_out_of_the_mro():
    class Meta(type):
        pass

    class A(utils.enable_final()):
        pass

    class Mixin:
        pass

    class B(utils.enable_final(base=dict, meta_base=Meta), Mixin):
        pass

    assert A.__mro__ == (A, object) and A.__bases__ == (object,)
    assert B.__bases__ == (dict, Mixin)
    assert isinstance(B, Meta) and type(A).__name__ == 'base_metaclass'
    with pytest.raises(TypeError, match='final method'):
        class Base(utils.enable_final()):
            @utils.final
            def f(self):
                pass

        class Sub(Base):
            def f(self):
                pass


def test_final_method():
    class Base(utils.enable_final()):
        @utils.final
        def f(self):
            return 1

        def g(self):
            return 2

    class Ok(Base):
        def g(self):
            return 3

    assert Ok().f() == 1 and Ok().g() == 3
    with pytest.raises(TypeError, match='final method'):
        class Bad(Base):
            def f(self):
                return 0

    with pytest.raises(ValueError):
        class Base2(utils.enable_final()):
            @utils.final(action=ValueError)
            def f(self):
                pass

        class Bad2(Base2):
            def f(self):
                pass


def test_parse_kwargs():
    kw = {'a': 1}
    assert argument.parse_kwargs(kw, ('a', 0), ('b', 2)) == (1, 2)
    with pytest.raises(TypeError, match="'c'"):
        argument.parse_kwargs({'c': 1}, ('a', 0))
    with pytest.raises(ValueError, match='gone'):
        argument.parse_kwargs({'train': 1}, ('a', 0), train='gone')
    # A name both accepted and listed as removed is accepted (Chainer takes the
    # accepted names first).
    assert argument.parse_kwargs({'c': 3}, ('x', 1), ('c', 1), c='gone') == (1, 3)


def test_force_array_and_type():
    assert isinstance(utils.force_array(np.float32(1)), np.ndarray)
    assert utils.force_array(np.ones(2, np.float32), np.float64).dtype == np.float64
    assert utils.force_type(np.dtype(np.float32), 1.5).dtype == np.float32


def test_sum_to_and_sizes():
    x = np.ones((2, 3, 4))
    assert utils.sum_to(x, (3, 1)).shape == (3, 1)
    np.testing.assert_array_equal(utils.sum_to(x, (3, 1)), np.full((3, 1), 8.))
    assert utils.size_of_shape((2, 3)) == 6 and utils.size_of_shape(()) == 1
    assert utils.sum_to(x, [1, 4]).shape == (1, 4)


@pytest.mark.parametrize('x_shape,shape', [
    ((3,), (1, 3)), ((), (1,)), ((), (3,)), ((2, 3), (4, 2, 3)), ((2, 3), (3, 3)),
    ((2, 3), (2,)), ((2, 3), (5,))])
def test_sum_to_a_shape_that_does_not_broadcast(x_shape, shape):
    # Chainer returned an array of another shape (or raised AxisError).
    with pytest.raises(ValueError, match='not a broadcast'):
        utils.sum_to(np.ones(x_shape), shape)
    assert utils.get_conv_outsize(5, 3, 1, 1) == 5
    assert utils.get_deconv_outsize(5, 3, 1, 1) == 5


def test_sum_to_of_a_variable_says_to_use_functions_sum_to():
    # Chainer's TypeError; a Variable of the target shape is returned as it is
    v = chainer.Variable(np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match='Use chainer.functions.sum_to instead'):
        utils.sum_to(v, (1, 3))
    assert utils.sum_to(v, (2, 3)) is v


def test_tempdir():
    import os
    with utils.tempdir() as d:
        assert os.path.isdir(d)
    assert not os.path.exists(d)


def test_add_note_without_exception_add_note():
    # Python 3.10's exceptions have no add_note: the notes still go to __notes__,
    # in order, as 3.11's add_note keeps them.
    from chainer.utils import error as error_module

    class NoAddNote(KeyError):
        @property
        def add_note(self):
            raise AttributeError('add_note')

    for error in (KeyError('k'), NoAddNote('k')):
        error_module._add_note(error, 'first')
        error_module._add_note(error, 'second')
        assert error.__notes__ == ['first', 'second']


def test_numpy1_printing_of_threads_does_not_overlap():
    # NumPy 2.0 kept its print options for the whole process: a thread printing as
    # NumPy 1 while another did could restore the other's switched options and
    # leave them switched for good. A second thread waits for the first.
    import threading

    from chainer.utils import error as error_module

    first_in = threading.Event()
    first_may_leave = threading.Event()
    second_in = threading.Event()

    def first():
        with error_module._numpy1_printing():
            first_in.set()
            first_may_leave.wait(10)

    def second():
        with error_module._numpy1_printing():
            second_in.set()

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=second)
    b.start()
    try:
        assert not second_in.wait(0.2)
    finally:
        first_may_leave.set()
        a.join(10)
        b.join(10)
    assert second_in.is_set()


def test_variables_printed_by_threads_leave_print_options_as_they_were():
    # (on NumPy 2.0, without the lock of chainer.utils.error, these calls left
    # legacy='1.25' switched on)
    before = np.get_printoptions()
    v = chainer.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))

    def show():
        for _ in range(1000):
            repr(v)
            str(v)

    run_in_threads(show, 4, switch_interval=1e-6)
    assert np.get_printoptions() == before
