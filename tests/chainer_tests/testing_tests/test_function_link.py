"""Tests of FunctionTestCase, the link test cases and unary_math_function_unittest."""
import sys
import types
import unittest

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.testing import function_link
from tests.chainer_tests._sine_nodes import Cos, Sin, SinWrongSecondOrder, WrongSin


# ---------------------------------------------------------------------------
# FunctionTestCase running end to end (collected by pytest)

@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'contiguous': [None, 'C'],
}))
class TestSinFunction(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options.update({'atol': 1e-3, 'rtol': 1e-3})
            self.check_backward_options.update({'atol': 1e-2, 'rtol': 1e-2})
            self.check_double_backward_options.update({'atol': 1e-2, 'rtol': 1e-2})

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (3, 2)).astype(self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        # (The numerical gradient passes fresh, contiguous arrays.)
        if self.test_name == 'test_forward':
            assert x.array.flags.c_contiguous == (self.contiguous == 'C')
            if self.contiguous is None:
                # Chainer's layout: every other element, backwards.
                itemsize = x.array.itemsize
                assert x.array.strides == (-8 * itemsize, -2 * itemsize)
        return Sin().apply((x,))

    def forward_expected(self, inputs):
        x, = inputs
        return numpy.sin(x),


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestOperatorsFunction(testing.FunctionTestCase):
    """Two inputs, two outputs, chainer.functions ops and operators."""

    def generate_inputs(self):
        a = numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32)
        b = numpy.random.uniform(0.5, 1, (2, 3)).astype(numpy.float32)
        return a, b

    def forward(self, inputs, device):
        a, b = inputs
        return a * b + a, F.sum(F.exp(b))

    def forward_expected(self, inputs):
        a, b = inputs
        return a * b + a, numpy.asarray(numpy.exp(b).sum(), numpy.float32)


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDodgeNondifferentiable(testing.FunctionTestCase):
    """abs with inputs exactly at the kink first; the test retries."""

    dodge_nondifferentiable = True
    calls = 0

    def generate_inputs(self):
        type(self).calls += 1
        if type(self).calls % 3 == 1:
            return numpy.array([0.0, 0.5]),
        return numpy.random.uniform(0.1, 1, (2,)) * numpy.array([1, -1]),

    def forward(self, inputs, device):
        return abs(inputs[0]),

    def forward_expected(self, inputs):
        return numpy.abs(inputs[0]),


# ---------------------------------------------------------------------------
# FunctionTestCase failing as it should (run by hand, not collected)

def backend_config():
    return testing.BackendConfig({})


class _Base(testing.FunctionTestCase):
    __test__ = False
    make = Sin

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (3,)),

    def forward(self, inputs, device):
        return self.make().apply(inputs)

    def forward_expected(self, inputs):
        return numpy.sin(inputs[0]),


def run(cls, name, **attrs):
    klass = type(cls.__name__, (cls,), dict(attrs, __test__=False))
    case = klass('test_forward')
    getattr(case, f'run_{name}')(backend_config())
    return case


def test_base_case_passes():
    for name in ('test_forward', 'test_backward', 'test_double_backward'):
        case = run(_Base, name)
        assert case.test_name == name
        assert case.backend_config is not None


def test_wrong_forward_values():
    with pytest.raises(testing.FunctionTestError, match='Outputs do not match'):
        run(_Base, 'test_forward', make=Cos)


def test_wrong_forward_dtype():
    def forward(self, inputs, device):
        return F.identity(inputs[0]), F.identity(inputs[0])

    with pytest.raises(testing.FunctionTestError, match='Number of outputs'):
        run(_Base, 'test_forward', forward=forward)

    def forward_expected(self, inputs):
        return numpy.sin(inputs[0]).astype(numpy.float32),

    with pytest.raises(testing.FunctionTestError, match='Shapes and/or dtypes') as info:
        run(_Base, 'test_forward', forward_expected=forward_expected)
    assert 'Expected shapes and dtypes: (3,):float32\n' in str(info.value)
    assert 'Actual shapes and dtypes:   (3,):float64\n' in str(info.value)


