"""The DCGAN example: a few hundred iterations offline on the digits, snapshots that load
back and resume, a directory of PNG images, a generated CIFAR-10, and bad options refused."""
from __future__ import annotations

import json
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import chainer
from tests.examples_tests.test_train_mnist import _env
from tests.examples_tests._example import dataset_root, load_example, make_cifar_root
# Fixtures: the global random state restored after each test; no CIFAR, no network.

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'dcgan' / 'train_dcgan.py'
_CHANCE = 2 * math.log(2)  # the discriminator's loss when it cannot tell real from fake


def _load_example():
    return load_example(EXAMPLE, 'train_dcgan')


def _log(out: pathlib.Path) -> list:
    return json.loads((out / 'log').read_text())


@pytest.fixture(scope='module')
def example():
    return _load_example()


@pytest.mark.usefixtures('offline')
def test_digits_offline_snapshots_preview_and_resume(example, tmp_path, capsys):
    pytest.importorskip('sklearn')
    pytest.importorskip('PIL')
    out = tmp_path / 'out'
    args = ['--ch', '32', '--seed', '0', '--snapshot_interval', '100',
            '--display_interval', '20']
    trainer = example.main([*args, '--epoch', '6', '--out', str(out)])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and 'CIFAR10' in err[0] and 'digits' in err[0], captured.err
    assert '# images: 1797 of 1x8x8' in captured.out
    assert trainer.updater.iteration == 216  # 6 sweeps over 1,797 images, 50 a batch

    log = _log(out)
    assert [entry['iteration'] for entry in log] == list(range(20, 201, 20))
    for entry in log:
        assert math.isfinite(entry['gen/loss']) and math.isfinite(entry['dis/loss'])
    # The discriminator starts at chance and soon tells real digits from generated ones.
    assert abs(log[0]['dis/loss'] - _CHANCE) < 0.05, log[0]
    early = [entry['dis/loss'] for entry in log if entry['iteration'] <= 100]
    assert min(early) < _CHANCE - 0.15, early
    assert log[-1]['gen/loss'] > log[0]['gen/loss']

    # A 10x10 grid of generated 8x8 digits from fixed noise, at each snapshot.
    from PIL import Image
    previews = sorted(p.name for p in (out / 'preview').iterdir())
    assert previews == ['image00000100.png', 'image00000200.png']
    with Image.open(out / 'preview' / 'image00000200.png') as image:
        assert image.size == (80, 80) and image.mode == 'L'
        pixels = np.asarray(image)
    assert pixels.std() > 0
    names = {p.name for p in out.iterdir()}
    assert {'snapshot_iter_200.npz', 'gen_iter_200.npz', 'dis_iter_200.npz'} <= names
    assert not [name for name in names if name.startswith(('tmp', '.'))]

    # The model snapshots load into fresh models: the trainer snapshot's models, same iteration.
    gen = trainer.updater.gen
    gen2 = example.Generator(100, bottom_width=2, ch=32, size=8, out_channels=1)
    dis2 = example.Discriminator(bottom_width=2, ch=32, size=8, in_channels=1)
    chainer.serializers.load_npz(str(out / 'gen_iter_200.npz'), gen2)
    chainer.serializers.load_npz(str(out / 'dis_iter_200.npz'), dis2)
    with np.load(out / 'snapshot_iter_200.npz') as f:
        for name, fresh in (('gen', gen2), ('dis', dis2)):
            for path, param in fresh.namedparams():
                np.testing.assert_array_equal(param.array, f[f'updater/model:{name}{path}'])
        np.testing.assert_array_equal(gen2.bn1.avg_mean, f['updater/model:gen/bn1/avg_mean'])
        np.testing.assert_array_equal(dis2.bn1_0.avg_var, f['updater/model:dis/bn1_0/avg_var'])
    z = gen.make_hidden(7)
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        # The trained models went on for 16 iterations after the snapshot.
        assert not np.array_equal(gen2(z).array, gen(z).array)
        x = gen2(z)
        assert x.shape == (7, 1, 8, 8) and 0 <= x.array.min() <= x.array.max() <= 1
        assert dis2(x).shape == (7, 1)

    # --resume continues from the snapshot's iteration, with the log written so far.
    out2 = tmp_path / 'resumed'
    resumed = example.main([*args, '--epoch', '4', '--resume',
                            str(out / 'snapshot_iter_100.npz'), '--out', str(out2)])
    assert resumed.updater.iteration == 144  # 4 sweeps; 44 after the snapshot
    for name in ('gen', 'dis'):
        optimizer = resumed.updater.get_optimizer(name)
        assert optimizer.t == 144 and optimizer.alpha == 0.0002 and optimizer.beta1 == 0.5
        hook = optimizer._pre_update_hooks['hook_dec']
        assert isinstance(hook, chainer.optimizer_hooks.WeightDecay) and hook.rate == 0.0001
    log2 = _log(out2)
    assert [entry['iteration'] for entry in log2] == list(range(20, 141, 20))
    assert log2[:5] == log[:5]
    assert not (out2 / 'preview').exists()  # the next snapshot would be at 200


