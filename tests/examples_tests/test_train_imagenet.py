"""The ImageNet example on a generated image set: the mean image, learning, resume, bad lists.

The image set: four classes of 48x48 PNGs, each a solid colour (red, green,
blue, yellow) with pixel noise, listed in ``train.txt`` (16 a class) and
``val.txt`` (8 a class) as ``<path> <label>`` lines.  The networks train on
40x40 crops with four outputs.
"""
from __future__ import annotations

import json
import multiprocessing
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import chainer
from tests.examples_tests.test_train_mnist import _env
from tests.examples_tests._example import load_example

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO / 'examples' / 'imagenet'
_COLOURS = ((210, 0, 0), (0, 210, 0), (0, 0, 210), (210, 210, 0))
_SIZE = 48
_SMALL = ['--n_class', '4', '--insize', '40', '--batchsize', '16', '--val_batchsize', '32',
          '--test', '--seed', '0']


def _load(name: str):
    return load_example(EXAMPLE_DIR / f'{name}.py', name)


def make_image_set(root: pathlib.Path, n_train: int = 16, n_val: int = 8) -> pathlib.Path:
    """Writes the PNGs under ``root/img`` and the lists ``root/{train,val}.txt``."""
    from PIL import Image
    (root / 'img').mkdir(parents=True)
    rng = np.random.RandomState(0)
    for split, n in (('train', n_train), ('val', n_val)):
        lines = []
        for label, colour in enumerate(_COLOURS):
            for k in range(n):
                pixels = rng.randint(0, 40, (_SIZE, _SIZE, 3)) + np.array(colour)
                name = f'img/{split}_{label}_{k}.png'
                Image.fromarray(pixels.astype(np.uint8)).save(root / name)
                lines.append(f'{name} {label}\n')
        (root / f'{split}.txt').write_text(''.join(lines))
    return root


@pytest.fixture(scope='module')
def image_set(tmp_path_factory):
    pytest.importorskip('PIL')
    root = make_image_set(tmp_path_factory.mktemp('images'))
    _load('compute_mean').main([str(root / 'train.txt'), '--root', str(root),
                                '--output', str(root / 'mean.npy')])
    return root


@pytest.fixture(scope='module')
def example():
    return _load('train_imagenet')


def _data_args(root: pathlib.Path) -> list:
    return [str(root / 'train.txt'), str(root / 'val.txt'), '--root', str(root),
            '--mean', str(root / 'mean.npy')]


def test_compute_mean(image_set, capsys):
    from PIL import Image
    out = image_set / 'mean_again.npy'
    mean = _load('compute_mean').main([str(image_set / 'train.txt'), '-R', str(image_set),
                                       '-o', str(out)])
    captured = capsys.readouterr()
    assert captured.out == 'compute mean image\n'
    assert captured.err.rstrip().endswith('64 / 64')
    saved = np.load(out)
    assert saved.shape == (3, _SIZE, _SIZE) and saved.dtype == np.float32
    np.testing.assert_array_equal(saved, mean)
    paths = [line.split()[0] for line in (image_set / 'train.txt').read_text().splitlines()]
    images = [np.asarray(Image.open(image_set / p), np.float64) for p in paths]
    expected = np.mean(images, axis=0).transpose(2, 0, 1)
    np.testing.assert_allclose(saved, expected, rtol=1e-5)
    # The mean colour: each class's colour a quarter, plus the noise's 19.5.
    np.testing.assert_allclose(saved.mean(axis=(1, 2)), np.mean(_COLOURS, axis=0) + 19.5,
                               atol=1)


def test_compute_mean_refuses_images_of_other_sizes(tmp_path):
    pytest.importorskip('PIL')
    from PIL import Image
    Image.new('RGB', (8, 8)).save(tmp_path / 'a.png')
    Image.new('RGB', (8, 9)).save(tmp_path / 'b.png')
    (tmp_path / 'list.txt').write_text('a.png 0\nb.png 1\n')
    with pytest.raises(ValueError, match='same size'):
        _load('compute_mean').main([str(tmp_path / 'list.txt'), '-R', str(tmp_path),
                                    '-o', str(tmp_path / 'mean.npy')])


