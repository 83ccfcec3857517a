"""The DQN example: the built-in CartPole, the TD targets, a short run beats a random policy."""
from __future__ import annotations

import copy
import math
import pathlib
import random
import subprocess
import sys
import types

import numpy as np
import pytest

import chainer

from tests.examples_tests.test_train_mnist import _env
from tests.examples_tests._example import load_example

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'reinforcement_learning' / 'dqn_cartpole.py'
_SMALL = ['--unit', '32', '--replay-start-size', '200', '--final-exploration-steps', '1500',
          '--batch-size', '32']


def _load_example():
    return load_example(EXAMPLE, 'dqn_cartpole')


def _reference_step(state, action):
    # The cart-pole equations written out with the constants of the classic task.
    x, x_dot, th, th_dot = state
    f = 10.0 if action == 1 else -10.0
    temp = (f + 0.1 * 0.5 * th_dot ** 2 * math.sin(th)) / 1.1
    th_acc = (9.8 * math.sin(th) - math.cos(th) * temp) / (
        0.5 * (4 / 3 - 0.1 * math.cos(th) ** 2 / 1.1))
    x_acc = temp - 0.1 * 0.5 * th_acc * math.cos(th) / 1.1
    return [x + 0.02 * x_dot, x_dot + 0.02 * x_acc, th + 0.02 * th_dot, th_dot + 0.02 * th_acc]


def test_builtin_cartpole_dynamics():
    example = _load_example()
    env = example.CartPole(seed=3)
    obs = env.reset()
    assert obs.shape == (4,) and obs.dtype == np.float32 and np.all(np.abs(obs) <= 0.05)
    state = [float(v) for v in env.state]
    for action in (1, 1, 0, 1, 0, 0):
        obs, reward, done, info = env.step(action)
        state = _reference_step(state, action)
        np.testing.assert_allclose(obs, state, rtol=1e-6, atol=1e-7)
        assert reward == 1.0 and not done and info == {}
    # Pushing one way long enough drops the pole (|theta| > 12 degrees) well before 200 steps.
    env.reset()
    for n in range(1, 201):
        _, _, done, _ = env.step(1)
        if done:
            break
    assert n < 50 and abs(env.state[2]) > 12 * math.pi / 180
    # A balanced pole steered by a simple controller ends at the 200-step limit.
    env.reset()
    for n in range(1, 201):
        x, x_dot, th, th_dot = env.state
        _, _, done, info = env.step(int(th + 0.5 * th_dot + 0.01 * x + 0.1 * x_dot > 0))
        if done:
            break
    assert n == 200 and info == {'TimeLimit.truncated': True}
    assert abs(env.state[2]) < 12 * math.pi / 180 and abs(env.state[0]) < 2.4
    with pytest.raises(ValueError):
        env.step(2)


@pytest.mark.parametrize('double_dqn', [False, True])
def test_td_target_matches_numpy(double_dqn):
    example = _load_example()
    Q = example.QFunction(3, 4, n_units=5)
    target_Q = copy.deepcopy(Q)
    rng = np.random.RandomState(1)
    for p in target_Q.params():
        p.array[...] = rng.normal(0, 1, p.shape)
    assert not np.array_equal(Q.l0.W.array, target_Q.l0.W.array)  # deepcopy: separate arrays
    rng = np.random.RandomState(0)
    obs_next = rng.normal(size=(5, 3)).astype(np.float32)
    reward = rng.normal(size=5).astype(np.float32)
    done = np.array([0, 1, 0, 0, 1], np.float32)

    def mlp(link, x):
        h = np.maximum(x @ link.l0.W.array.T + link.l0.b.array, 0)
        h = np.maximum(h @ link.l1.W.array.T + link.l1.b.array, 0)
        return h @ link.l2.W.array.T + link.l2.b.array

    q_online, q_target = mlp(Q, obs_next), mlp(target_Q, obs_next)
    if double_dqn:
        next_q = q_target[np.arange(5), q_online.argmax(axis=1)]
        assert not np.allclose(next_q, q_target.max(axis=1))  # the two targets differ here
    else:
        next_q = q_target.max(axis=1)
    expected = reward + 0.9 * (1 - done) * next_q
    target = example.compute_target(Q, target_Q, reward, obs_next, done, 0.9, double_dqn)
    np.testing.assert_allclose(target, expected, rtol=1e-5, atol=1e-6)

    # One update moves Q, not its target copy, until copyparams.
    samples = [(obs_next[i], i % 4, reward[i], bool(done[i]), obs_next[i]) for i in range(5)]
    opt = chainer.optimizers.Adam(eps=1e-2)
    opt.setup(Q)
    before = Q.l0.W.array.copy()
    target_before = target_Q.l0.W.array.copy()
    loss = example.update(Q, target_Q, opt, samples, gamma=0.9, double_dqn=double_dqn)
    assert np.isfinite(loss) and not np.array_equal(Q.l0.W.array, before)
    np.testing.assert_array_equal(target_Q.l0.W.array, target_before)
    target_Q.copyparams(Q)
    for (name, p), (_, t) in zip(sorted(Q.namedparams()), sorted(target_Q.namedparams())):
        np.testing.assert_array_equal(p.array, t.array, err_msg=name)