def test_png_directory_rgb(example, tmp_path, capsys):
    from PIL import Image
    images = tmp_path / 'images'
    images.mkdir()
    rng = np.random.RandomState(0)
    for i in range(20):
        Image.fromarray(rng.randint(0, 256, (16, 16, 3)).astype(np.uint8)).save(
            images / f'{i:02}.png')
    (images / 'notes.txt').write_text('not an image')
    out = tmp_path / 'out'
    trainer = example.main(['--dataset', str(images), '--ch', '16', '-n', '8', '-b', '10',
                            '-e', '2', '--snapshot_interval', '4', '--display_interval', '2',
                            '--out', str(out)])
    captured = capsys.readouterr()
    assert f'{images} contains 20 image files' in captured.out
    assert captured.err == '' or 'CIFAR' not in captured.err
    gen = trainer.updater.gen
    assert gen.n_up == 2 and gen.dc3.W.shape == (4, 3, 3, 3)  # 4x4 -> 8x8 -> 16x16, RGB
    assert trainer.updater.iteration == 4
    assert [entry['iteration'] for entry in _log(out)] == [2, 4]
    with Image.open(out / 'preview' / 'image00000004.png') as image:
        assert image.size == (160, 160) and image.mode == 'RGB'


def test_generated_cifar_in_a_subprocess(example, tmp_path):
    root = tmp_path / 'root'
    arrays = make_cifar_root(root, 20, 10)
    out = tmp_path / 'result'
    proc = subprocess.run(
        [sys.executable, '-c', 'import chainer; print(chainer.__file__)'],
        env=_env(root), capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == str(REPO / 'chainer' / '__init__.py')
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), '--ch', '16', '-n', '8', '-b', '10', '-e', '1',
         '--snapshot_interval', '2', '--display_interval', '1', '--out', str(out)],
        cwd=tmp_path, env=_env(root), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'digits' not in proc.stderr and 'Device: @numpy' in proc.stdout
    assert '# images: 20 of 3x32x32' in proc.stdout
    assert 'gen/loss' in proc.stdout and 'dis/loss' in proc.stdout
    with np.load(out / 'gen_iter_2.npz') as f:
        assert f['dc4/W'].shape == (2, 3, 3, 3)  # Chainer's names: l0, dc1..dc3, dc4
        assert f['l0/W'].shape == (4 * 4 * 16, 8)
    with np.load(out / 'dis_iter_2.npz') as f:
        assert f['l4/W'].shape == (1, 4 * 4 * 16) and 'bn3_0/beta' in f
        assert 'bn0_1/gamma' not in f  # no scale in the discriminator's normalizations
    assert [entry['iteration'] for entry in _log(out)] == [1, 2]

    # In the process too: CIFAR-10's training images, unlabelled, in [0, 255].
    with dataset_root(root):
        train, on_digits = example.load_dataset('')
    assert not on_digits and train.shape == (20, 3, 32, 32) and train.dtype == np.float32
    np.testing.assert_allclose(train.reshape(20, -1), arrays['train_x'], rtol=1e-6)


def test_networks_at_cifar_size(example):
    gen = example.Generator(10, ch=32)
    dis = example.Discriminator(ch=32)
    names = {name for name, _ in gen.namedlinks(skipself=True)}
    assert names == {'/l0', '/bn0', '/dc1', '/bn1', '/dc2', '/bn2', '/dc3', '/bn3', '/dc4'}
    names = {name for name, _ in dis.namedlinks(skipself=True)}
    assert names == {'/c0_0', '/c0_1', '/bn0_1', '/c1_0', '/bn1_0', '/c1_1', '/bn1_1',
                     '/c2_0', '/bn2_0', '/c2_1', '/bn2_1', '/c3_0', '/bn3_0', '/l4'}
    z = gen.make_hidden(3)
    assert z.shape == (3, 10, 1, 1) and z.dtype == np.float32 and abs(z).max() <= 1
    x = gen(z)
    assert x.shape == (3, 3, 32, 32)
    assert dis(x).shape == (3, 1) and dis(x).dtype == np.float32
    with pytest.raises(ValueError, match='power of two'):
        example.Generator(10, size=24)
    with pytest.raises(ValueError, match='ch'):
        example.Discriminator(ch=4)


def test_bad_options_refused(example, tmp_path, capsys):
    with pytest.raises(SystemExit):
        example.main(['--batchsize', '0'])
    assert 'positive' in capsys.readouterr().err
    with pytest.raises(SystemExit, match='not a directory'):
        example.main(['--dataset', str(tmp_path / 'missing')])
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(SystemExit, match='no PNG'):
        example.main(['--dataset', str(empty)])
    from PIL import Image
    odd = tmp_path / 'odd'
    odd.mkdir()
    Image.new('RGB', (12, 8)).save(odd / 'a.png')
    with pytest.raises(SystemExit, match='square'):
        example.main(['--dataset', str(odd)])
    Image.new('RGB', (12, 12)).save(odd / 'a.png')
    with pytest.raises(SystemExit, match='power of two'):
        example.main(['--dataset', str(odd)])


@pytest.mark.gpu
@pytest.mark.usefixtures('offline')
def test_digits_on_gpu(example, tmp_path):
    pytest.importorskip('sklearn')
    pytest.importorskip('PIL')
    out = tmp_path / 'out'
    trainer = example.main(['-e', '1', '--ch', '8', '-b', '100', '-d', '@cupy:0',
                            '--snapshot_interval', '9', '--display_interval', '9',
                            '--out', str(out)])
    import cupy
    assert isinstance(trainer.updater.gen.dc1.W.array, cupy.ndarray)
    assert isinstance(trainer.updater.dis.l3.W.array, cupy.ndarray)
    log = _log(out)
    assert [entry['iteration'] for entry in log] == [9, 18]
    for entry in log:  # 18 steps of a tiny network: still near chance
        assert abs(entry['dis/loss'] - _CHANCE) < 0.1 and 0 < entry['gen/loss'] < 2
    assert (out / 'preview' / 'image00000018.png').is_file()
    with np.load(out / 'gen_iter_18.npz') as f:
        assert f['dc3/W'].shape == (2, 1, 3, 3)