def test_preprocessing(image_set, example):
    mean = np.load(image_set / 'mean.npy')
    val = example.PreprocessedDataset(str(image_set / 'val.txt'), str(image_set), mean, 40,
                                      random=False)
    raw, label = val.base[5]
    image, label2 = val[5]
    assert image.shape == (3, 40, 40) and image.dtype == np.float32 and label2 == label == 0
    np.testing.assert_allclose(image, (raw - mean)[:, 4:44, 4:44] / 255, rtol=1e-5, atol=1e-6)
    train = example.PreprocessedDataset(str(image_set / 'train.txt'), str(image_set), mean, 40)
    raw, _ = train.base[0]
    centred = (raw - mean) / 255
    windows = {(top, left, flip) for top in range(9) for left in range(9) for flip in (0, 1)}
    seen = set()
    for _ in range(30):
        image, _ = train[0]
        matches = [(top, left, flip) for top, left, flip in windows
                   if np.allclose(image, (raw[:, :, ::-1] if flip else raw)[
                       :, top:top + 40, left:left + 40] / 255
                       - mean[:, top:top + 40, left:left + 40] / 255, atol=1e-5)]
        assert matches, 'not a crop of the image'
        seen.update(matches)
    assert len(seen) > 5 and {flip for *_, flip in seen} == {0, 1}
    assert np.abs(centred).max() < 1


def test_nin_learns_the_colours(image_set, example, tmp_path, capsys):
    out = tmp_path / 'result'
    trainer = example.main([*_data_args(image_set), '--arch', 'nin', '--epoch', '3',
                            '--loaderjob', '0', *_SMALL, '--out', str(out)])
    printed = capsys.readouterr().out
    assert 'Device: @numpy' in printed and '# Minibatch-size: 16' in printed
    assert isinstance(trainer.updater.get_iterator('main'), chainer.iterators.SerialIterator)
    assert trainer.updater.iteration == 12  # 64 images in batches of 16, three epochs

    log = json.loads((out / 'log').read_text())
    assert [entry['iteration'] for entry in log] == list(range(1, 13))
    keys = {'epoch', 'iteration', 'main/loss', 'validation/main/loss', 'main/accuracy',
            'validation/main/accuracy', 'lr', 'elapsed_time'}
    assert keys <= set(log[-1])
    assert all(entry['lr'] == 0.01 for entry in log)
    # From ln 4 = 1.39 to 0.6-1.0 over seeds.
    assert log[-1]['validation/main/loss'] < log[0]['validation/main/loss'] - 0.2, log
    # Chance is 0.25; three epochs tell most colours apart (0.5 to 0.75 over seeds).
    assert log[-1]['validation/main/accuracy'] > 0.4, log[-1]

    # --test: one trainer snapshot and one model snapshot, at the end.
    assert {p.name for p in out.iterdir()} == {'snapshot_iter_12', 'model_iter_12', 'cg.dot',
                                               'log'}
    # The model snapshot loads into a fresh network, as --initmodel does.
    fresh = example.ARCHS['nin'](n_class=4, insize=40)
    chainer.serializers.load_npz(str(out / 'model_iter_12'), fresh)
    trained = trainer.updater.get_optimizer('main').target
    np.testing.assert_array_equal(fresh.mlpconv4[2].W.array, trained.mlpconv4[2].W.array)
    assert fresh.mlpconv4[2].W.shape == (4, 1024, 1, 1)