def test_loss_is_mean_huber():
    example = _load_example()
    y = np.array([0.0, 2.0, -3.0, 0.5], np.float32)
    t = np.array([0.5, 0.0, 0.0, 0.5], np.float32)
    d = np.abs(y - t)
    expected = np.mean(np.where(d <= 1, 0.5 * d ** 2, d - 0.5))
    loss = example.mean_clipped_loss(chainer.Variable(y), t)
    assert loss.shape == () and float(loss.array) == pytest.approx(expected)


def _random_policy_return(example, episodes: int = 100) -> float:
    env = example.CartPole(seed=123)
    rng = random.Random(123)
    total = 0.0
    for _ in range(episodes):
        env.reset()
        done = False
        while not done:
            _, r, done, _ = env.step(rng.randrange(2))
            total += r
    return total / episodes


def test_training_beats_random_policy(tmp_path, capsys):
    example = _load_example()
    baseline = _random_policy_return(example)
    assert 15 < baseline < 35
    out = tmp_path / 'out'
    result = example.main(['--episodes', '120', *_SMALL, '--seed', '1', '--out', str(out)])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and 'gym' in err[0] and 'CartPole' in err[0]
    lines = [line for line in captured.out.splitlines() if line.startswith('episode:')]
    assert len(lines) == 120 and lines[-1].startswith('episode: 119 iteration: ')
    assert 'average_R:' in lines[-1]
    returns = result['returns']
    assert len(returns) == 120 and sum(returns) == result['iteration']
    last = np.mean(returns[-20:])
    assert last > 2.5 * baseline, (last, baseline)

    # The saved model loads back into a fresh Q-function and gives the same values.
    Q2 = example.QFunction(4, 2, n_units=32)
    chainer.serializers.load_npz(str(out / 'model.npz'), Q2)
    x = np.random.RandomState(0).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_array_equal(Q2(x).array, result['Q'](x).array)
    assert not [p for p in out.iterdir() if p.name != 'model.npz']


def test_subprocess_double_dqn_and_bad_options(tmp_path):
    out = tmp_path / 'result'
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), '--episodes', '3', *_SMALL, '--double-dqn',
         '--replay-start-size', '20', '-g', '-1', '--out', str(out)],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'Device: @numpy' in proc.stdout and 'episode: 2 ' in proc.stdout
    assert 'average_loss: 0.' in proc.stdout  # updates ran
    assert (out / 'model.npz').is_file()
    example = _load_example()
    for bad in (['--gamma', '1.5'], ['--batch-size', '0'], ['--target-update-interval', '0'],
                ['--target-type', 'dueling']):
        with pytest.raises(SystemExit):
            example.parse_args(bad)
    args = example.parse_args(['--target-type', 'double_dqn', '--target-update-freq', '7'])
    assert args.double_dqn and args.target_update_interval == 7 and args.out == 'dqn_result'
    assert not example.parse_args([]).double_dqn


def test_uses_gym_when_installed(tmp_path, monkeypatch, capsys):
    example = _load_example()
    made = []

    class NewApiCartPole(example.CartPole):
        # gym >= 0.26: reset gives (obs, info), step gives terminated and truncated.
        def reset(self):
            return super().reset(), {}

        def step(self, action):
            obs, reward, done, info = super().step(action)
            truncated = info.pop('TimeLimit.truncated', False)
            return obs, reward, done and not truncated, truncated, info

    def make(name):
        made.append(name)
        return NewApiCartPole(0)

    monkeypatch.setitem(sys.modules, 'gym', types.SimpleNamespace(make=make))
    result = example.main(['--env', 'MyCartPole-v1', '--episodes', '2', *_SMALL,
                           '--out', str(tmp_path)])
    assert made == ['MyCartPole-v1'] and capsys.readouterr().err == ''
    assert len(result['returns']) == 2 and sum(result['returns']) == result['iteration']
