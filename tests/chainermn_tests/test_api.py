"""The module layout of Chainer 7.8.1's chainermn, the install hint, single-process behaviour."""
import importlib
import os
import subprocess
import sys

import numpy
import pytest

pytest.importorskip('mpi4py')

import chainer  # noqa: E402
import chainermn  # noqa: E402

# module: names (from the Chainer 7.8.1 distribution)
MODULES = {
    'chainermn': 'CommunicatorBase DataSizeError MultiNodeChainList create_communicator '
                 'create_multi_node_checkpointer create_multi_node_evaluator '
                 'create_multi_node_optimizer scatter_dataset scatter_index communicators '
                 'datasets extensions functions global_except_hook iterators links optimizers',
    'chainermn.communicators': 'CommunicatorBase create_communicator communicator_base',
    'chainermn.communicators._communication_utility':
        'INT_MAX chunked_bcast_obj init_inter_mpi_comm init_intra_mpi_comm init_nccl_comm '
        'init_ranks inter_allreduce_gpu nccl',
    'chainermn.communicators._memory_utility':
        'DeviceMemory HostPinnedMemory ParamsData array_to_buffer_object count_grad_elements '
        'cp extract_params_set_data extract_params_set_grad get_device_memory_pointer '
        'pack_params unpack_params',
    'chainermn.communicators.communicator_base': 'CommunicatorBase',
    'chainermn.communicators.dummy_communicator': 'DummyCommunicator mpi_communicator_base',
    'chainermn.communicators.flat_communicator': 'FlatCommunicator mpi_communicator_base',
    'chainermn.communicators.mpi_communicator_base':
        'MpiCommunicatorBase chunked_bcast_obj communicator_base',
    'chainermn.communicators.naive_communicator': 'NaiveCommunicator mpi_communicator_base',
    'chainermn.communicators.non_cuda_aware_communicator':
        'NonCudaAwareCommunicator mpi_communicator_base nccl',
    'chainermn.communicators.pure_nccl_communicator':
        'PureNcclCommunicator mpi_communicator_base nccl',
    'chainermn.datasets': 'DataSizeError create_empty_dataset empty_dataset scatter '
                          'scatter_dataset scatter_index',
    'chainermn.datasets.empty_dataset': 'create_empty_dataset',
    'chainermn.datasets.scatter': 'DataSizeError get_epoch_trigger '
                                  'get_n_iterations_for_one_epoch scatter_dataset scatter_index',
    'chainermn.extensions': 'AllreducePersistent GenericMultiNodeEvaluator '
                            'MultiNodeEarlyStoppingTrigger ObservationAggregator '
                            'allreduce_persistent checkpoint create_multi_node_checkpointer '
                            'create_multi_node_evaluator multi_node_early_stopping_trigger '
                            'multi_node_evaluator multi_node_snapshot observation_aggregator',
    'chainermn.extensions._multi_node_snapshot': 'multi_node_snapshot',
    'chainermn.extensions.allreduce_persistent': 'AllreducePersistent',
    'chainermn.extensions.checkpoint': 'create_multi_node_checkpointer',
    'chainermn.extensions.multi_node_early_stopping_trigger':
        'MultiNodeEarlyStoppingTrigger ObservationAggregator',
    'chainermn.extensions.multi_node_evaluator':
        'GenericMultiNodeEvaluator create_multi_node_evaluator',
    'chainermn.extensions.observation_aggregator': 'ObservationAggregator',
    'chainermn.functions': 'allgather alltoall batch_normalization bcast '
                           'collective_communication gather point_to_point_communication '
                           'pseudo_connect recv scatter send',
    'chainermn.functions.batch_normalization': 'MultiNodeBNImplSelector '
                                               'get_communication_backend',
    'chainermn.functions.collective_communication':
        'AllGather AllToAll Bcast Gather Scatter allgather alltoall bcast gather scatter',
    'chainermn.functions.point_to_point_communication': 'Recv Send recv send',
    'chainermn.functions.pseudo_connect': 'PseudoConnect pseudo_connect',
    'chainermn.global_except_hook': 'add_hook',
    'chainermn.iterators': 'create_multi_node_iterator create_synchronized_iterator '
                           'multi_node_iterator synchronized_iterator',
    'chainermn.iterators.multi_node_iterator': 'create_multi_node_iterator',
    'chainermn.iterators.synchronized_iterator': 'create_synchronized_iterator',
    'chainermn.links': 'MultiNodeBatchNormalization MultiNodeChainList batch_normalization '
                       'create_mnbn_model create_multi_node_n_step_rnn multi_node_chain_list '
                       'n_step_rnn',
    'chainermn.links.batch_normalization': 'MultiNodeBatchNormalization '
                                           'chainermn_batch_normalization',
    'chainermn.links.create_mnbn_model': 'chainermn create_mnbn_model',
    'chainermn.links.multi_node_chain_list': 'MultiNodeChainList chainermn',
    'chainermn.links.n_step_rnn': 'chainermn create_multi_node_n_step_rnn',
    'chainermn.nccl': '',
    'chainermn.optimizers': 'create_multi_node_optimizer',
    'chainermn.testing': 'device get_device',
    'chainermn.testing.device': 'get_device',
}