def test_forward_must_return_tuple_of_variables():
    def forward(self, inputs, device):
        return Sin().apply(inputs)[0]

    with pytest.raises(testing.FunctionTestError, match='must return a tuple'):
        run(_Base, 'test_forward', forward=forward)

    def forward2(self, inputs, device):
        return inputs[0].array,

    with pytest.raises(testing.FunctionTestError, match='tuple of Variables'):
        run(_Base, 'test_forward', forward=forward2)


def test_forward_modifying_inputs():
    def forward(self, inputs, device):
        y = Sin().apply(inputs)
        inputs[0].array[...] = 0
        return y

    with pytest.raises(testing.FunctionTestError, match='modified'):
        run(_Base, 'test_forward', forward=forward)


def test_wrong_backward():
    with pytest.raises(testing.FunctionTestError,
                       match='backward is not implemented correctly'):
        run(_Base, 'test_backward', make=WrongSin)


def test_wrong_double_backward():
    run(_Base, 'test_backward', make=SinWrongSecondOrder)
    with pytest.raises(testing.FunctionTestError,
                       match='double backward is not implemented correctly'):
        run(_Base, 'test_double_backward', make=SinWrongSecondOrder)


def test_dodge_gives_up(monkeypatch):
    monkeypatch.setattr(function_link, '_MAX_DODGE_TRIES', 3)

    def generate_inputs(self):
        return numpy.zeros(2),

    def forward(self, inputs, device):
        return abs(inputs[0]),

    def forward_expected(self, inputs):
        return numpy.abs(inputs[0]),

    attrs = dict(dodge_nondifferentiable=True, generate_inputs=generate_inputs,
                 forward=forward, forward_expected=forward_expected)
    with pytest.raises(testing.FunctionTestError, match='non-differentiable'):
        run(_Base, 'test_backward', **attrs)
    with pytest.raises(testing.FunctionTestError, match='non-differentiable'):
        run(_Base, 'test_double_backward', **attrs)


@pytest.mark.parametrize('name', ['test_forward', 'test_backward', 'test_double_backward'])
def test_skip_flags(name):
    flag = f'skip_{name[5:]}_test'
    with pytest.raises(unittest.SkipTest):
        run(_Base, name, **{flag: True})


def test_generated_data_types_are_checked():
    def generate_inputs(self):
        return [numpy.zeros(3)]

    with pytest.raises(TypeError, match='generate_inputs'):
        run(_Base, 'test_forward', generate_inputs=generate_inputs)

    def forward_expected(self, inputs):
        return (1.5,)

    with pytest.raises(TypeError, match='forward_expected'):
        run(_Base, 'test_forward', forward_expected=forward_expected)

    def generate_grad_outputs(self, template):
        return [numpy.zeros(3)]

    with pytest.raises(TypeError, match='generate_grad_outputs'):
        run(_Base, 'test_backward', generate_grad_outputs=generate_grad_outputs)


def test_zero_dim_numpy_scalar_expected_is_accepted():
    def generate_inputs(self):
        return numpy.array(0.3),

    run(_Base, 'test_forward', generate_inputs=generate_inputs)


def test_invalid_contiguous():
    with pytest.raises(ValueError, match='contiguous'):
        run(_Base, 'test_forward', contiguous='F')


def test_integer_input_and_custom_grad_generators():
    calls = []

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (3,)), numpy.array([1, 2, 3], numpy.int32)

    def forward(self, inputs, device):
        x, n = inputs
        assert not n.requires_grad
        return x * x * n.array.astype(x.dtype),

    def forward_expected(self, inputs):
        x, n = inputs
        return x * x * n,

    def generate_grad_outputs(self, template):
        calls.append('gy')
        return numpy.ones_like(template[0]),

    def generate_grad_grad_inputs(self, template):
        calls.append('ggx')
        assert len(template) == 2
        return numpy.ones_like(template[0]), None

    attrs = dict(generate_inputs=generate_inputs, forward=forward,
                 forward_expected=forward_expected,
                 generate_grad_outputs=generate_grad_outputs,
                 generate_grad_grad_inputs=generate_grad_grad_inputs)
    for name in ('test_forward', 'test_backward', 'test_double_backward'):
        run(_Base, name, **attrs)
    assert calls == ['gy', 'gy', 'ggx']


