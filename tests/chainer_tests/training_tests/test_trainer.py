"""Trainer: extension registration, ordering, the loop, errors and serialization."""

import numpy
import pytest

import chainer
from chainer import serializers
from chainer import testing
from chainer import training
from chainer.training import extension
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)


class _Recorder(training.Extension):

    def __init__(self, log, tag, **attrs):
        self.log = log
        self.tag = tag
        for k, v in attrs.items():
            setattr(self, k, v)

    def initialize(self, trainer):
        self.log.append(('init', self.tag))

    def __call__(self, trainer):
        self.log.append(('call', self.tag, trainer.updater.iteration))

    def on_error(self, trainer, exc, tb):
        self.log.append(('error', self.tag, type(exc).__name__))

    def finalize(self):
        self.log.append(('finalize', self.tag))


def test_extend_names_and_defaults():
    trainer = testing.get_trainer_with_mock_updater()
    ext = _Recorder([], 'a')
    trainer.extend(ext)
    assert ext.name == '_Recorder'
    ext2 = _Recorder([], 'b')
    trainer.extend(ext2)
    assert ext2.name == '_Recorder_1'
    assert trainer.get_extension('_Recorder_1') is ext2

    def fn(trainer):
        pass
    trainer.extend(fn)
    assert trainer.get_extension('fn') is fn
    trainer.extend(lambda t: None, name='custom')
    assert trainer.get_extension('custom') is not None

    with pytest.raises(ValueError, match='extension missing not found'):
        trainer.get_extension('missing')
    with pytest.raises(ValueError, match='"training" is prohibited'):
        trainer.extend(lambda t: None, name='training')
    with pytest.raises(ValueError, match='invoke_before_training'):
        trainer.extend(lambda t: None, name='x', invoke_before_training=True)
    with pytest.raises(TypeError, match='unexpected'):
        trainer.extend(lambda t: None, name='y', foo=1)

    class NoName:
        def __call__(self, trainer):
            pass
    with pytest.raises(TypeError, match='name is not given'):
        trainer.extend(NoName())


def test_priority_order_triggers_and_call_before_training():
    log = []
    trainer = testing.get_trainer_with_mock_updater((4, 'iteration'))
    trainer.extend(_Recorder(log, 'reader'), trigger=(2, 'iteration'))
    trainer.extend(_Recorder(log, 'writer', priority=extension.PRIORITY_WRITER),
                   name='w', trigger=(2, 'iteration'))
    trainer.extend(_Recorder(log, 'editor'), name='e', trigger=(4, 'iteration'),
                   priority=extension.PRIORITY_EDITOR, call_before_training=True)
    trainer.run()
    assert log == [
        ('init', 'writer'), ('init', 'editor'), ('init', 'reader'),
        ('call', 'editor', 0),
        ('call', 'writer', 2), ('call', 'reader', 2),
        ('call', 'writer', 4), ('call', 'editor', 4), ('call', 'reader', 4),
        ('finalize', 'writer'), ('finalize', 'editor'), ('finalize', 'reader'),
    ]
    assert trainer.updater.iteration == 4
    trainer.updater.finalize.assert_called_once()
    with pytest.raises(RuntimeError, match='multiple times'):
        trainer.run()


def test_elapsed_time_and_observation():
    trainer = testing.get_trainer_with_mock_updater((3, 'iteration'))
    with pytest.raises(RuntimeError, match='not been started'):
        trainer.elapsed_time
    assert trainer.is_before_training
    seen = []

    def ext(t):
        chainer.report({'value': t.updater.iteration})
        seen.append((t.elapsed_time, dict(t.observation)))
    trainer.extend(ext, trigger=(1, 'iteration'))
    trainer.run()
    assert [obs for _, obs in seen] == [{'value': 1}, {'value': 2}, {'value': 3}]
    times = [t for t, _ in seen]
    assert times == sorted(times) and times[0] >= 0
    assert trainer.elapsed_time >= times[-1]
    assert not trainer.is_before_training