@pytest.mark.parametrize('module', sorted(MODULES))
def test_module_names(module):
    mod = importlib.import_module(module)
    missing = [n for n in MODULES[module].split() if n != 'cp' and not hasattr(mod, n)]
    assert not missing, f'{module} lacks {missing}'


def test_version_is_chainers():
    import chainer
    import chainermn
    assert chainermn.__version__ == chainer.__version__ == '7.8.1'


def test_import_without_mpi4py_says_how_to_install():
    code = ('import sys; sys.modules["mpi4py"] = None\n'
            'try:\n    import chainermn\n'
            'except ImportError as e:\n    print(e)\n')
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=root, timeout=60)
    assert "pip install 'rechainer[mn]'" in out.stdout, out.stdout + out.stderr


def test_create_communicator_errors():
    with pytest.raises(ValueError, match='unknown communicator'):
        chainermn.create_communicator('nonexistent')
    with pytest.raises(ValueError, match='allreduce_grad_dtype'):
        chainermn.create_communicator('flat', allreduce_grad_dtype=numpy.float16)
    with pytest.raises(TypeError):
        chainermn.create_communicator('flat', no_such_option=1)


def test_gpu_communicators_without_cupy():
    from chainer.backends import cuda
    if cuda.available:
        pytest.skip('CuPy is available')
    for name in ('pure_nccl', 'non_cuda_aware'):
        with pytest.raises(RuntimeError, match='needs CuPy'):
            chainermn.create_communicator(name)


def test_single_process_communicator():
    comm = chainermn.create_communicator('naive')
    assert (comm.rank, comm.size, comm.intra_rank, comm.inter_size) == (0, 1, 0, 1)
    x = numpy.arange(5, dtype=numpy.float32)
    numpy.testing.assert_array_equal(comm.allreduce(x), x)
    assert comm.get_config('batched_copy') is True


def test_communicator_config_and_old_names():
    comm = chainermn.create_communicator('naive', batched_copy=False)
    assert comm.batched_copy is False and comm.get_config('batched_copy') is False
    comm.set_config('batched_copy')
    assert comm.batched_copy is True
    with pytest.raises(ValueError, match='Unknown config'):
        comm.set_config('bogus')
    with pytest.raises(ValueError, match='allreduce_grad_dtype'):
        comm.set_config('allreduce_grad_dtype', None)
    with pytest.raises(KeyError):
        comm.get_config('allreduce_grad_dtype')
    assert not comm.within_config_scope
    with comm.config_scope():
        assert comm.within_config_scope
        comm.my_option = 3
    comm.other = 4
    assert comm.get_config('my_option') == 3
    assert 'other' not in comm.get_config()
    x = numpy.arange(3, dtype=numpy.float32)
    # Chainer's argument names and order: bcast(x, root), gather(x, root), allreduce(x)
    numpy.testing.assert_array_equal(comm.bcast(x, 0), x)
    numpy.testing.assert_array_equal(comm.bcast(x=x, root=0), x)
    numpy.testing.assert_array_equal(comm.gather(x=x, root=0)[0], x)
    numpy.testing.assert_array_equal(comm.allreduce(x=x), x)
    model = chainer.links.Linear(2, 2)
    comm.broadcast_data(model)


