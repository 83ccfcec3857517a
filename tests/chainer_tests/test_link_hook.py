"""chainer.LinkHook: global (``with hook:``) and local (``link.add_hook``) hooks."""
import threading

import numpy
import pytest

import chainer
from chainer import link_hook
from chainer.link import Chain, Link
from chainer.link_hook import LinkHook


class Double(Link):
    def forward(self, x, scale=1):
        return x * 2 * scale


class Outer(Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.inner = Double()

    def forward(self, x):
        return self.inner(x) + 1


class Recorder(LinkHook):
    def __init__(self, name='Recorder', log=None):
        self.name = name
        self.log = [] if log is None else log

    def added(self, link):
        self.log.append((self.name, 'added', link))

    def deleted(self, link):
        self.log.append((self.name, 'deleted', link))

    def forward_preprocess(self, args):
        self.log.append((self.name, 'pre', args.link, args.forward_name, args.args,
                         args.kwargs))

    def forward_postprocess(self, args):
        self.log.append((self.name, 'post', args.link, args.out))


def test_base_hook_defaults():
    hook = LinkHook()
    assert hook.name == 'LinkHook'
    hook.added(None)
    hook.deleted(None)
    link = Double()
    link.add_hook(hook)
    assert link(3) == 6
    link.delete_hook('LinkHook')


def test_global_hook_sees_every_link():
    net = Outer()
    hook = Recorder()
    with hook as h:
        assert h is hook
        assert link_hook._get_link_hooks()['Recorder'] is hook
        out = net(1)
    assert out == 3
    kinds = [(e[1], e[2]) for e in hook.log]
    assert kinds == [('added', None), ('pre', net), ('pre', net.inner),
                     ('post', net.inner), ('post', net), ('deleted', None)]
    assert hook.log[3][3] == 2
    assert 'Recorder' not in link_hook._get_link_hooks()
    net(1)
    assert len(hook.log) == 6


def test_callback_args():
    hook = Recorder()
    link = Double()
    link.add_hook(hook)
    link(5, scale=3)
    pre = hook.log[1]
    assert pre[3] == 'forward' and pre[4] == (5,) and pre[5] == {'scale': 3}
    assert hook.log[2][3] == 30

    got = []

    class Keep(LinkHook):
        def forward_preprocess(self, args):
            got.append(args)

        def forward_postprocess(self, args):
            got.append(args)

    Double().add_hook(Keep())(1)
    link2 = Double().add_hook(Keep())
    link2(1)
    assert '_ForwardPreprocessCallbackArgs(' in repr(got[0])
    assert '_ForwardPostprocessCallbackArgs(' in repr(got[1])
    assert got[1].out == 2


def test_duplicate_global_hook_fails():
    with Recorder():
        with pytest.raises(KeyError, match='already exists'):
            with Recorder():
                pass
    assert link_hook._get_link_hooks() == {}
    assert repr(link_hook._get_link_hooks()) == 'OrderedDict()'  # as Chainer's


def test_global_then_local_order():
    log = []
    link = Double()
    link.add_hook(Recorder('local', log))
    with Recorder('global', log):
        link(1)
    pres = [e[0] for e in log if e[1] == 'pre']
    assert pres == ['global', 'local']


def test_local_hook_with_same_name_as_global_runs_once():
    log = []
    link = Double()
    link.add_hook(Recorder('same', log))
    with Recorder('same', log):
        link(1)
    assert [e[1] for e in log].count('pre') == 1


def test_global_hooks_are_thread_local():
    hook = Recorder()
    link = Double()
    seen = []

    def run():
        seen.append(dict(link_hook._get_link_hooks()))
        link(1)

    with hook:
        t = threading.Thread(target=run)
        t.start()
        t.join()
    assert seen == [{}]
    assert [e[1] for e in hook.log] == ['added', 'deleted']


def test_hook_exceptions_propagate():
    class Bad(LinkHook):
        def forward_preprocess(self, args):
            raise ValueError('boom')

    link = Double().add_hook(Bad())
    with pytest.raises(ValueError, match='boom'):
        link(1)


def test_hook_with_variables():
    class Scale(Link):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.w = chainer.Parameter(numpy.ones(2, numpy.float32))

        def forward(self, x):
            return x * self.w

    hook = Recorder()
    link = Scale().add_hook(hook)
    y = link(chainer.Variable(numpy.array([1., 2.], numpy.float32)))
    assert hook.log[-1][3] is y


class _Kinds(LinkHook):
    def __init__(self, name, log):
        self.name, self.log = name, log

    def forward_preprocess(self, args):
        self.log.append(('pre', type(args.link).__name__))

    def forward_postprocess(self, args):
        self.log.append(('post', type(args.link).__name__))


class _Toggle(Link):
    """Enters or leaves ``hook`` (unbalanced) inside its forward."""

    def __init__(self, hook, enter):
        super().__init__()
        self.hook, self.enter = hook, enter

    def forward(self, x):
        if self.enter:
            self.hook.__enter__()
        else:
            self.hook.__exit__(None, None, None)
        return x


class _ToggleThenDouble(Chain):
    def __init__(self, hook, enter):
        super().__init__()
        with self.init_scope():
            self.t = _Toggle(hook, enter)
            self.d = Double()

    def forward(self, x):
        return self.d(self.t(x))


@pytest.mark.parametrize('local', [False, True])
@pytest.mark.parametrize('enter', [False, True])
def test_hook_toggled_inside_a_forward(local, enter):
    # Chainer iterated a live view of the thread's registry after the forward (a copy
    # made before it where the link has local hooks).
    log = []
    hook = _Kinds('late', log)
    link = _ToggleThenDouble(hook, enter)
    if local:
        link.add_hook(_Kinds('local', []))
    if not enter:
        hook.__enter__()
    link(1)
    if enter:
        hook.__exit__(None, None, None)
    expected = {  # Chainer 7.8.1's calls
        (True, False): [('post', '_Toggle'), ('pre', 'Double'), ('post', 'Double'),
                        ('post', '_ToggleThenDouble')],
        (True, True): [('post', '_Toggle'), ('pre', 'Double'), ('post', 'Double')],
        (False, False): [('pre', '_ToggleThenDouble'), ('pre', '_Toggle')],
        (False, True): [('pre', '_ToggleThenDouble'), ('pre', '_Toggle'),
                        ('post', '_ToggleThenDouble')],
    }[enter, local]
    assert log == expected