def test_resume_with_two_loader_processes(image_set, tmp_path):
    """Two epochs of NIN in two runs, the second resuming the first's snapshot;
    both load the images in two worker processes and exit cleanly (a worker
    left running would keep the pipes open and the run would time out)."""
    script = str(EXAMPLE_DIR / 'train_imagenet.py')
    out = tmp_path / 'result'
    common = [sys.executable, script, *_data_args(image_set), '--arch', 'nin', '-j', '2',
              *_SMALL, '--out', str(out)]
    for extra in (['--epoch', '1'], ['--epoch', '2', '--resume', str(out / 'snapshot_iter_4')]):
        proc = subprocess.run([*common, *extra], cwd=tmp_path, env=_env(tmp_path),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f'stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}'
        assert 'Traceback' not in proc.stderr and 'Exception' not in proc.stderr
        assert 'Dtype: float32' in proc.stdout
        assert proc.stdout.count('validation/main/accuracy  lr') == 1  # PrintReport's header
    log = json.loads((out / 'log').read_text())
    assert [entry['iteration'] for entry in log] == list(range(1, 9))
    assert [entry['epoch'] for entry in log] == [0, 0, 0, 1, 1, 1, 1, 2]
    with np.load(out / 'snapshot_iter_8') as f:
        assert int(f['updater/iteration']) == 8
        assert f['updater/model:main/mlpconv4/2/W'].shape == (4, 1024, 1, 1)


def test_initmodel(image_set, example, tmp_path, capsys):
    """--initmodel loads the weights before training (one iteration here)."""
    initial = example.ARCHS['nin'](n_class=4, insize=40)
    with chainer.using_config('train', False):
        initial.predict(np.zeros((1, 3, 40, 40), np.float32))
    chainer.serializers.save_npz(str(tmp_path / 'init.npz'), initial)
    (tmp_path / 'one_batch.txt').write_text(
        ''.join((image_set / 'train.txt').read_text().splitlines(True)[::4]))
    out = tmp_path / 'result'
    trainer = example.main([str(tmp_path / 'one_batch.txt'), str(tmp_path / 'one_batch.txt'),
                            '--root', str(image_set), '--mean', str(image_set / 'mean.npy'),
                            '--arch', 'nin', '--epoch', '1', '-j', '0', *_SMALL,
                            '--initmodel', str(tmp_path / 'init.npz'), '--out', str(out)])
    assert f'Load model from {tmp_path / "init.npz"}' in capsys.readouterr().out
    assert trainer.updater.iteration == 1
    model = trainer.updater.get_optimizer('main').target
    for name, param in initial.namedparams():
        trained = dict(model.namedparams())[name].array
        # One step of lr 0.01 away from the loaded weights.
        np.testing.assert_allclose(trained, param.array, atol=0.02, err_msg=name)
    assert not np.allclose(model.mlpconv1[0].W.array, initial.mlpconv1[0].W.array)

    chainer.serializers.save_npz(str(tmp_path / 'linear.npz'), chainer.links.Linear(2, 3))
    with pytest.raises(KeyError, match="'mlpconv1/0/W' is not in NPZ file"):
        example.main([*_data_args(image_set), '--arch', 'nin', '-j', '0', *_SMALL,
                      '--initmodel', str(tmp_path / 'linear.npz'), '--out', str(out)])


@pytest.mark.parametrize('name, content, loaderjob, error, match', [
    ('missing.txt', 'img/nowhere.png 0\n', '0', FileNotFoundError, 'img/nowhere.png'),
    # Raised in a loader process, re-raised in the trainer's.
    ('missing.txt', 'img/nowhere.png 0\n', '2', FileNotFoundError, 'img/nowhere.png'),
    ('label.txt', 'img/train_0_0.png zero\n', '0', ValueError,
     "invalid label at line 0.*'zero'"),
    ('format.txt', 'img/train_0_0.png\n', '0', ValueError, 'invalid format at line 0'),
])
def test_bad_lists(image_set, example, tmp_path, name, content, loaderjob, error, match):
    (tmp_path / name).write_text(content)
    with pytest.raises(error, match=match):
        example.main([str(tmp_path / name), str(image_set / 'val.txt'), '--root',
                      str(image_set), '--mean', str(image_set / 'mean.npy'), '--arch', 'nin',
                      '-j', loaderjob, *_SMALL, '--out', str(tmp_path / 'result')])
    # The loader processes are gone with the trainer.
    assert not multiprocessing.active_children()


def test_bad_images_and_options(image_set, example, tmp_path, capsys):
    mean = np.load(image_set / 'mean.npy')
    with pytest.raises(ValueError, match='smaller than the crop size 49'):
        example.PreprocessedDataset(str(image_set / 'val.txt'), str(image_set), mean, 49)[0]
    with pytest.raises(ValueError, match='mean image'):
        example.PreprocessedDataset(str(image_set / 'val.txt'), str(image_set),
                                    mean[:, :40], 40)[0]
    with pytest.raises(SystemExit, match='compute_mean.py'):
        example.main([*_data_args(image_set)[:4], '--mean', str(tmp_path / 'no.npy'),
                      '-j', '0', *_SMALL])
    for bad in (['--arch', 'vgg'], ['--loaderjob', '-1'], ['--batchsize', '0'],
                ['--iterator', 'threads']):
        with pytest.raises(SystemExit):
            example.parse_args([*_data_args(image_set), *bad])
    assert 'invalid' in capsys.readouterr().err


def test_options(example):
    args = example.parse_args(['train.txt', 'val.txt'])
    assert (args.train, args.val, args.arch, args.batchsize, args.val_batchsize, args.epoch,
            args.mean, args.root, args.out, args.loaderjob, args.device, args.resume,
            args.initmodel, args.dtype, args.test, args.n_class, args.insize) == (
        'train.txt', 'val.txt', 'nin', 32, 250, 10, 'mean.npy', '.', 'result', None, '-1', '',
        None, None, False, 1000, None)
    assert sorted(example.ARCHS) == ['alex', 'googlenet', 'googlenetbn', 'nin', 'resnet50']
    args = example.parse_args(['t', 'v', '-a', 'alex', '-B', '8', '-b', '4', '-E', '2', '-j', '3',
                               '-m', 'm.npy', '-R', 'images', '-o', 'out', '-r', 'snap',
                               '--dtype', 'float16', '--test'])
    assert (args.arch, args.batchsize, args.val_batchsize, args.epoch, args.loaderjob,
            args.mean, args.root, args.out, args.resume, args.dtype, args.test) == (
        'alex', 8, 4, 2, 3, 'm.npy', 'images', 'out', 'snap', 'float16', True)
    # The deprecated --gpu/-g: a bare flag means GPU 0.
    assert example.parse_args(['t', 'v', '--gpu']).device == 0
    assert example.parse_args(['t', 'v', '-g', '-1']).device == -1


@pytest.mark.parametrize('arch, insize, default_insize', [
    ('alex', 39, 227), ('nin', 39, 227), ('googlenet', 79, 224), ('googlenetbn', 59, 224),
    ('resnet50', 32, 224)])
def test_models(example, arch, insize, default_insize):
    cls = example.ARCHS[arch]
    assert cls.insize == default_insize and cls().insize == default_insize
    model = cls(n_class=5, insize=insize)
    assert model.insize == insize
    x = np.random.RandomState(0).uniform(-1, 1, (2, 3, insize, insize)).astype(np.float32)
    t = np.array([1, 4], np.int32)
    reporter = chainer.Reporter()
    reporter.add_observer('main', model)
    observation = {}
    with reporter.scope(observation):
        loss = model(x, t)
    assert loss.shape == () and np.isfinite(loss.array)
    keys = {'main/loss', 'main/accuracy'}
    if arch.startswith('googlenet'):
        keys |= {'main/loss1', 'main/loss2', 'main/loss3'}
        np.testing.assert_allclose(
            float(observation['main/loss'].array),
            0.3 * float(observation['main/loss1'].array + observation['main/loss2'].array)
            + float(observation['main/loss3'].array), rtol=1e-5)
    assert set(observation) == keys
    loss.backward()
    assert all(p.grad is not None for p in model.params())
    with chainer.using_config('train', False):
        y = model.predict(x)
    for scores in (y if isinstance(y, tuple) else (y,)):
        assert scores.shape == (2, 5)


@pytest.mark.gpu
def test_one_epoch_on_gpu(image_set, example, tmp_path):
    out = tmp_path / 'result'
    trainer = example.main([*_data_args(image_set), '--arch', 'nin', '--epoch', '1', '-j', '0',
                            *_SMALL, '--device', '@cupy:0', '--out', str(out)])
    import cupy
    model = trainer.updater.get_optimizer('main').target
    assert isinstance(model.mlpconv1[0].W.array, cupy.ndarray)
    log = json.loads((out / 'log').read_text())
    assert 0 <= log[-1]['validation/main/accuracy'] <= 1
    assert np.isfinite(log[-1]['main/loss'])