@pytest.mark.gpu
@pytest.mark.real_gpu
def test_pure_nccl_single_rank():
    cupy = pytest.importorskip('cupy')
    comm = chainermn.create_communicator('pure_nccl')
    model = chainer.links.Linear(3, 2)
    model.to_device('@cupy:0')
    comm.bcast_data(model)
    model.W.grad = cupy.full((2, 3), 3.0, numpy.float32)
    model.b.grad = cupy.full((2,), 1.0, numpy.float32)
    comm.multi_node_mean_grad(model)
    numpy.testing.assert_allclose(cupy.asnumpy(model.W.grad), 3.0)
    x = cupy.arange(4, dtype=numpy.float16)
    numpy.testing.assert_array_equal(cupy.asnumpy(comm.allreduce(x)), cupy.asnumpy(x))
    half = chainermn.create_communicator('pure_nccl', allreduce_grad_dtype='float16')
    half.multi_node_mean_grad(model)
    numpy.testing.assert_allclose(cupy.asnumpy(model.W.grad), 3.0)
    comm.finalize()
    half.finalize()


@pytest.mark.gpu
def test_pure_nccl_allreduce_grad_dtype_is_an_attribute():
    # As Chainer: the option is also an attribute of the communicator.
    pytest.importorskip('cupy')
    comm = chainermn.create_communicator('pure_nccl')
    assert comm.allreduce_grad_dtype is None
    comm.set_config('allreduce_grad_dtype', 'float16')
    assert comm.allreduce_grad_dtype == numpy.float16
    assert comm.get_config('allreduce_grad_dtype') == numpy.float16
    other = chainermn.create_communicator('pure_nccl', allreduce_grad_dtype=numpy.float64)
    assert other.allreduce_grad_dtype == numpy.float64
    comm.finalize()
    other.finalize()


@pytest.mark.gpu
def test_non_cuda_aware_single_rank():
    cupy = pytest.importorskip('cupy')
    comm = chainermn.create_communicator('non_cuda_aware')
    model = chainer.links.Linear(3, 2)
    model.to_device('@cupy:0')
    model.cleargrads()
    model.W.grad = cupy.full((2, 3), 2.0, numpy.float32)
    comm.multi_node_mean_grad(model, zero_fill=True)
    numpy.testing.assert_allclose(cupy.asnumpy(model.W.grad), 2.0)
    numpy.testing.assert_allclose(cupy.asnumpy(model.b.grad), 0.0)


def test_mean_grad_reuses_its_buffer_safely():
    # After a mean the gradients are views of the model's buffer; swapped views must
    # still be packed from their values, not from the places they occupy.
    comm = chainermn.create_communicator('flat')
    model = chainer.Chain()
    with model.init_scope():
        model.a = chainer.Parameter(numpy.zeros(4, numpy.float32))
        model.b = chainer.Parameter(numpy.zeros(4, numpy.float32))
    model.a.grad = numpy.arange(4, dtype=numpy.float32)
    model.b.grad = numpy.arange(4, 8, dtype=numpy.float32)
    comm.multi_node_mean_grad(model)
    assert numpy.shares_memory(model.a.grad, model.b.grad) is False
    model.a.grad, model.b.grad = model.b.grad, model.a.grad
    comm.multi_node_mean_grad(model)
    numpy.testing.assert_array_equal(model.a.grad, numpy.arange(4, 8))
    numpy.testing.assert_array_equal(model.b.grad, numpy.arange(4))
    other = chainer.Chain()
    with other.init_scope():
        other.a = chainer.Parameter(numpy.zeros(4, numpy.float32))
    other.a.grad = numpy.full(4, 9, numpy.float32)
    comm.multi_node_mean_grad(other)  # another model: its own buffer
    numpy.testing.assert_array_equal(model.a.grad, numpy.arange(4, 8))


