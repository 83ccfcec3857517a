"""The training loop with the model and batches on a GPU (skipped without CuPy)."""
import io

import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
from chainer import optimizers
from chainer import serializers
from chainer import testing
from chainer import training
from chainer.training import extensions


def _train(device, tmp_path):
    model = S.Regressor()
    opt = optimizers.SGD(lr=0.1)
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(8), 4), opt,
                                       device=device)
    trainer = training.Trainer(updater, (2, 'epoch'), out=str(tmp_path / str(device)))
    trainer.extend(extensions.Evaluator(S.ListIterator(S.make_dataset(8), 4, repeat=False),
                                        model, device=device))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(['main/loss', 'validation/main/loss'],
                                          out=io.StringIO()))
    trainer.extend(extensions.FailOnNonNumber())
    trainer.extend(extensions.ParameterStatistics(model, trigger=(1, 'epoch')))
    trainer.extend(extensions.snapshot(), trigger=(2, 'epoch'))
    trainer.run()
    return model, trainer.get_extension('LogReport').log


@pytest.mark.gpu
def test_training_on_gpu_matches_cpu(tmp_path):
    import cupy
    gpu_model, gpu_log = _train('@cupy:0', tmp_path)
    assert isinstance(gpu_model.W.array, cupy.ndarray)
    cpu_model, cpu_log = _train('@numpy', tmp_path)
    numpy.testing.assert_allclose(cupy.asnumpy(gpu_model.W.array), cpu_model.W.array,
                                  rtol=1e-5, atol=1e-6)
    for g, c in zip(gpu_log, cpu_log):
        assert isinstance(g['main/loss'], float)
        assert g['validation/main/loss'] == pytest.approx(c['validation/main/loss'], rel=1e-4)


@pytest.mark.gpu
def test_parameter_statistics_of_gpu_parameters_save_and_load():
    import cupy
    model = S.Regressor()
    model.to_device('@cupy:0')
    model.W.grad = cupy.ones_like(model.W.array)

    def ext():
        return extensions.ParameterStatistics(model, trigger=(3, 'iteration'))
    src = ext()
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
    trainer.extend(src)
    trainer.run()
    saver = serializers.DictionarySerializer()
    saver.save(src)
    assert isinstance(saver.target['_summary/sums'], numpy.ndarray)
    dst = ext()
    serializers.NpzDeserializer(saver.target).load(dst)
    expect = {k: float(v) for k, v in src._summary.compute_mean().items()}
    assert dst._summary.compute_mean() == pytest.approx(expect, rel=1e-15, nan_ok=True)