def test_error_calls_on_error_and_finalize(capsys):
    log = []
    trainer = testing.get_trainer_with_mock_updater((10, 'iteration'))
    trainer.extend(_Recorder(log, 'rec'), trigger=(1, 'iteration'))

    def boom(t):
        if t.updater.iteration == 2:
            raise ValueError('boom at 2')
    trainer.extend(boom, trigger=(1, 'iteration'), priority=0)

    class BadHandler(training.Extension):
        def __call__(self, t):
            pass

        def on_error(self, t, exc, tb):
            raise KeyError('handler failed')
    trainer.extend(BadHandler())

    with pytest.raises(ValueError, match='boom at 2'):
        trainer.run()
    err = capsys.readouterr().err
    assert 'Exception in main training loop: boom at 2' in err
    assert 'Will finalize trainer extensions and updater' in err
    assert 'Exception in error handler' in err
    assert ('error', 'rec', 'ValueError') in log
    assert log[-1] == ('finalize', 'rec')
    trainer.updater.finalize.assert_called_once()


def test_error_message_can_be_silenced(capsys):
    trainer = testing.get_trainer_with_mock_updater((10, 'iteration'))

    def boom(t):
        raise RuntimeError('quiet')
    trainer.extend(boom)
    with pytest.raises(RuntimeError):
        trainer.run(show_loop_exception_msg=False)
    assert 'Exception in main training loop' not in capsys.readouterr().err


def test_error_before_the_loop_is_handled_as_a_loop_error(capsys):
    # Unlike Chainer, an initializer or a call_before_training extension that
    # raises gets the loop's report, on_error and finalize, so writers close.
    for where in ('initialize', 'before'):
        log = []
        trainer = testing.get_trainer_with_mock_updater((3, 'iteration'))
        trainer.extend(_Recorder(log, 'rec'))

        def boom(t):
            raise ValueError('early')
        if where == 'initialize':
            trainer.extend(_Recorder(log, 'bad', initialize=boom))
        else:
            trainer.extend(boom, call_before_training=True)
        with pytest.raises(ValueError, match='early'):
            trainer.run()
        assert 'Exception in main training loop' in capsys.readouterr().err
        assert ('finalize', 'rec') in log
        assert any(e[0] == 'error' for e in log)
        trainer.updater.finalize.assert_called_once()


def test_out_that_is_a_file_is_left_to_the_writers(tmp_path):
    # Chainer ignores a failure to create ``out``: only extensions writing
    # there fail.
    path = tmp_path / 'taken'
    path.write_text('x')
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
    trainer.out = str(path)
    trainer.run()
    assert trainer.updater.iteration == 2
    assert path.read_text() == 'x'
    for ext in (training.extensions.LogReport(trigger=(1, 'iteration')),
                training.extensions.snapshot_object(chainer.Link(), 'link')):
        trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
        trainer.out = str(path)
        trainer.extend(ext, trigger=(1, 'iteration'))
        with pytest.raises(NotADirectoryError):
            trainer.run(show_loop_exception_msg=False)
    assert path.read_text() == 'x'


def test_stop_trigger_none_runs_until_error():
    trainer = testing.get_trainer_with_mock_updater(None)

    def stop(t):
        if t.updater.iteration == 5:
            raise StopIteration('enough')
    trainer.extend(stop)
    with pytest.raises(StopIteration):
        trainer.run(show_loop_exception_msg=False)
    assert trainer.updater.iteration == 5


class _Counter(training.Extension):

    def __init__(self):
        self.count = 0

    def __call__(self, trainer):
        self.count += 1

    def serialize(self, serializer):
        self.count = int(serializer('count', self.count))


