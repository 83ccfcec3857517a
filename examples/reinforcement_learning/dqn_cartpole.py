#!/usr/bin/env python
"""Chainer's reinforcement learning example: DQN on CartPole.

Run it::

    python examples/reinforcement_learning/dqn_cartpole.py

A Q-function (an MLP from observations to one value per action) learns by
deep Q-learning in a hand-written loop (no Trainer): epsilon-greedy actions
with epsilon decayed linearly from ``--start-epsilon`` to ``--end-epsilon``
over ``--final-exploration-steps`` steps, a replay buffer of transitions, and
minibatch updates of the mean Huber loss (``F.huber_loss(..., reduce='no')``)
between ``Q(s)[a]`` (``F.select_item``) and the TD target
``r + gamma * (1 - done) * max_a' Q_target(s')[a']``, where ``Q_target`` is a
copy of ``Q`` (``copy.deepcopy``) refreshed with ``copyparams`` every
``--target-update-interval`` steps.  ``--target-type double_dqn`` (or
``--double-dqn``) evaluates with the target network the action chosen by
``Q`` instead.  The optimizer is Adam with
``eps=1e-2``.  Each episode prints its return ``R`` and the running average
return; at the end the Q-function is saved as ``model.npz`` in ``--out``.

The environment comes from ``gym.make(--env)`` when gym is installed.
Without gym, the example says so in one line and uses a CartPole written
here (the classic cart-pole equations, Euler steps of 0.02 s; an episode ends
when the cart leaves ``|x| <= 2.4``, the pole leans more than 12 degrees, or
after 200 steps), so it runs anywhere.

Options: ``--env`` (``CartPole-v0``), ``--device/-d`` (``-1`` or ``@numpy``;
``0`` or ``@cupy:0``), ``--episodes`` (1000), ``--batch-size`` (64),
``--replay-start-size`` (500), ``--replay-size`` (10**6),
``--target-update-interval``/``--target-update-freq`` (100),
``--update-interval`` (1), ``--gamma`` (0.99), ``--reward-scale`` (0.01, the
factor on rewards stored for learning), ``--start-epsilon`` (1.0),
``--min-epsilon``/``--end-epsilon`` (0.1),
``--iterations-to-decay-epsilon``/``--final-exploration-steps`` (5000),
``--unit/-u`` (100), ``--target-type`` (``dqn`` or ``double_dqn``),
``--double-dqn``, ``--out/-o`` (``dqn_result``), ``--seed`` (0) and the
deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import copy
import math
import os
import random
import sys
from typing import Sequence

import numpy

import chainer
import chainer.functions as F
import chainer.links as L


class QFunction(chainer.Chain):
    """An MLP giving one Q-value per action for each observation."""

    def __init__(self, obs_size: int, n_actions: int, n_units: int = 100) -> None:
        super().__init__()
        with self.init_scope():
            self.l0 = L.Linear(obs_size, n_units)
            self.l1 = L.Linear(n_units, n_units)
            self.l2 = L.Linear(n_units, n_actions)

    def forward(self, x):
        h = F.relu(self.l0(x))
        h = F.relu(self.l1(h))
        return self.l2(h)


class _Discrete:
    def __init__(self, n: int) -> None:
        self.n = n


class _Box:
    def __init__(self, shape: tuple) -> None:
        self.shape = shape


class CartPole:
    """The classic cart-pole balancing task with gym's ``reset``/``step`` API.

    Action 0 pushes the cart left, 1 right; the reward is 1 per step.
    """

    gravity = 9.8
    mass_cart = 1.0
    mass_pole = 0.1
    length = 0.5  # half the pole's length
    force_mag = 10.0
    tau = 0.02
    x_threshold = 2.4
    theta_threshold = 12 * 2 * math.pi / 360
    max_steps = 200

    def __init__(self, seed: int | None = None) -> None:
        self.action_space = _Discrete(2)
        self.observation_space = _Box((4,))
        self._rng = numpy.random.RandomState(seed)
        self.state = numpy.zeros(4)
        self._steps = 0

    def seed(self, seed: int | None = None) -> None:
        self._rng = numpy.random.RandomState(seed)

    def reset(self) -> numpy.ndarray:
        self.state = self._rng.uniform(-0.05, 0.05, 4)
        self._steps = 0
        return self.state.astype(numpy.float32)

    def step(self, action: int) -> tuple:
        if action not in (0, 1):
            raise ValueError(f'action must be 0 or 1, not {action!r}')
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        total_mass = self.mass_cart + self.mass_pole
        pole_mass_length = self.mass_pole * self.length
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + pole_mass_length * theta_dot ** 2 * sin) / total_mass
        theta_acc = (self.gravity * sin - cos * temp) / (
            self.length * (4.0 / 3.0 - self.mass_pole * cos ** 2 / total_mass))
        x_acc = temp - pole_mass_length * theta_acc * cos / total_mass
        x = x + self.tau * x_dot
        x_dot = x_dot + self.tau * x_acc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * theta_acc
        self.state = numpy.array([x, x_dot, theta, theta_dot])
        self._steps += 1
        failed = abs(x) > self.x_threshold or abs(theta) > self.theta_threshold
        info = {}
        if not failed and self._steps >= self.max_steps:
            info['TimeLimit.truncated'] = True  # as gym's TimeLimit wrapper says it
        return self.state.astype(numpy.float32), 1.0, bool(failed or info), info


def make_env(name: str, seed: int):
    """``gym.make(name)`` when gym is installed, else the built-in CartPole."""
    try:
        import gym
    except ImportError:
        print(f'gym is not installed: using the built-in CartPole instead of {name}.',
              file=sys.stderr, flush=True)
        return CartPole(seed)
    env = gym.make(name)
    if hasattr(env, 'seed'):
        env.seed(seed)
    return env


def _reset(env):
    obs = env.reset()
    return obs[0] if isinstance(obs, tuple) else obs  # gym >= 0.26 returns (obs, info)


def _step(env, action):
    result = env.step(action)
    if len(result) == 5:  # gym >= 0.26: terminated and truncated
        obs, reward, terminated, truncated, info = result
        if truncated and not terminated:
            info = {**info, 'TimeLimit.truncated': True}
        return obs, reward, terminated or truncated, info
    return result


def get_greedy_action(Q: QFunction, obs: numpy.ndarray) -> int:
    """The action of highest Q-value for one observation."""
    obs = Q.device.send(numpy.asarray(obs[None], dtype=numpy.float32))
    with chainer.no_backprop_mode():
        q = Q(obs).array[0]
    return int(q.argmax())


def mean_clipped_loss(y, t):
    return F.mean(F.huber_loss(y, t, delta=1.0, reduce='no'))


def compute_target(Q: QFunction, target_Q: QFunction, reward, obs_next, done,
                   gamma: float, double_dqn: bool):
    """The TD target ``r + gamma * (1 - done) * Q_target(s', a')`` for a batch."""
    with chainer.no_backprop_mode():
        next_q_target = target_Q(obs_next)
        if double_dqn:
            next_action = F.argmax(Q(obs_next), axis=1)
            next_q = F.select_item(next_q_target, next_action)
        else:
            next_q = F.max(next_q_target, axis=1)
        return reward + gamma * (1 - done) * next_q.array


def update(Q: QFunction, target_Q: QFunction, opt, samples, gamma: float = 0.99,
           double_dqn: bool = False) -> float:
    """One minibatch update of ``Q`` on ``samples`` (obs, action, reward, done, obs_next)."""
    def batch(i, dtype):
        return Q.device.send(numpy.asarray([s[i] for s in samples], dtype=dtype))

    obs, action, reward = batch(0, numpy.float32), batch(1, numpy.int32), batch(2, numpy.float32)
    done, obs_next = batch(3, numpy.float32), batch(4, numpy.float32)
    q = F.select_item(Q(obs), action)
    target = compute_target(Q, target_Q, reward, obs_next, done, gamma, double_dqn)
    loss = mean_clipped_loss(q, target)
    Q.cleargrads()
    loss.backward()
    opt.update()
    return float(loss.array)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: DQN')
    parser.add_argument('--env', type=str, default='CartPole-v0',
                        help='Name of the OpenAI Gym environment')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--batch-size', '-b', type=int, default=64,
                        help='Number of transitions in each mini-batch')
    parser.add_argument('--episodes', '-e', type=int, default=1000,
                        help='Number of episodes to run')
    parser.add_argument('--out', '-o', type=str, default='dqn_result',
                        help='Directory to output the result')
    parser.add_argument('--unit', '-u', type=int, default=100,
                        help='Number of units')
    parser.add_argument('--target-type', type=str, default='dqn', choices=('dqn', 'double_dqn'),
                        help='Target type: the DQN or the double DQN target')
    parser.add_argument('--double-dqn', dest='target_type', action='store_const',
                        const='double_dqn', help='Same as --target-type double_dqn')
    parser.add_argument('--reward-scale', type=float, default=1e-2,
                        help='Reward scale factor')
    parser.add_argument('--replay-start-size', type=int, default=500,
                        help='Number of iterations after which replay is started')
    parser.add_argument('--replay-size', type=int, default=10 ** 6,
                        help='Capacity of the replay buffer')
    parser.add_argument('--iterations-to-decay-epsilon', '--final-exploration-steps',
                        dest='final_exploration_steps', type=int, default=5000,
                        help='Number of steps over which epsilon decays')
    parser.add_argument('--start-epsilon', type=float, default=1.0,
                        help='Epsilon at the start')
    parser.add_argument('--min-epsilon', '--end-epsilon', dest='end_epsilon',
                        type=float, default=0.1, help='Epsilon after decay')
    parser.add_argument('--update-interval', type=int, default=1,
                        help='Number of steps between updates')
    parser.add_argument('--target-update-interval', '--target-update-freq', type=int, default=100,
                        help='Number of steps between target network updates')
    parser.add_argument('--gamma', type=float, default=0.99,
                        help='Discount factor')
    parser.add_argument('--seed', type=int, default=0,
                        help='Random seed of the weights, the environment and exploration')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    args.double_dqn = args.target_type == 'double_dqn'
    for name in ('batch_size', 'update_interval', 'target_update_interval'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be positive')
    if args.episodes < 0 or args.replay_size < 1:
        parser.error('--episodes must be non-negative and --replay-size positive')
    if not 0 <= args.gamma <= 1:
        parser.error('--gamma must be in [0, 1]')
    return args


def main(argv: Sequence[str] | None = None) -> dict:
    """Runs the example with command-line arguments ``argv``.

    Returns a dict with the Q-function (``Q``), the episode returns
    (``returns``) and the number of steps taken (``iteration``).
    """
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    print(f'Device: {device}')
    sys.stdout.flush()

    random.seed(args.seed)
    numpy.random.seed(args.seed)
    if device.xp is not numpy:
        device.xp.random.seed(args.seed)

    env = make_env(args.env, args.seed)
    obs_size = env.observation_space.shape[0]
    n_actions = env.action_space.n

    Q = QFunction(obs_size, n_actions, n_units=args.unit)
    Q.to_device(device)
    device.use()
    target_Q = copy.deepcopy(Q)
    opt = chainer.optimizers.Adam(eps=1e-2)
    opt.setup(Q)

    replay_buffer: list = []  # a ring of the last --replay-size transitions
    replay_next = 0
    iteration = 0
    returns = []
    average_R = None
    average_loss = None
    for episode in range(args.episodes):
        obs = _reset(env)
        done = False
        R = 0.0
        while not done:
            epsilon = max(args.end_epsilon,
                          args.start_epsilon - (args.start_epsilon - args.end_epsilon)
                          * iteration / max(1, args.final_exploration_steps))
            if random.random() < epsilon:
                action = random.randrange(n_actions)
            else:
                action = get_greedy_action(Q, obs)
            new_obs, reward, done, info = _step(env, action)
            R += reward
            # Only a real failure is terminal: the value after a time limit is still bootstrapped.
            terminal = done and not info.get('TimeLimit.truncated', False)
            transition = (obs, action, reward * args.reward_scale, terminal, new_obs)
            if len(replay_buffer) < args.replay_size:
                replay_buffer.append(transition)
            else:
                replay_buffer[replay_next] = transition
                replay_next = (replay_next + 1) % args.replay_size
            obs = new_obs
            iteration += 1

            if (len(replay_buffer) >= args.replay_start_size
                    and iteration % args.update_interval == 0):
                samples = random.sample(replay_buffer, min(args.batch_size, len(replay_buffer)))
                loss = update(Q, target_Q, opt, samples, gamma=args.gamma,
                              double_dqn=args.double_dqn)
                average_loss = loss if average_loss is None else \
                    0.99 * average_loss + 0.01 * loss
            if iteration % args.target_update_interval == 0:
                target_Q.copyparams(Q)

        returns.append(R)
        average_R = R if average_R is None else 0.99 * average_R + 0.01 * R
        loss_text = 'n/a' if average_loss is None else f'{average_loss:.5f}'
        print(f'episode: {episode} iteration: {iteration} R: {R} average_R: {average_R:.3f} '
              f'epsilon: {epsilon:.3f} average_loss: {loss_text}')
        sys.stdout.flush()

    os.makedirs(args.out, exist_ok=True)
    chainer.serializers.save_npz(os.path.join(args.out, 'model.npz'), Q)
    return {'Q': Q, 'returns': returns, 'iteration': iteration}


if __name__ == '__main__':
    main()
