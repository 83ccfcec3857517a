"""StandardUpdater, ParallelUpdater and the MultiprocessParallelUpdater placeholder."""
from unittest import mock

import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
import chainer
from chainer import optimizers
from chainer import serializers
from chainer import training
from chainer.dataset import convert
from chainer.training import updaters


def _setup(lr=0.1, batch=4, seed=0):
    model = S.Regressor(seed=seed)
    opt = optimizers.SGD(lr=lr)
    opt.setup(model)
    it = S.ListIterator(S.make_dataset(12), batch)
    return model, opt, it


def test_update_matches_manual_sgd():
    model, opt, it = _setup()
    data = S.make_dataset(12)
    updater = training.StandardUpdater(it, opt)
    assert updater.converter is convert.concat_examples
    assert updater.device is None and updater.input_device is None
    w0 = model.W.array.copy()
    updater.update()
    x = numpy.stack([d[0] for d in data[:4]])
    t = numpy.stack([d[1] for d in data[:4]])
    grad = 2 * x.T @ (x @ w0 - t) / t.size
    numpy.testing.assert_allclose(model.W.array, w0 - 0.1 * grad, rtol=1e-5)
    assert updater.iteration == 1
    assert updater.epoch == 0
    assert updater.epoch_detail == pytest.approx(1 / 3)
    assert updater.previous_epoch_detail == 0
    assert not updater.is_new_epoch
    updater.update()
    updater.update()
    assert updater.epoch == 1 and updater.is_new_epoch
    assert opt.epoch == 1  # auto_new_epoch


def test_auto_new_epoch_off_and_dict_arguments():
    model, opt, it = _setup()
    updater = training.StandardUpdater({'main': it}, {'main': opt}, auto_new_epoch=False)
    for _ in range(3):
        updater.update()
    assert opt.epoch == 0
    assert updater.get_iterator('main') is it
    assert updater.get_optimizer('main') is opt
    assert updater.get_all_optimizers() == {'main': opt}

def test_iterators_without_main_and_iterator_lists():
    # As in Chainer, a dict of iterators needs no 'main' until something
    # reads the epoch or the default update_core runs; what is neither an
    # iterator nor a dict fails when used, with TypeError.
    model, opt, it = _setup()
    updater = training.StandardUpdater({'other': it}, opt)
    assert updater.get_iterator('other') is it
    assert updater.iteration == 0
    for name in ('epoch', 'epoch_detail', 'previous_epoch_detail', 'is_new_epoch'):
        with pytest.raises(KeyError, match="'main'"):
            getattr(updater, name)
    with pytest.raises(KeyError, match="'main'"):
        updater.update()
    for iterators in ([it], (it,), None, 3):
        updater = training.StandardUpdater(iterators, opt)
        with pytest.raises(TypeError):
            updater.epoch
        with pytest.raises(TypeError):
            updater.update()
    iterators = {'main': it}
    updater = training.StandardUpdater(iterators, opt)
    aux = S.ListIterator(S.make_dataset(4), 2)
    iterators['aux'] = aux  # the updater keeps the dict it was given
    assert updater.get_iterator('aux') is aux


def test_named_optimizers_without_main():
    # A GAN's updater names its optimizers 'gen' and 'dis' and overrides
    # update_core; only the default update_core needs a 'main' optimizer.
    gen_model, gen_opt, it = _setup()
    dis_model, dis_opt, _ = _setup(seed=1)
    updater = training.StandardUpdater(it, {'gen': gen_opt, 'dis': dis_opt})
    assert updater.get_all_optimizers() == {'gen': gen_opt, 'dis': dis_opt}
    assert updater.get_optimizer('dis') is dis_opt
    with pytest.raises(KeyError, match="'main'"):
        updater.update()


def test_converter_and_loss_func():
    model, opt, it = _setup()
    calls = []

    def converter(batch, device=None):
        calls.append(device)
        x = numpy.stack([b[0] for b in batch])
        t = numpy.stack([b[1] for b in batch])
        return {'x': x, 't': t}

    def loss_func(x, t):
        return model(x, t)

    updater = training.StandardUpdater(it, opt, converter=converter, loss_func=loss_func)
    updater.update()
    assert calls == [None]

    updater = training.StandardUpdater(it, opt, converter=converter, device='@numpy')
    updater.update()
    assert calls[-1] == -1  # legacy converters get -1 for the CPU
    assert updater.device == chainer.get_device('@numpy')

    single = training.StandardUpdater(
        it, opt, converter=lambda batch, device=None: numpy.stack([b[0] for b in batch]),
        loss_func=lambda x: chainer.functions.sum(x * 0.0 + model.W[0, 0]))
    single.update()