def test_serialize_round_trip():
    src = testing.get_trainer_with_mock_updater((5, 'iteration'))
    counter = _Counter()
    src.extend(counter, trigger=(2, 'iteration'))
    src.run()
    assert counter.count == 2

    saver = serializers.DictionarySerializer()
    saver.save(src)
    target = saver.target
    assert target['extensions/_Counter/count'] == 2
    assert 'extension_triggers/_Counter/previous_iteration' in target
    assert 'stop_trigger/previous_iteration' in target
    assert float(target['_snapshot_elapsed_time']) == pytest.approx(src.elapsed_time)

    dst = testing.get_trainer_with_mock_updater((5, 'iteration'))
    counter2 = _Counter()
    dst.extend(counter2, trigger=(2, 'iteration'))
    serializers.NpzDeserializer(target).load(dst)
    assert counter2.count == 2
    assert dst._snapshot_elapsed_time == pytest.approx(src.elapsed_time)


def test_reporter_observers_from_optimizers():
    from tests.chainer_tests.training_tests import training_stubs as S
    from chainer import optimizers
    model = S.Regressor()
    opt = optimizers.SGD()
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(), 4), opt)
    trainer = training.Trainer(updater, (1, 'iteration'))
    trainer.run()
    assert set(trainer.observation) == {'main/loss'}
    assert isinstance(trainer.observation['main/loss'], chainer.Variable)
    assert trainer.observation['main/loss'].creator is None  # cut from the graph
    assert numpy.isfinite(float(trainer.observation['main/loss'].array))


def test_make_extension_decorator():
    @training.make_extension(trigger=(2, 'epoch'), priority=extension.PRIORITY_WRITER,
                             default_name='named')
    def ext(trainer):
        pass
    assert ext.trigger == (2, 'epoch')
    assert ext.priority == extension.PRIORITY_WRITER
    assert ext.default_name == 'named'
    assert ext.finalize is None and ext.initialize is None and ext.on_error is None

    @training.make_extension()
    def plain(trainer):
        pass
    assert plain.trigger == (1, 'iteration')
    assert plain.priority == extension.PRIORITY_READER
    assert plain.default_name == 'plain'

    with pytest.raises(ValueError, match='initializer'):
        training.make_extension(invoke_before_training=True)
    with pytest.raises(TypeError):
        training.make_extension(unknown=1)
    # Reading the removed class attribute says what replaced it, as in Chainer.
    with pytest.raises(AttributeError, match='Extension.initialize'):
        extension.Extension().invoke_before_training
    with pytest.raises(AttributeError, match="'Extension' object has no attribute 'foo'"):
        extension.Extension().foo

    calls = []
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))

    @training.make_extension(trigger=(1, 'iteration'), initializer=lambda t: calls.append('i'),
                             finalizer=lambda: calls.append('f'))
    def counted(t):
        calls.append('c')
    trainer.extend(counted)
    trainer.run()
    assert calls == ['i', 'c', 'c', 'f']


def test_extension_base():
    ext = training.Extension()
    assert ext.default_name == 'Extension'
    assert ext.trigger == (1, 'iteration')
    assert ext.priority == training.PRIORITY_READER
    assert ext.name is None
    with pytest.raises(NotImplementedError):
        ext(None)
    ext.initialize(None)
    ext.finalize()
    ext.on_error(None, None, None)
    ext.serialize(None)
    assert (training.PRIORITY_WRITER, training.PRIORITY_EDITOR, training.PRIORITY_READER) \
        == (300, 200, 100)


def test_get_trigger():
    def trig(t):
        return True
    assert training.get_trigger(trig) is trig
    assert training.get_trigger(None)(None) is False
    t = training.get_trigger((3, 'epoch'))
    assert isinstance(t, training.IntervalTrigger)
    assert t.get_training_length() == (3, 'epoch')
    with pytest.raises(TypeError, match='trigger'):
        training.get_trigger('every epoch')


def test_module_layout():
    from chainer.training import updater, updaters, util
    assert updater.StandardUpdater is updaters.StandardUpdater is training.StandardUpdater
    assert updater.Updater is training.Updater
    assert util.get_trigger is training.get_trigger
    base = training.Updater()
    base.connect_trainer(None)
    for name in ('finalize', 'update', 'get_all_optimizers'):
        with pytest.raises(NotImplementedError):
            getattr(base, name)()