def test_synchronized_iterator_seed_draw_as_chainer():
    # rank 0 draws the shared seed with randint(0, 2 ** 32 - 1) from the global
    # NumPy RNG, as Chainer; the batches are those Chainer 7.8.1 gives
    comm = chainermn.create_communicator('naive')
    numpy.random.seed(0)
    it = chainermn.iterators.create_synchronized_iterator(
        chainer.iterators.SerialIterator(list(range(8)), 3, shuffle=True), comm)
    assert [it.next() for _ in range(4)] == [[7, 2, 6], [3, 0, 5], [1, 4, 3], [1, 7, 4]]


def test_synchronized_iterator_wraps_as_chainer():
    import copy
    comm = chainermn.create_communicator('naive')
    base = chainer.iterators.SerialIterator(list(range(5)), 2, shuffle=False)
    it = chainermn.iterators.create_synchronized_iterator(base, comm)
    assert type(it).__name__ == '_SynchronizedIterator' and it.actual_iterator is base
    assert isinstance(it, chainer.dataset.Iterator)
    assert not isinstance(it, chainer.iterators.SerialIterator)
    assert it.batch_size == 2 and it.communicator is comm
    it.batch_size = 3  # attributes are the actual iterator's, both ways
    assert base.batch_size == 3 and 'batch_size' not in vars(it)
    assert len(next(it)) == 3 and it.epoch_detail == base.epoch_detail == 0.6
    state = {}
    it.serialize(chainer.serializers.DictionarySerializer(state))
    assert state['current_position'] == 3
    assert copy.copy(it).actual_iterator is base


def test_checkpointer_extension_as_chainer(tmp_path):
    from chainer import training
    comm = chainermn.create_communicator('naive')
    path = str(tmp_path / 'cps')
    with pytest.warns(DeprecationWarning, match='multi_node_snapshot'):  # as in Chainer
        cp = chainermn.create_multi_node_checkpointer('ck', comm, cp_interval=2, path=path)
    assert os.path.isdir(path)  # made at once
    assert (cp.trigger, cp.priority, cp.name, cp.default_name) == (
        (1, 'iteration'), training.extension.PRIORITY_READER, 'ck', '_MultiNodeCheckpointer')
    assert cp.get_stats() == 'No stats available'
    model = chainer.links.Classifier(chainer.links.Linear(3, 2))
    opt = chainermn.create_multi_node_optimizer(chainer.optimizers.SGD(), comm)
    opt.setup(model)
    data = chainer.datasets.TupleDataset(numpy.ones((4, 3), numpy.float32),
                                         numpy.zeros(4, numpy.int32))
    it = chainer.iterators.SerialIterator(data, 2)
    trainer = training.Trainer(training.updaters.StandardUpdater(it, opt), (3, 'iteration'),
                               out=str(tmp_path / 'out'))
    trainer.extend(cp)
    seen = []
    trainer.extend(lambda tr: seen.append(sorted(os.listdir(path))), priority=0)
    trainer.run()
    assert seen[-1] == ['ck.0.1', 'ck.0.2', 'ck.0.3']
    assert os.listdir(path) == []  # a normal end removes them
    assert cp.get_stats().startswith('Snapshot duration stats (sec): avg=')


def test_multi_node_chain_list_one_output_component():
    comm = chainermn.create_communicator('naive')
    model = chainermn.MultiNodeChainList(comm)
    model.add_link(chainer.links.Linear(2, 2), rank_in=None, rank_out=None)
    with pytest.raises(ValueError):
        model.add_link(chainer.links.Linear(2, 2), rank_in=None, rank_out=None)
    assert len(model) == 1


def test_data_size_error_is_a_plain_runtime_error():
    # Chainer's DataSizeError takes RuntimeError's arguments; it pickles and copies.
    import copy
    import pickle
    e = chainermn.DataSizeError('too big')
    assert isinstance(e, RuntimeError)
    assert (str(e), e.args) == ('too big', ('too big',))
    assert str(pickle.loads(pickle.dumps(e))) == 'too big'
    assert str(copy.copy(e)) == 'too big'
    assert chainermn.DataSizeError(3, 4).args == (3, 4)