def test_converter_error_names_the_place():
    model, opt, _ = _setup()
    bad = S.ListIterator([(numpy.zeros(3, numpy.float32), numpy.zeros(2, numpy.float32)),
                          (numpy.zeros(4, numpy.float32), numpy.zeros(2, numpy.float32))], 2)
    updater = training.StandardUpdater(bad, opt)
    with pytest.raises(Exception) as info:
        updater.update()
    assert any("iterator 'main' at iteration 1" in n for n in info.value.__notes__)


def test_converter_error_note_without_add_note():
    # Python 3.10's exceptions have no add_note: the note goes to __notes__.
    class NoAddNote(ValueError):
        @property
        def add_note(self):
            raise AttributeError('add_note')

    def converter(batch, device):
        raise NoAddNote('bad batch')

    model, opt, it = _setup()
    updater = training.StandardUpdater(it, opt, converter=converter)
    with pytest.raises(NoAddNote) as info:
        updater.update()
    assert any("iterator 'main' at iteration 1" in n for n in info.value.__notes__)


def test_device_arguments():
    model, opt, it = _setup()
    # Both may be given: the model goes to ``device``, the batches to ``input_device``.
    updater = training.StandardUpdater(it, opt, device=-1, input_device='@numpy')
    assert updater.device == chainer.get_device('@numpy')
    assert updater.input_device == chainer.get_device('@numpy')
    updater = training.StandardUpdater(it, opt, input_device='@numpy')
    assert updater.device is None
    assert updater.input_device == chainer.get_device('@numpy')
    with pytest.raises(TypeError, match='unexpected'):
        training.StandardUpdater(it, opt, foo=1)
    # Chainer takes any converter and calls it at the update: one may be
    # assigned after construction.
    updater = training.StandardUpdater(it, opt, converter=None)
    with pytest.raises(TypeError, match='not callable'):
        updater.update()
    updater.converter = convert.concat_examples
    updater.update()
    assert updater.iteration == 1


def test_loss_scale_is_set_on_optimizers():
    model, opt, it = _setup()
    opt.set_loss_scale = mock.Mock()
    training.StandardUpdater(it, opt, loss_scale=8.0)
    opt.set_loss_scale.assert_called_once_with(8.0)


def test_serialize_and_finalize():
    model, opt, it = _setup()
    updater = training.StandardUpdater(it, opt)
    updater.update()
    saver = serializers.DictionarySerializer()
    saver.save(updater)
    keys = set(saver.target)
    assert 'iteration' in keys
    assert 'iterator:main/current_position' in keys
    assert 'model:main/W' in keys
    assert any(k.startswith('optimizer:main/') for k in keys)

    model2, opt2, it2 = _setup(seed=5)
    updater2 = training.StandardUpdater(it2, opt2)
    serializers.NpzDeserializer(saver.target).load(updater2)
    assert updater2.iteration == 1
    assert it2.current_position == 4
    numpy.testing.assert_array_equal(model2.W.array, model.W.array)
    updater2.finalize()
    assert it2.finalized


def test_parallel_updater_one_device_matches_standard():
    model_a, opt_a, it_a = _setup()
    model_b, opt_b, it_b = _setup()
    standard = training.StandardUpdater(it_a, opt_a)
    parallel = training.ParallelUpdater(it_b, opt_b, devices={'main': '@numpy'})
    for _ in range(5):
        standard.update()
        parallel.update()
    numpy.testing.assert_array_equal(model_a.W.array, model_b.W.array)
    assert parallel.iteration == 5 and opt_b.epoch == 1


def test_parallel_updater_two_copies_on_cpu():
    model, opt, it = _setup()
    parallel = training.ParallelUpdater(it, opt, devices={'main': '@numpy', 'second': -1})
    trainer = training.Trainer(parallel, (2, 'iteration'))
    trainer.run()
    copy = parallel._models['second']
    assert copy is not model
    numpy.testing.assert_array_equal(copy.W.array, model.W.array)
    assert 'main/loss' in trainer.observation and 'second/loss' in trainer.observation