def test_options_are_per_instance_copies():
    klass = type('K', (_Base,), {'check_forward_options': {'atol': 1.0},
                                 '__test__': False})
    a = klass('test_forward')
    b = klass('test_forward')
    a.check_forward_options['rtol'] = 2.0
    assert b.check_forward_options == {'atol': 1.0}
    assert klass.check_forward_options == {'atol': 1.0}
    assert a.check_backward_options == {}


def test_before_test_hook():
    names = []

    def before_test(self, test_name):
        names.append(test_name)

    for name in ('test_forward', 'test_backward'):
        run(_Base, name, before_test=before_test)
    assert names == ['test_forward', 'test_backward']


def test_test_error_helpers():
    assert issubclass(testing.FunctionTestError, AssertionError)
    assert issubclass(testing.LinkTestError, AssertionError)
    testing.FunctionTestError.check(True, 'never')
    with pytest.raises(testing.FunctionTestError, match='boom'):
        testing.FunctionTestError.check(False, 'boom')
    with pytest.raises(testing.LinkTestError) as info:
        testing.LinkTestError.fail('outer', ValueError('inner'))
    assert str(info.value) == 'outer\n\n(caused by)\nValueError: inner\n'
    assert info.value.__cause__ is None
    with pytest.raises(testing.FunctionTestError, match='wrapped'):
        with testing.FunctionTestError.raise_if_fail('wrapped'):
            raise AssertionError('x')


# ---------------------------------------------------------------------------
# links: only the parts that do not need chainer.Link (which lands later)

def test_initializer_argument():
    arg = testing.InitializerArgument(None, 1.5)
    assert arg.argument_value is None
    assert arg.expected_initializer == 1.5
    with pytest.raises(ValueError, match='cannot be None'):
        testing.InitializerArgument(1.0, None)
    with pytest.raises(TypeError):
        testing.InitializerArgument(1.0, 'text')


def test_expected_initializer_values():
    numpy.testing.assert_array_equal(
        function_link._fill_expected(2.5, (2, 2), numpy.float32), numpy.full((2, 2), 2.5))
    numpy.testing.assert_array_equal(
        function_link._fill_expected(numpy.arange(3.0), (3,), numpy.float64),
        numpy.arange(3.0))

    def fill_seven(array):
        array[...] = 7

    numpy.testing.assert_array_equal(
        function_link._fill_expected(fill_seven, (2,), numpy.float32), [7, 7])
    with pytest.raises(ValueError, match='InitializerArgument'):
        function_link._check_initializer_like(None, 'generate_params')
    with pytest.raises(TypeError):
        function_link._check_initializer_like(object(), 'generate_params')


def _initial_array(init, shape=(3,)):
    """What the Scale links below make of an initializer-like."""
    if init is None:
        return numpy.zeros(shape)
    return function_link._fill_expected(init, shape, numpy.float64)