def test_get_epoch_trigger_takes_chainers_keywords():
    from chainermn.datasets import scatter
    comm = chainermn.create_communicator('naive')
    with pytest.warns(DeprecationWarning) as ws:
        trigger = scatter.get_epoch_trigger(n_epochs=2, dataset=list(range(5)),
                                            local_batch_size=2, comm=comm)
    assert trigger == (6, 'iteration')
    # As in Chainer, both helpers are deprecated (the trigger calls the other).
    assert [str(w.message).split(' ')[0] for w in ws] == [
        'get_epoch_trigger', 'get_n_iterations_for_one_epoch']


def _experimental_names(fn):
    import warnings
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        fn()
    return sorted({str(w.message).split(' ')[0] for w in ws
                   if issubclass(w.category, FutureWarning)})


def test_experimental_warnings_as_chainer():
    comm = chainermn.create_communicator('naive')
    x = numpy.arange(3, dtype=numpy.float32)
    base = 'chainermn.communicators.MpiCommunicatorBase.'
    assert _experimental_names(lambda: comm.allgather(x)) == [base + 'allgather']
    assert _experimental_names(lambda: comm.bcast(x)) == [base + 'bcast']
    assert _experimental_names(lambda: comm.gather(x)) == [base + 'gather']
    assert _experimental_names(lambda: comm.alltoall((x,))) == [base + 'alltoall']
    assert _experimental_names(lambda: comm.scatter((x,))) == [
        'chainermn.communicators.CommunicatorBase.scatter']
    assert _experimental_names(lambda: comm.allreduce(x)) == []
    assert _experimental_names(lambda: comm.bcast_obj(1)) == []
    v = chainer.Variable(x)
    assert _experimental_names(lambda: chainermn.functions.allgather(comm, v)) == [
        base + 'allgather', 'chainermn.functions.AllGather', 'chainermn.functions.all_gather']
    assert _experimental_names(lambda: chainermn.functions.pseudo_connect(None, v)) == [
        'chainermn.functions.pseudo_connect']
    assert _experimental_names(lambda: chainermn.MultiNodeChainList(comm)) == [
        'chainermn.MultiNodeChainList']
    it = chainer.iterators.SerialIterator([1, 2], 1)
    assert _experimental_names(
        lambda: chainermn.iterators.create_multi_node_iterator(it, comm)) == [
        'chainermn.iterators.create_multi_node_iterator']
    # the batch normalization's own communication warns nothing more
    bn = chainermn.links.MultiNodeBatchNormalization(3, comm)

    def run_bn():
        y = chainermn.links.MultiNodeBatchNormalization(3, comm)(numpy.ones((2, 3), 'f'))
        chainer.functions.sum(y).backward()
    assert _experimental_names(run_bn) == ['chainermn.links.MultiNodeBatchNormalization']
    assert bn.gamma.shape == (3,)
    before = chainer.disable_experimental_feature_warning
    chainer.disable_experimental_feature_warning = True
    try:
        assert _experimental_names(lambda: comm.allgather(x)) == []
    finally:
        chainer.disable_experimental_feature_warning = before


def test_add_hook_twice_warns_as_chainer(monkeypatch):
    import threading
    import warnings
    from chainermn import global_except_hook as hook
    monkeypatch.setattr(hook, '_added', False)
    monkeypatch.setattr(hook, '_installed', False)
    monkeypatch.setattr(sys, 'excepthook', sys.excepthook)
    monkeypatch.setattr(threading, 'excepthook', threading.excepthook)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        hook.add_hook()
    assert sys.excepthook is hook._excepthook
    with pytest.warns(UserWarning, match='more than once'):
        hook.add_hook()
    # the hook that ours installs by itself in jobs of several ranks is not a call
    monkeypatch.setattr(hook, '_added', False)
    hook._install()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        hook.add_hook()