def test_parallel_updater_resumed_copies_get_the_loaded_parameters(tmp_path):
    # Snapshots hold only the main model; the next update after loading must
    # use the loaded parameters in the copies too, as an uninterrupted run does.
    def make():
        model, opt, it = _setup()
        return model, training.ParallelUpdater(it, opt, devices={'main': '@numpy', 'b': '@numpy'})
    model, parallel = make()
    for _ in range(2):
        parallel.update()
    path = str(tmp_path / 'snap')
    serializers.save_npz(path, parallel)
    parallel.update()
    resumed_model, resumed = make()
    serializers.load_npz(path, resumed)
    numpy.testing.assert_array_equal(resumed._models['b'].W.array, resumed_model.W.array)
    resumed.update()
    numpy.testing.assert_array_equal(resumed_model.W.array, model.W.array)
    numpy.testing.assert_array_equal(resumed._models['b'].W.array, model.W.array)


def test_parallel_updater_with_models():
    model, opt, it = _setup()
    other = S.Regressor(seed=9)
    parallel = training.ParallelUpdater(it, opt, models={'main': model, 'sub': other})
    assert parallel._devices == {'main': model.device, 'sub': other.device}
    parallel.update()
    numpy.testing.assert_array_equal(other.W.array, model.W.array)
    with pytest.raises(ValueError, match='same keys'):
        training.ParallelUpdater(it, opt, models={'main': model, 'sub': other},
                                 devices={'main': '@numpy'})


def test_parallel_updater_converter_gets_devices_as_given():
    # As in Chainer, each copy's converter call gets the device as written in
    # ``devices`` (an old-style converter sees '@numpy', not -1).
    model, opt, it = _setup()
    seen = []

    def converter(batch, device):
        seen.append(device)
        return convert.concat_examples(batch, device)
    updater = training.ParallelUpdater(it, opt, converter=converter,
                                       devices={'main': '@numpy', 'sub': -1})
    updater.update()
    assert seen == ['@numpy', -1]


def test_parallel_updater_models_without_main_optimizer():
    # Given models, the optimizers need no 'main' until the default update.
    model, opt, it = _setup()
    updater = training.ParallelUpdater(it, {'gen': opt}, models={'main': model},
                                       devices={'main': '@numpy'})
    with pytest.raises(KeyError, match="'main'"):
        updater.update()
    # Nor do the models need a 'main' entry: the copies are the models that
    # are not the optimizer's target.
    updater = training.ParallelUpdater(it, opt, models={'x': model}, devices={'x': '@numpy'})
    w0 = model.W.array.copy()
    updater.update()
    assert updater.iteration == 1
    assert not numpy.array_equal(model.W.array, w0)


def test_parallel_updater_bad_arguments():
    model, opt, it = _setup()
    with pytest.raises(ValueError, match='either models or devices'):
        training.ParallelUpdater(it, opt)
    with pytest.raises(KeyError, match="'main'"):
        training.ParallelUpdater(it, opt, devices={'a': '@numpy'})
    with pytest.raises(ValueError, match='target of the main optimizer'):
        training.ParallelUpdater(it, opt, models={'main': S.Regressor()},
                                 devices={'main': '@numpy'})


def test_multiprocess_parallel_updater_is_refused_pointing_to_chainermn():
    model, opt, it = _setup()
    with pytest.raises(NotImplementedError, match='create_multi_node_optimizer'):
        updaters.MultiprocessParallelUpdater([it], opt, devices={'main': 0})
    assert updaters.MultiprocessParallelUpdater.available() is False


class _NumpyDevice(chainer.backend.Device):
    """A user's own Device that keeps arrays in NumPy (told apart by ``index``)."""

    xp = numpy
    supported_array_types = (numpy.ndarray,)

    def __init__(self, index):
        self.index = index

    def __eq__(self, other):
        return isinstance(other, _NumpyDevice) and other.index == self.index

    def __hash__(self):
        return self.index

    def send_array(self, array):
        return array.copy()


@pytest.mark.parametrize('device', [None, 3])
def test_model_on_a_user_device(device):
    # The model stays on the user's device, or moves to the one given, as in Chainer.
    model, opt, it = _setup()
    model.to_device(_NumpyDevice(0))
    kwargs = {} if device is None else {'device': _NumpyDevice(device)}
    training.StandardUpdater(it, opt, **kwargs)
    expected = _NumpyDevice(0 if device is None else device)
    assert all(p.device == expected for p in model.params())