class MulWrongW(chainer.FunctionNode):
    """x * w whose gradient for w is twice too large."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        return inputs[0] * inputs[1],

    def backward(self, indexes, grad_outputs):
        x, w = self.get_retained_inputs()
        gy, = grad_outputs
        return gy * w, F.sum_to(gy * x * 2, w.shape)


@pytest.fixture
def link_classes(monkeypatch):
    """(ScaleLink, WrongScaleLink, IgnoringInitScaleLink) classes.

    Until chainer.Link lands they derive from a minimal stand-in that is
    installed as chainer.Link for the test; afterwards from the real one.
    """
    if hasattr(chainer, 'Link'):
        base = chainer.Link
    else:
        import contextlib

        class StandInLink:
            def __init__(self):
                self._params = []

            def __setattr__(self, name, value):
                if isinstance(value, chainer.Parameter) and name not in self._params:
                    self._params.append(name)
                object.__setattr__(self, name, value)

            @contextlib.contextmanager
            def init_scope(self):
                yield

            def to_device(self, device):
                for name in self._params:
                    getattr(self, name).to_device(device)
                return self

            def cleargrads(self):
                for name in self._params:
                    getattr(self, name).cleargrad()

            def __call__(self, *args):
                return self.forward(*args)

        monkeypatch.setattr(chainer, 'Link', StandInLink, raising=False)
        base = StandInLink

    class ScaleLink(base):
        def __init__(self, initializer=None):
            super().__init__()
            with self.init_scope():
                self.W = chainer.Parameter(_initial_array(initializer))

        def forward(self, x):
            return x * self.W

    class WrongScaleLink(ScaleLink):
        def forward(self, x):
            return MulWrongW().apply((x, self.W))[0]

    class IgnoringInitScaleLink(ScaleLink):
        def __init__(self, initializer=None):
            super().__init__(1.0)

    return ScaleLink, WrongScaleLink, IgnoringInitScaleLink


class _ScaleLinkCase:
    """What the link test cases below share: ``link_class`` (a scale link) with one
    parameter ``W`` of shape (3,) applied to inputs of shape (2, 3)."""

    __test__ = False
    param_names = ('W',)
    link_class = None

    def generate_params(self):
        return numpy.random.uniform(-1, 1, (3,)),

    def create_link(self, initializers):
        return self.link_class(*initializers)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (2, 3)),


class _LinkBase(_ScaleLinkCase, testing.LinkTestCase):

    def forward_expected(self, link, inputs):
        return inputs[0] * link.W.array,


def run_link(cls, method, **attrs):
    klass = type(cls.__name__, (cls,), dict(attrs, __test__=False))
    case = klass(method)
    getattr(case, method)(backend_config())
    return case


def test_link_test_case_passes(link_classes):
    scale, _, _ = link_classes
    for method in ('test_forward', 'test_backward'):
        case = run_link(_LinkBase, method, link_class=scale)
        assert case.test_name == method


def test_link_test_case_wrong_forward(link_classes):
    scale, _, _ = link_classes

    def forward_expected(self, link, inputs):
        return inputs[0] * link.W.array + 1,

    with pytest.raises(testing.LinkTestError, match='Outputs do not match'):
        run_link(_LinkBase, 'test_forward', link_class=scale,
                 forward_expected=forward_expected)


def test_link_test_case_wrong_param_gradient(link_classes):
    _, wrong, _ = link_classes
    run_link(_LinkBase, 'test_forward', link_class=wrong)
    with pytest.raises(testing.LinkTestError, match='backward is not implemented'):
        run_link(_LinkBase, 'test_backward', link_class=wrong)


def test_link_test_case_bad_definitions(link_classes):
    scale, _, _ = link_classes
    with pytest.raises(testing.LinkTestError, match="parameter named 'V'"):
        run_link(_LinkBase, 'test_backward', link_class=scale, param_names=('V',))
    with pytest.raises(TypeError, match='chainer.Link'):
        run_link(_LinkBase, 'test_forward', link_class=staticmethod(lambda w: object()))
    # param_names names the parameters whose gradients are checked; it need
    # not match generate_params one for one (as in Chainer).
    run_link(_LinkBase, 'test_forward', link_class=scale, param_names=('W', 'b'))
    with pytest.raises(testing.LinkTestError, match="parameter named 'b'"):
        run_link(_LinkBase, 'test_backward', link_class=scale, param_names=('W', 'b'))
    with pytest.raises(unittest.SkipTest):
        run_link(_LinkBase, 'test_backward', link_class=scale, skip_backward_test=True)


def test_link_test_case_checks_some_of_the_initialized_params():
    # Both initializers go to the link; only W's gradient is checked.
    class Linear(_LinkBase):
        param_names = ('W',)
        numerical_grad_dtype = None  # b, not checked, stays float32
        check_backward_options = {'atol': 1e-2, 'rtol': 1e-2, 'eps': 1e-2}

        def generate_params(self):
            return (numpy.random.uniform(-1, 1, (3, 2)).astype(numpy.float32),
                    numpy.random.uniform(-1, 1, (3,)).astype(numpy.float32))

        def create_link(self, initializers):
            W, b = initializers
            return chainer.links.Linear(2, 3, initialW=W, initial_bias=b)

        def generate_inputs(self):
            return numpy.random.uniform(-1, 1, (4, 2)).astype(numpy.float32),

        def forward_expected(self, link, inputs):
            return inputs[0].dot(link.W.array.T) + link.b.array,

    for method in ('test_forward', 'test_backward'):
        run_link(Linear, method)
    # No parameter checked: W and b stay float32 while the numerical gradient
    # runs on float64 inputs, which Chainer allows (no type checks there).
    run_link(Linear, 'test_backward', param_names=(), numerical_grad_dtype=numpy.float64,
             check_backward_options={})


class _InitBase(_ScaleLinkCase, testing.LinkInitializersTestCase):

    def get_initializers(self):
        def fill_seven(array):
            array[...] = 7

        return ([2.0, numpy.arange(3.0), fill_seven,
                 testing.InitializerArgument(None, 0.0)],)


def test_link_initializers_test_case(link_classes):
    scale, _, ignoring = link_classes
    run_link(_InitBase, 'test_initializers', link_class=scale)
    with pytest.raises(testing.LinkTestError, match='not initialized as expected'):
        run_link(_InitBase, 'test_initializers', link_class=ignoring)

    def get_initializers(self):
        return [None],

    with pytest.raises(ValueError, match='InitializerArgument'):
        run_link(_InitBase, 'test_initializers', link_class=scale,
                 get_initializers=get_initializers)


def test_link_initializers_generate_params_once_per_param(link_classes):
    # As Chainer: one generate_params call per parameter, shared by all of
    # that parameter's initializers, so seeded draws line up.
    scale, _, _ = link_classes
    calls = []

    def generate_params(self):
        calls.append(1)
        return numpy.random.uniform(-1, 1, (3,)),

    run_link(_InitBase, 'test_initializers', link_class=scale,
             generate_params=generate_params)
    assert len(calls) == 1


def test_link_test_cases_exist():
    for cls in (testing.LinkTestCase, testing.LinkInitializersTestCase):
        assert issubclass(cls, unittest.TestCase)
    assert hasattr(testing.LinkTestCase, 'test_forward')
    assert hasattr(testing.LinkTestCase, 'test_backward')
    assert hasattr(testing.LinkInitializersTestCase, 'test_initializers')


# ---------------------------------------------------------------------------
# unary_math_function_unittest

@testing.unary_math_function_unittest(F.exp)
class TestExp(unittest.TestCase):
    pass


def _make_positive(shape, dtype):
    x = numpy.random.uniform(0.5, 2, shape).astype(dtype)
    gy = numpy.random.uniform(-1, 1, shape).astype(dtype)
    ggx = numpy.random.uniform(-1, 1, shape).astype(dtype)
    return x, gy, ggx


def _log_expected(x, dtype):
    return numpy.log(x).astype(dtype)


@testing.unary_math_function_unittest(
    F.log, func_expected=_log_expected, make_data=_make_positive, label_expected='log')
class TestLog(unittest.TestCase):
    pass


def test_unary_generated_classes():
    names = [n for n in globals() if n.startswith('TestExp_param_')]
    assert len(names) == 6
    klass = globals()[names[0]]
    for method in ('test_forward_cpu', 'test_backward_cpu', 'test_double_backward_cpu',
                   'test_forward_gpu', 'test_backward_gpu', 'test_double_backward_gpu'):
        assert hasattr(klass, method)
    assert not hasattr(klass, 'test_label')
    assert any(hasattr(globals()[n], 'test_label')
               for n in globals() if n.startswith('TestLog_param_'))


def _expand_in_scratch_module(decorator, name):
    """Applies a class decorator to a fresh TestCase in a throw-away module."""
    module = types.ModuleType(f'{__name__}_scratch_{name}')
    klass = type(name, (unittest.TestCase,), {'__module__': module.__name__})
    sys.modules[module.__name__] = module
    try:
        decorator(klass)
    finally:
        del sys.modules[module.__name__]
    return [v for k, v in vars(module).items() if k.startswith(f'{name}_param_')]


def test_unary_wrong_label_and_missing_numpy_function():
    def zzz_no_numpy(x):
        return x

    with pytest.raises(ValueError, match='NumPy has no functions'):
        testing.unary_math_function_unittest(zzz_no_numpy)

    classes = _expand_in_scratch_module(
        testing.unary_math_function_unittest(F.exp, label_expected='not-exp'), 'Wrong')
    assert len(classes) == 6
    case = classes[0]('test_label')
    case.setUp()
    with pytest.raises(AssertionError):
        case.test_label()


def test_unary_wrong_function_fails():
    def exp(x):  # named like numpy.exp but computing something else
        return F.exp(x) * 1.5

    classes = _expand_in_scratch_module(testing.unary_math_function_unittest(exp), 'Bad')
    case = classes[0]('test_forward_cpu')
    case.setUp()
    with pytest.raises(AssertionError):
        case.test_forward_cpu()
    # backward and double backward are consistent with the function itself
    case.test_backward_cpu()
    case.test_double_backward_cpu()


def test_dodge_retries():
    calls = []

    def generate_inputs(self):
        calls.append(None)
        if len(calls) == 1:
            return numpy.array([0.0, 0.5]),
        return numpy.array([0.3, -0.5]),

    def forward(self, inputs, device):
        return abs(inputs[0]),

    def forward_expected(self, inputs):
        return numpy.abs(inputs[0]),

    run(_Base, 'test_backward', dodge_nondifferentiable=True,
        generate_inputs=generate_inputs, forward=forward,
        forward_expected=forward_expected)
    assert len(calls) == 2


def test_unary_is_linear_is_deprecated():
    with pytest.warns(DeprecationWarning):
        testing.unary_math_function_unittest(F.exp, is_linear=True)


def test_test_methods_need_a_backend_config():
    # The base class itself (collected when a test module imports it) skips.
    with pytest.raises(unittest.SkipTest):
        testing.FunctionTestCase('test_forward').test_forward()
    with pytest.raises(unittest.SkipTest):
        testing.LinkInitializersTestCase('test_initializers').test_initializers()
    # A subclass without inject_backend_tests is an error, not a silent pass.
    klass = type('NotInjected', (_Base,), {})
    with pytest.raises(TypeError, match='inject_backend_tests'):
        klass('test_backward').test_backward()
    klass = type('NotInjectedLink', (_LinkBase,), {})
    with pytest.raises(TypeError, match='inject_backend_tests'):
        klass('test_forward').test_forward()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_unary_options_update_the_defaults(dtype):
    # Given options replace only their own keys: an ``eps`` keeps the float64
    # numeric gradient and the default tolerances, as in Chainer.
    classes = _expand_in_scratch_module(testing.unary_math_function_unittest(
        F.sqrt, make_data=_make_positive, forward_options={'atol': 0.5},
        backward_options={'eps': 1e-6}, double_backward_options={'rtol': 0.25}), 'Opts')
    case = next(c for c in classes if f'dtype={dtype.__name__},' in c.__name__)(
        'test_backward_cpu')
    case.setUp()
    small = dtype == numpy.float16
    assert case.forward_options == {
        'atol': 0.5, 'rtol': float(numpy.finfo(numpy.float16).eps) if small else 1e-4}
    assert case.backward_options['eps'] == 1e-6
    assert case.backward_options['dtype'] == numpy.float64
    assert case.backward_options['atol'] == (2 ** -4 if small else 1e-4)
    assert case.double_backward_options['rtol'] == 0.25
    assert case.double_backward_options['dtype'] == numpy.float64
    assert case.double_backward_options.get('eps') == (2 ** -4 if small else None)
    case.test_backward_cpu()
    case.test_double_backward_cpu()