def test_abort_waits_until_mpiexec_read_the_traceback():
    # MPI_Abort kills every rank at once: output still in the pipe would be lost
    import threading
    import time
    from chainermn import global_except_hook as hook
    r, w = os.pipe()
    with open(w, 'w') as stream:
        stream.write('Traceback ...\n')
        stream.flush()
        drained = []
        reader = threading.Timer(0.2, lambda: drained.append(
            (time.monotonic(), os.read(r, 100))))
        reader.start()
        start = time.monotonic()
        hook._wait_until_read(stream)
        reader.join()
        assert drained[0][1] == b'Traceback ...\n'
        assert time.monotonic() >= drained[0][0] > start
        # nobody reads: it gives up after the limit; a file or closed stream is no pipe
        stream.write('more\n')
        stream.flush()
        start = time.monotonic()
        hook._wait_until_read(stream, limit=0.1)
        assert 0.1 <= time.monotonic() - start < 1.5  # well under the 2 s default
    os.close(r)
    start = time.monotonic()
    hook._wait_until_read(stream, sys.stdin, object())
    assert time.monotonic() - start < 1.5  # no 2 s wait on non-pipes (bound loose for busy CI)


@pytest.mark.parametrize('x_dtype, bn_dtype', [
    ('float16', 'float64'), ('float64', 'float32'), ('float32', 'float16')])
def test_mnbn_test_mode_keeps_the_input_dtype(x_dtype, bn_dtype):
    comm = chainermn.create_communicator('naive')
    bn = chainermn.links.MultiNodeBatchNormalization(3, comm, dtype=bn_dtype)
    bn.avg_mean[...] = 0.5
    x = numpy.arange(6, dtype=x_dtype).reshape(2, 3)
    with chainer.using_config('train', False):
        y = bn(x)
    assert y.dtype == numpy.dtype(x_dtype)  # as in Chainer
    expect = (x.astype(numpy.float64) - 0.5) / numpy.sqrt(bn.avg_var.astype(float) + 2e-5)
    numpy.testing.assert_allclose(y.array, expect, rtol=1e-2)


@pytest.mark.parametrize('root', [1, -1, 2.0, None])
def test_scatter_refuses_a_root_outside_the_communicator(root):
    comm = chainermn.create_communicator('naive')
    with pytest.raises(ValueError, match='root must be a rank'):
        chainermn.scatter_dataset(list(range(4)), comm, root=root)
    with pytest.raises(ValueError, match='root must be a rank'):
        chainermn.scatter_index(4, comm, root=root)


def test_scatter_index_refuses_a_negative_length():
    comm = chainermn.create_communicator('naive')
    with pytest.raises(ValueError, match='must not be negative'):
        chainermn.scatter_index(-1, comm)
    assert chainermn.scatter_index(0, comm) == (0, 0)


def test_multi_node_batch_normalization_copies_share_the_communicator():
    # copy.deepcopy cannot copy MPI handles: copies of the link, alone or in a
    # model, share the communicator and copy everything else.
    import copy
    comm = chainermn.create_communicator('naive')
    with pytest.warns(FutureWarning):
        bn = chainermn.links.MultiNodeBatchNormalization(3, comm)
    model = chainer.Sequential(bn)
    for copied in (bn.copy(mode='copy'), copy.deepcopy(bn), model.copy(mode='copy')[0]):
        assert copied is not bn and copied.comm is comm
        assert copied.gamma is not bn.gamma and copied.avg_mean is not bn.avg_mean
        numpy.testing.assert_array_equal(copied.gamma.array, bn.gamma.array)
        y = copied(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
        assert y.shape == (2, 3)
    assert not bn.avg_mean.any()


@pytest.mark.parametrize('max_buf_len', [0, -1, 2 ** 31 - 1])
def test_chunked_bcast_obj_refuses_buffer_lengths_as_chainer(max_buf_len):
    from chainermn.communicators._communication_utility import chunked_bcast_obj
    comm = chainermn.create_communicator('naive')
    with pytest.raises(AssertionError, match='max_buf_len'):
        chunked_bcast_obj([1, 2], comm.mpi_comm, max_buf_len)
    assert chunked_bcast_obj([1, 2], comm.mpi_comm, None) == [1, 2]
    assert comm.bcast_obj(list(range(100)), max_buf_len=7) == list(range(100))


@pytest.mark.parametrize('name', ['naive', 'flat'])
def test_mean_grad_in_debug_mode_refuses_nonfinite_means(name):
    # As Chainer's: with chainer.set_debug(True) a mean gradient holding NaN or
    # infinity raises ValueError ("diverged"); outside debug mode it passes through.
    comm = chainermn.create_communicator(name)
    model = chainer.links.Linear(2, 3)
    model.W.grad = numpy.ones((3, 2), numpy.float32)
    model.b.grad = numpy.array([0, numpy.inf, 0], numpy.float32)
    comm.multi_node_mean_grad(model)
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError, match='diverged after allreduce.*shape \\(3,\\)'):
            comm.multi_node_mean_grad(model)
        model.b.grad[:] = 1
        comm.multi_node_mean_grad(model)


