"""Tests of chainer.config / global_config / using_config and the CHAINER_* variables."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import chainer
from chainer import configuration

DEFAULTS = {
    'train': True,
    'enable_backprop': True,
    'type_check': True,
    'debug': False,
    'use_cudnn': 'auto',
    'cudnn_deterministic': False,
    'autotune': False,
    'keep_graph_on_report': False,
    'lazy_grad_sum': False,
    'warn_nondeterministic': False,
    'use_ideep': 'never',
    'use_cudnn_tensor_core': 'auto',
    'cudnn_fast_batch_normalization': False,
    'in_recomputing': False,
    'use_static_graph': True,
    'schedule_func': None,
    'compute_mode': None,
}

_ENV_VARS = ('CHAINER_DEBUG', 'CHAINER_TYPE_CHECK', 'CHAINER_DTYPE', 'CHAINER_USE_CUDNN',
             'CHAINER_CUDNN_DETERMINISTIC', 'CHAINER_KEEP_GRAPH_ON_REPORT',
             'CHAINER_LAZY_GRAD_SUM', 'CHAINER_USE_IDEEP', 'CHAINER_WARN_NONDETERMINISTIC',
             'CHAINER_CUDNN_FAST_BATCH_NORMALIZATION')


def _env_is_clean() -> bool:
    return not any(name in os.environ for name in _ENV_VARS)


class TestDefaults:

    @pytest.mark.skipif(not _env_is_clean(), reason='CHAINER_* variables are set')
    @pytest.mark.parametrize('key, value', sorted(DEFAULTS.items()))
    def test_default(self, key, value):
        assert getattr(chainer.config, key) == value
        assert getattr(chainer.global_config, key) == value

    @pytest.mark.skipif(not _env_is_clean(), reason='CHAINER_* variables are set')
    def test_dtype(self):
        assert chainer.config.dtype == np.float32
        assert chainer.config.dtype == np.dtype('float32')

    def test_objects(self):
        assert chainer.config is configuration.config
        assert chainer.global_config is configuration.global_config
        assert isinstance(chainer.config, configuration.LocalConfig)
        assert isinstance(chainer.global_config, configuration.GlobalConfig)
        assert chainer.using_config is configuration.using_config

    def test_unknown_key(self):
        with pytest.raises(AttributeError):
            chainer.config.no_such_key_exists
        with pytest.raises(AttributeError):
            chainer.global_config.no_such_key_exists

    def test_fresh_global_config_reads_none_for_chainers_keys(self):
        g = configuration.GlobalConfig()
        c = configuration.LocalConfig(g)
        for key in DEFAULTS:
            assert getattr(g, key) is None
            assert getattr(c, key) is None
        assert g.dtype is None and g._will_recompute is None
        with pytest.raises(AttributeError):
            g.no_such_key_exists
        out = io.StringIO()
        g.show(out)  # only what was set is shown
        assert out.getvalue() == ''
        g.train = False
        assert c.train is False
        del g.train
        assert g.train is None and c.train is None


class TestUsingConfig:

    def test_sets_and_restores(self):
        assert chainer.config.train
        with chainer.using_config('train', False):
            assert chainer.config.train is False
        assert chainer.config.train is True

    def test_global_unchanged(self):
        with chainer.using_config('train', False):
            assert chainer.global_config.train is True

    def test_nested(self):
        with chainer.using_config('train', False):
            with chainer.using_config('train', True):
                assert chainer.config.train
            assert not chainer.config.train
        assert chainer.config.train

    @pytest.mark.skipif(not _env_is_clean(), reason='CHAINER_* variables are set')
    def test_restores_on_exception(self):
        with pytest.raises(KeyError):
            with chainer.using_config('debug', True):
                assert chainer.config.debug
                raise KeyError('x')
        assert chainer.config.debug is False

    def test_restores_previous_local_value(self):
        chainer.config.train = False
        try:
            with chainer.using_config('train', True):
                assert chainer.config.train
            assert chainer.config.train is False
        finally:
            del chainer.config.train
        assert chainer.config.train is True

    def test_as_decorator(self):
        @chainer.using_config('train', False)
        def depth(n):
            assert chainer.config.train is False
            return 0 if n == 0 else 1 + depth(n - 1)

        assert depth(3) == 3  # recursion enters a fresh context each call
        assert chainer.config.train is True

    def test_reused_object(self):
        cm = chainer.using_config('train', False)
        for _ in range(2):
            with cm:
                assert chainer.config.train is False
            assert chainer.config.train is True

    def test_enter_returns_none(self):
        with chainer.using_config('train', False) as value:
            assert value is None

    def test_name_must_be_a_string(self):
        with pytest.raises(TypeError):
            chainer.using_config(1, True)
        with pytest.raises(TypeError):
            chainer.using_config(None, True)

    def test_local_overrides_seen_through_private_local(self):
        # Code written for Chainer reads chainer.config._local (a threading.local).
        with chainer.using_config('train', False):
            assert chainer.config._local.__dict__['train'] is False
            assert hasattr(chainer.config._local, 'train')
        assert 'train' not in chainer.config._local.__dict__
        assert not hasattr(chainer.config._local, 'train')

    def test_new_key(self):
        with chainer.using_config('my_new_key', 42):
            assert chainer.config.my_new_key == 42
        with pytest.raises(AttributeError):
            chainer.config.my_new_key

    def test_custom_config_object(self):
        g = configuration.GlobalConfig()
        g.flag = 1
        c = configuration.LocalConfig(g)
        assert c.flag == 1
        with chainer.using_config('flag', 2, c):
            assert c.flag == 2
            assert chainer.config is not c
        assert c.flag == 1
        with configuration.using_config('flag', 3, config=c):
            assert c.flag == 3

    def test_local_assignment_and_delete(self):
        chainer.config.train = False
        try:
            assert chainer.config.train is False
            assert chainer.global_config.train is True
        finally:
            del chainer.config.train
        assert chainer.config.train is True

    def test_global_assignment_visible(self):
        chainer.global_config.my_global_key = 'v'
        try:
            assert chainer.config.my_global_key == 'v'
            seen = {}
            t = threading.Thread(target=lambda: seen.setdefault(
                'v', chainer.config.my_global_key))
            t.start()
            t.join(timeout=60)
            assert not t.is_alive()
            assert seen['v'] == 'v'
        finally:
            del chainer.global_config.my_global_key
        with pytest.raises(AttributeError):
            chainer.config.my_global_key


class TestThreadLocal:

    def test_using_config_not_visible_in_other_thread(self):
        seen = {}
        started = threading.Event()
        release = threading.Event()

        def other():
            seen['before'] = chainer.config.train
            started.set()
            release.wait(5)
            seen['after'] = chainer.config.train

        with chainer.using_config('train', False):
            t = threading.Thread(target=other)
            t.start()
            started.wait(5)
            release.set()
            t.join(timeout=60)
            assert not t.is_alive()
            assert chainer.config.train is False
        assert seen == {'before': True, 'after': True}

    def test_other_thread_override_not_visible_here(self):
        inside = threading.Event()
        done = threading.Event()
        seen = {}

        def other():
            with chainer.using_config('enable_backprop', False):
                seen['there'] = chainer.config.enable_backprop
                inside.set()
                done.wait(5)

        t = threading.Thread(target=other)
        t.start()
        inside.wait(5)
        here = chainer.config.enable_backprop
        done.set()
        t.join(timeout=60)
        assert not t.is_alive()
        assert seen['there'] is False
        assert here is True

    @pytest.mark.skipif(not _env_is_clean(), reason='CHAINER_* variables are set')
    def test_direct_set_is_thread_local(self):
        seen = {}

        def other():
            chainer.config.debug = True
            seen['there'] = chainer.config.debug

        t = threading.Thread(target=other)
        t.start()
        t.join(timeout=60)
        assert not t.is_alive()
        assert seen['there'] is True
        assert chainer.config.debug is False

    def test_no_backprop_mode_per_thread(self):
        x = chainer.Variable(np.ones(1, np.float32))
        results = {}

        def other():
            results['y'] = x * 2

        with chainer.no_backprop_mode():
            t = threading.Thread(target=other)
            t.start()
            t.join(timeout=60)
            assert not t.is_alive()
            z = x * 2
        assert results['y'].creator is not None
        assert z.creator is None


class TestShow:

    def test_global_show_format(self):
        g = configuration.GlobalConfig()
        g.beta = 'b'
        g.alpha_long_name = 1
        g.c = None
        out = io.StringIO()
        g.show(out)
        assert out.getvalue() == ('alpha_long_name 1\n'
                                  'beta            b\n'
                                  'c               None\n')

    def test_show_prints_numpy_scalars_as_chainer_did(self):
        # Chainer printed under NumPy 1: (0.5, 3), not (np.float32(0.5), np.int64(3))
        g = configuration.GlobalConfig()
        g.pair = (np.float32(0.5), np.int64(3))
        out = io.StringIO()
        g.show(out)
        assert out.getvalue() == 'pair (0.5, 3)\n'

    def test_local_show_includes_overrides(self):
        g = configuration.GlobalConfig()
        g.train = True
        g.zeta = 0
        c = configuration.LocalConfig(g)
        with chainer.using_config('train', False, c), chainer.using_config('extra', 'x', c):
            out = io.StringIO()
            c.show(out)
        assert out.getvalue() == ('extra x\n'
                                  'train False\n'
                                  'zeta  0\n')

    def test_chainer_config_show(self):
        out = io.StringIO()
        with chainer.using_config('train', False):
            chainer.config.show(out)
        lines = out.getvalue().splitlines()
        keys = [line.split()[0] for line in lines]
        assert keys == sorted(keys)
        for key in DEFAULTS:
            assert key in keys
        width = max(len(k) for k in keys)
        for line in lines:
            key = line.split()[0]
            assert line[width] == ' ', line
            assert line[:width].rstrip() == key
        train_line = [line for line in lines if line.startswith('train ')][0]
        assert train_line.split()[1] == 'False'

    def test_show_default_file_is_stdout(self):
        code = 'import chainer; chainer.config.show(); chainer.global_config.show()'
        r = _run_with_env({}, code)
        assert r.returncode == 0, r.stderr
        assert r.stdout.count('enable_backprop') == 2 and 'type_check' in r.stdout


@pytest.mark.skipif(not _env_is_clean(), reason='CHAINER_* variables are set')
class TestDebug:

    def test_is_debug(self):
        assert chainer.is_debug() is False
        with chainer.using_config('debug', True):
            assert chainer.is_debug() is True

    def test_set_debug_is_thread_local(self):
        # As in Chainer, set_debug(v) is chainer.config.debug = v.
        seen = {}
        chainer.set_debug(True)
        try:
            assert chainer.is_debug()
            assert chainer.global_config.debug is False
            t = threading.Thread(target=lambda: seen.setdefault('other', chainer.is_debug()))
            t.start()
            t.join(timeout=60)
            assert not t.is_alive()
        finally:
            del chainer.config.debug
        assert seen == {'other': False}
        assert not chainer.is_debug()

    def test_set_debug_inside_using_config(self):
        with chainer.using_config('debug', False):
            chainer.set_debug(True)
            assert chainer.is_debug()
        assert not chainer.is_debug()

    def test_debug_mode(self):
        with pytest.warns(DeprecationWarning, match='DebugMode is deprecated'):
            outer = chainer.DebugMode(True)
        with outer:
            assert chainer.is_debug()
            with pytest.warns(DeprecationWarning):
                inner = chainer.DebugMode(False)
            with inner:
                assert not chainer.is_debug()
            assert chainer.is_debug()
        assert not chainer.is_debug()


def _run_with_env(env_update: dict, code: str):
    env = {k: v for k, v in os.environ.items() if k not in _ENV_VARS}
    env.update(env_update)
    return subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                          text=True, timeout=120)


_PRINT_CONFIG = (
    'import json, chainer\n'
    'c = chainer.config\n'
    'print(json.dumps({"debug": c.debug, "type_check": c.type_check, "dtype": str(c.dtype),\n'
    '    "use_cudnn": c.use_cudnn, "cudnn_deterministic": c.cudnn_deterministic,\n'
    '    "keep_graph_on_report": c.keep_graph_on_report, "lazy_grad_sum": c.lazy_grad_sum,\n'
    '    "use_ideep": c.use_ideep, "warn_nondeterministic": c.warn_nondeterministic,\n'
    '    "is_debug": chainer.is_debug()}))\n')


class TestEnvironment:

    @pytest.mark.parametrize('env, expect', [
        ({}, {'debug': False, 'type_check': True, 'dtype': 'float32', 'is_debug': False}),
        ({'CHAINER_DEBUG': '1'}, {'debug': True, 'is_debug': True}),
        ({'CHAINER_TYPE_CHECK': '0'}, {'type_check': False}),
        ({'CHAINER_DTYPE': 'float16'}, {'dtype': 'float16'}),
        ({'CHAINER_DTYPE': 'float64'}, {'dtype': 'float64'}),
        ({'CHAINER_DTYPE': 'mixed16'}, {'dtype': "dtype('mixed16')"}),
        ({'CHAINER_DEBUG': '2'}, {'debug': True}),
        ({'CHAINER_USE_CUDNN': 'never', 'CHAINER_KEEP_GRAPH_ON_REPORT': '1',
          'CHAINER_LAZY_GRAD_SUM': '1', 'CHAINER_USE_IDEEP': 'auto'},
         {'use_cudnn': 'never', 'keep_graph_on_report': True, 'lazy_grad_sum': True,
          'use_ideep': 'auto'}),
        # Chainer 7.8.1 reads no variable for these two keys.
        ({'CHAINER_CUDNN_DETERMINISTIC': '1', 'CHAINER_WARN_NONDETERMINISTIC': '1'},
         {'cudnn_deterministic': False, 'warn_nondeterministic': False}),
        ({'CHAINER_CUDNN_DETERMINISTIC': 'x', 'CHAINER_WARN_NONDETERMINISTIC': 'x'},
         {'cudnn_deterministic': False, 'warn_nondeterministic': False}),
    ])
    def test_variables(self, env, expect):
        r = _run_with_env(env, _PRINT_CONFIG)
        assert r.returncode == 0, r.stderr
        got = json.loads(r.stdout.strip().splitlines()[-1])
        for key, value in expect.items():
            assert got[key] == value, (key, got)

    @pytest.mark.parametrize('name', ['int8', 'half', 'double', 'f4', 'FLOAT32', ''])
    def test_bad_dtype(self, name):
        # Only float16/32/64 and mixed16 are accepted, as in Chainer.
        r = _run_with_env({'CHAINER_DTYPE': name}, 'import chainer')
        assert r.returncode != 0
        assert 'TypeError' in r.stderr
        assert f"CHAINER_DTYPE environment variable: '{name}'" in r.stderr

    def test_bad_flag(self):
        r = _run_with_env({'CHAINER_DEBUG': 'yes'}, 'import chainer')
        assert r.returncode != 0
        assert 'CHAINER_DEBUG' in r.stderr

    def test_debug_env_enables_nan_check(self):
        code = ('import numpy as np, chainer, chainer.functions as F\n'
                'x = chainer.Variable(np.array([-1.], np.float32))\n'
                'try:\n'
                '    F.log(x)\n'
                'except RuntimeError as e:\n'
                '    print("caught", e)\n')
        r = _run_with_env({'CHAINER_DEBUG': '1'}, code)
        assert r.returncode == 0, r.stderr
        assert 'caught' in r.stdout and 'NaN' in r.stdout


def test_using_config_exit_after_the_entry_was_deleted_raises():
    cm = chainer.using_config('train', False)
    cm.__enter__()
    del chainer.config.train
    with pytest.raises(AttributeError, match='train'):
        cm.__exit__(None, None, None)
    assert chainer.config.train is True


def test_using_config_exited_in_another_thread_raises_there():
    cm = chainer.no_backprop_mode()
    cm.__enter__()
    try:
        seen = {}

        def other():
            try:
                cm.__exit__(None, None, None)
            except AttributeError as e:
                seen['error'] = e
            seen['other'] = chainer.config.enable_backprop

        t = threading.Thread(target=other)
        t.start()
        t.join(10)
        assert not t.is_alive()
        assert isinstance(seen['error'], AttributeError)
        assert seen['other'] is True
        assert chainer.config.enable_backprop is False  # still set in this thread
    finally:
        del chainer.config.enable_backprop
    assert chainer.config.enable_backprop is True


def test_missing_key_error_names_the_global_config_as_in_chainer():
    msg = "'GlobalConfig' object has no attribute 'no_such_key'"
    with pytest.raises(AttributeError, match=msg):
        chainer.config.no_such_key
    assert getattr(chainer.config, 'no_such_key', 5) == 5
    assert not hasattr(chainer.config, 'no_such_key')
    chainer.global_config.no_such_key = 3
    try:
        assert chainer.config.no_such_key == 3
    finally:
        del chainer.global_config.no_such_key
    with pytest.raises(AttributeError, match=msg):
        chainer.config.no_such_key
    assert type(chainer.config).__name__ == 'LocalConfig'



def test_backprop_modes_decorate_functions():
    # README: like using_config (TestUsingConfig.test_as_decorator), they decorate
    # functions (Chainer's context objects were not callable).
    @chainer.no_backprop_mode()
    def no_graph():
        return chainer.config.enable_backprop

    @chainer.force_backprop_mode()
    def graph():
        return chainer.config.enable_backprop

    with chainer.no_backprop_mode():
        assert graph() is True
    assert no_graph() is False
    assert chainer.config.enable_backprop is True


# -- the flags of the seldom-set keys (configuration._SELDOM_SET) ----------------------

class _FailingCheck(chainer.FunctionNode):
    """A node whose type check always fails (so that a check run shows)."""

    def check_type_forward(self, in_types):
        chainer.utils.type_check.expect(in_types.size() == 2)

    def forward(self, inputs):
        return inputs[0] * 2,


def _observed(in_thread=False):
    """What ``FunctionNode.apply`` makes of debug, type_check and lazy_grad_sum now:
    ``(debug, type_check, lazy_grad_sum)`` as seen through their effects."""
    def observe():
        x = chainer.Variable(np.array([1., -1.], np.float32))
        y = x * 2.
        debug = y.creator.stack is not None
        try:
            _FailingCheck().apply((x,))
            checked = False
        except chainer.utils.type_check.InvalidType:
            checked = True
        lazy = (x + 1.).creator.lazy_grad_sum
        return debug, checked, lazy
    if not in_thread:
        return observe()
    got = []
    t = threading.Thread(target=lambda: got.append(observe()))
    t.start()
    t.join(10)
    return got[0]


DEFAULT_SEEN = (False, True, False)


@pytest.fixture
def lowered_flags(monkeypatch):
    """The flags down, as in a process that never set the keys (they are at their
    defaults here, in every thread)."""
    for key, (flag, default) in configuration._SELDOM_SET.items():
        if (bool(getattr(chainer.global_config, key)) is not default
                or bool(getattr(chainer.config, key)) is not default):
            pytest.skip(f'config.{key} is not at its default (a CHAINER_* variable?)')
        monkeypatch.setattr(configuration, flag, False)
    assert _observed() == DEFAULT_SEEN


# A value per key that acts unlike its default, and the effect in _observed()
_SEEN_WITH = {'debug': (True, (True, True, False)),
              'type_check': (False, (False, False, False)),
              'lazy_grad_sum': (True, (False, True, True))}


class TestSeldomSetKeys:

    @pytest.mark.parametrize('key', sorted(_SEEN_WITH))
    def test_thread_attribute(self, lowered_flags, key):
        value, seen = _SEEN_WITH[key]
        setattr(chainer.config, key, value)
        try:
            assert _observed() == seen
            assert _observed(in_thread=True) == DEFAULT_SEEN  # this thread's only
        finally:
            delattr(chainer.config, key)
        assert _observed() == DEFAULT_SEEN

    @pytest.mark.parametrize('key', sorted(_SEEN_WITH))
    def test_global_attribute(self, lowered_flags, key):
        value, seen = _SEEN_WITH[key]
        old = getattr(chainer.global_config, key)
        setattr(chainer.global_config, key, value)
        try:
            assert _observed() == seen
            assert _observed(in_thread=True) == seen
        finally:
            setattr(chainer.global_config, key, old)
        assert _observed() == DEFAULT_SEEN

    @pytest.mark.parametrize('key', sorted(_SEEN_WITH))
    def test_global_attribute_set_in_another_thread(self, lowered_flags, key):
        value, seen = _SEEN_WITH[key]
        old = getattr(chainer.global_config, key)
        t = threading.Thread(target=setattr, args=(chainer.global_config, key, value))
        t.start()
        t.join(10)
        try:
            assert _observed() == seen
        finally:
            setattr(chainer.global_config, key, old)

    @pytest.mark.parametrize('key', sorted(_SEEN_WITH))
    def test_using_config(self, lowered_flags, key):
        value, seen = _SEEN_WITH[key]
        with chainer.using_config(key, value):
            assert _observed() == seen
            assert _observed(in_thread=True) == DEFAULT_SEEN
        assert _observed() == DEFAULT_SEEN

    @pytest.mark.parametrize('key', sorted(_SEEN_WITH))
    def test_using_config_in_another_thread(self, lowered_flags, key):
        value, seen = _SEEN_WITH[key]
        got = []

        @chainer.using_config(key, value)
        def other():
            got.append(_observed())

        t = threading.Thread(target=other)
        t.start()
        t.join(10)
        assert got == [seen]
        assert _observed() == DEFAULT_SEEN

    @pytest.mark.parametrize('key', sorted(_SEEN_WITH))
    def test_local_view_attribute(self, lowered_flags, key):
        value, seen = _SEEN_WITH[key]
        setattr(chainer.config._local, key, value)
        try:
            assert _observed() == seen
        finally:
            delattr(chainer.config._local, key)

    def test_debug_in_backward(self, lowered_flags):
        x = chainer.Variable(np.array([1.], np.float32))
        y = x + 1.  # (its backward applies nothing: the walk checks)
        y.grad = np.array([np.nan], np.float32)
        with chainer.using_config('debug', True):
            with pytest.raises(RuntimeError, match='NaN is detected on backward'):
                y.backward()

    def test_set_debug_and_debug_mode(self, lowered_flags):
        chainer.set_debug(True)
        try:
            assert _observed() == _SEEN_WITH['debug'][1]
        finally:
            chainer.set_debug(False)
        configuration._debug_may_be_on = False
        with pytest.warns(DeprecationWarning):
            mode = chainer.DebugMode(True)
        with mode:
            assert _observed() == _SEEN_WITH['debug'][1]
        assert _observed() == DEFAULT_SEEN

    def test_deleted_global_type_check_reads_none(self, lowered_flags):
        # As in Chainer, None turns the check off.
        del chainer.global_config.type_check
        try:
            assert chainer.config.type_check is None
            assert _observed() == (False, False, False)
        finally:
            chainer.global_config.type_check = True

    @pytest.mark.parametrize('key, value', [('debug', 1), ('debug', np.bool_(True)),
                                            ('debug', 'yes'), ('type_check', 0),
                                            ('type_check', ''), ('lazy_grad_sum', [1])])
    def test_other_values_acting_otherwise(self, lowered_flags, key, value):
        with chainer.using_config(key, value):
            assert _observed() == _SEEN_WITH[key][1]

    @pytest.mark.parametrize('key, value', [('debug', False), ('debug', None),
                                            ('debug', 0), ('type_check', True),
                                            ('type_check', 1), ('lazy_grad_sum', False)])
    def test_default_values_leave_the_flag_down(self, lowered_flags, key, value):
        old = getattr(chainer.global_config, key)
        try:
            with chainer.using_config(key, value):
                assert _observed() == DEFAULT_SEEN
            setattr(chainer.config, key, value)
            setattr(chainer.global_config, key, value)
            assert _observed() == DEFAULT_SEEN
        finally:
            setattr(chainer.global_config, key, old)
            chainer.config.__dict__.pop(key, None)
        flag = configuration._SELDOM_SET[key][0]
        assert getattr(configuration, flag) is False

    @pytest.mark.parametrize('env, seen', [({'CHAINER_DEBUG': '1'}, [True, True, False]),
                                           ({'CHAINER_TYPE_CHECK': '0'}, [False, False, False]),
                                           ({'CHAINER_LAZY_GRAD_SUM': '1'}, [False, True, True]),
                                           ({}, [False, True, False])])
    def test_environment(self, env, seen):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        code = (f'import json, sys\nsys.path.insert(0, {root!r})\n'
                'from tests.chainer_tests.test_configuration import _observed\n'
                'print(json.dumps([_observed(), _observed(in_thread=True)]))\n')
        r = _run_with_env(env, code)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout.strip().splitlines()[-1]) == [seen, seen]