@pytest.mark.parametrize('replica_sets, size, expected', [
    ([1], 3, [{1}, {0, 2}]),
    ([[2, 0], 1], 4, [{0, 2}, {1}, {3}]),
    ([range(0, 6, 3)], 6, [{0, 3}, {1, 2, 4, 5}]),
    ([], 2, [{0, 1}]),
])
def test_replica_sets_are_parsed_as_chainer(replica_sets, size, expected):
    from chainermn.extensions import _multi_node_snapshot
    assert _multi_node_snapshot._parse_replica_sets(replica_sets, size) == expected


@pytest.mark.parametrize('replica_sets', [[4], [[0, 1], [1]], [-1]])
def test_bad_replica_sets_are_value_errors(replica_sets):
    from chainermn.extensions import _multi_node_snapshot
    with pytest.raises(ValueError, match='rank'):
        _multi_node_snapshot._parse_replica_sets(replica_sets, 4)


def test_multi_node_snapshot_is_an_extension_of_its_own():
    # as Chainer: the wrapper keeps Extension's name, trigger and priority (not the
    # wrapped snapshot's), so the trainer registers and saves it as _MultiNodeSnapshot
    from chainer import training
    comm = chainermn.create_communicator('naive')
    snap = chainermn.extensions.multi_node_snapshot(
        comm, training.extensions.snapshot(), [0])
    assert (snap.default_name, snap.trigger, snap.priority) == (
        '_MultiNodeSnapshot', (1, 'iteration'), training.extension.PRIORITY_READER)


def test_testing_get_device_takes_a_device_id():
    # Chainer's helper: keyword ``device_id``; an id names a CuPy device, ChainerX
    # specifiers raise get_device's RuntimeError where ChainerX is missing
    from chainermn.testing import get_device
    assert get_device() == chainer.get_device('@numpy')
    assert get_device(device_id=None, use_chainerx=False) == chainer.get_device('@numpy')
    with pytest.raises(RuntimeError, match="'native:0'"):
        get_device(use_chainerx=True)
    with pytest.raises(RuntimeError, match="'cuda:1'"):
        get_device(1, use_chainerx=True)
    if chainer.backends.cuda.available:
        assert get_device(0) == chainer.get_device('@cupy:0')
    else:
        with pytest.raises(RuntimeError):
            get_device(device_id=0)


@pytest.mark.parametrize('force_equal_length', [True, False])
def test_private_scatter_index_lists_every_ranks_part(force_equal_length):
    # Chainer's private generator, used by its tests: (rank, begin, end) per rank
    from chainermn.datasets import scatter
    for n, size in [(10, 3), (0, 2), (7, 7), (5, 8)]:
        got = list(scatter._scatter_index(n, size, force_equal_length))
        assert got == [(i, *scatter._bounds(n, size, i, force_equal_length))
                       for i in range(size)]
    assert list(scatter._scatter_index(10, 3, False)) == [(0, 0, 4), (1, 4, 7), (2, 7, 10)]
    assert list(scatter._scatter_index(10, 3, True)) == [(0, 0, 4), (1, 3, 7), (2, 6, 10)]


def test_checkpoint_stats_helper():
    # Chainer's _CheckpointStats (its tests import it): start/end pairs, one-line report
    from chainermn.extensions.checkpoint import _CheckpointStats
    stats = _CheckpointStats()
    assert stats.report() == 'No stats available'
    stats.end()  # an end without a start is ignored
    for _ in range(3):
        stats.start()
        stats.end()
    assert len(stats.timings) == 3 and stats.begin is None
    assert stats.report().startswith('Snapshot duration stats (sec): avg=')
