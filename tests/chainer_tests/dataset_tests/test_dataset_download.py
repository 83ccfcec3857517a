import multiprocessing
import os
import sys
import threading
import types
import urllib.error
import urllib.request

import pytest

from chainer import dataset
from chainer.dataset import download


@pytest.fixture
def root(tmp_path):
    original = dataset.get_dataset_root()
    dataset.set_dataset_root(str(tmp_path / 'root'))
    yield tmp_path / 'root'
    dataset.set_dataset_root(original)


def test_default_root_env():
    # The default root is computed at import time from CHAINER_DATASET_ROOT.
    assert isinstance(dataset.get_dataset_root(), str)


def test_set_and_get_root(root):
    assert dataset.get_dataset_root() == str(root)


def test_root_is_kept_as_given(root, tmp_path):
    # Chainer kept a path object as it was given; directories are made under it.
    dataset.set_dataset_root(tmp_path / 'p')
    assert dataset.get_dataset_root() == tmp_path / 'p'
    assert dataset.get_dataset_directory('d') == os.path.join(tmp_path / 'p', 'd')
    assert os.path.isdir(tmp_path / 'p' / 'd')


def test_get_dataset_directory(root):
    path = dataset.get_dataset_directory('a/b')
    assert path == os.path.join(str(root), 'a/b')
    assert os.path.isdir(path)
    path2 = dataset.get_dataset_directory('c', create_directory=False)
    assert not os.path.exists(path2)


def test_cached_download(root, tmp_path, monkeypatch):
    calls = []

    def fake(url, path):
        calls.append(url)
        with open(path, 'w') as f:
            f.write('payload ' + url)

    monkeypatch.setattr(download, '_urlretrieve', fake)
    path = dataset.cached_download('http://example.com/x')
    with open(path) as f:
        assert f.read() == 'payload http://example.com/x'
    assert path.startswith(os.path.join(str(root), '_dl_cache'))
    assert dataset.cached_download('http://example.com/x') == path
    assert calls == ['http://example.com/x']
    # no temporary directories are left behind
    left = [p for p in os.listdir(os.path.dirname(path)) if p not in (
        os.path.basename(path), '_dl_lock')]
    assert left == []


def test_cached_download_failure_leaves_nothing(root, monkeypatch):
    def fail(url, path):
        with open(path, 'w') as f:
            f.write('half')
        raise OSError('network down')

    monkeypatch.setattr(download, '_urlretrieve', fail)
    with pytest.raises(download.DownloadError, match='http://example.com/y'):
        dataset.cached_download('http://example.com/y')
    cache = os.path.join(str(root), '_dl_cache')
    assert sorted(os.listdir(cache)) == ['_dl_lock']


def test_download_errors_are_url_errors(root, tmp_path):
    # Chainer let urllib's URLError through; ours is one, naming the URL.
    missing = 'file://' + str(tmp_path / 'missing.bin')
    with pytest.raises(urllib.error.URLError, match='missing.bin') as info:
        dataset.cached_download(missing)
    assert isinstance(info.value, download.DownloadError)
    assert isinstance(info.value, OSError)
    assert str(info.value).startswith('could not download')
    # reason is urllib's own, as on the URLError Chainer let through
    assert isinstance(info.value.reason, FileNotFoundError)


def test_download_error_keeps_its_message_through_pickling():
    import pickle
    e = download.DownloadError('could not download u', ConnectionRefusedError(111, 'refused'))
    back = pickle.loads(pickle.dumps(e))
    assert str(back) == 'could not download u'
    assert isinstance(back.reason, ConnectionRefusedError)
    plain = download.DownloadError('no mirror worked')
    assert (str(plain), plain.reason) == ('no mirror worked', 'no mirror worked')


def test_cached_download_goes_through_urlretrieve(root, monkeypatch):
    def fake(url, path):
        with open(path, 'wb') as f:
            f.write(b'fake ' + url.encode())
        return path, None

    monkeypatch.setattr(urllib.request, 'urlretrieve', fake)
    with open(dataset.cached_download('http://example.invalid/z'), 'rb') as f:
        assert f.read() == b'fake http://example.invalid/z'


def _fake_six(retrieve):
    # The part of ``six`` Chainer's download went through: six.moves.urllib.request.
    six = types.ModuleType('six')
    six.moves = types.SimpleNamespace(
        urllib=types.SimpleNamespace(request=types.SimpleNamespace(urlretrieve=retrieve)))
    return six


def _writer(tag):
    def fake(url, path):
        with open(path, 'wb') as f:
            f.write(tag + b' ' + url.encode())
        return path, None
    return fake


def test_cached_download_goes_through_a_patched_six_urlretrieve(root, monkeypatch):
    # Chainer called six.moves.urllib.request.urlretrieve, which its tests (and
    # code copying them) patch to fake a download.
    monkeypatch.setitem(sys.modules, 'six', _fake_six(_writer(b'six')))
    with open(dataset.cached_download('http://example.invalid/s'), 'rb') as f:
        assert f.read() == b'six http://example.invalid/s'


def test_a_patched_urllib_urlretrieve_wins_over_an_unpatched_six(root, monkeypatch):
    # six caches the stock function on first use: a urllib patch made after
    # that still redirects the download.
    monkeypatch.setitem(sys.modules, 'six', _fake_six(urllib.request.urlretrieve))
    monkeypatch.setattr(urllib.request, 'urlretrieve', _writer(b'urllib'))
    with open(dataset.cached_download('http://example.invalid/u'), 'rb') as f:
        assert f.read() == b'urllib http://example.invalid/u'


def test_a_six_without_moves_is_ignored(root, monkeypatch):
    monkeypatch.setitem(sys.modules, 'six', types.ModuleType('six'))
    stock_like = _writer(b'urllib')  # passes for the stock function, so six is consulted
    stock_like.__module__, stock_like.__qualname__ = 'urllib.request', 'urlretrieve'
    monkeypatch.setattr(urllib.request, 'urlretrieve', stock_like)
    with open(dataset.cached_download('http://example.invalid/v'), 'rb') as f:
        assert f.read() == b'urllib http://example.invalid/v'


def test_cached_download_with_the_real_six_patched(root):
    pytest.importorskip('six')
    from unittest import mock
    with mock.patch('six.moves.urllib.request.urlretrieve', side_effect=_writer(b'mock')) as f:
        path = dataset.cached_download('https://example.com')
    assert f.call_count == 1 and f.call_args[0][0] == 'https://example.com'
    with open(path, 'rb') as fh:
        assert fh.read() == b'mock https://example.com'


def test_cache_or_load_file_creator_that_writes_nothing(root):
    path = os.path.join(dataset.get_dataset_directory('ds'), 'none.npz')
    with pytest.raises(FileNotFoundError, match='did not write'):
        dataset.cache_or_load_file(path, lambda p: 'content', lambda p: 'loaded')
    assert not os.path.exists(path)


def test_cache_or_load_file(root):
    path = os.path.join(dataset.get_dataset_directory('ds'), 'data.txt')
    made = []

    def creator(p):
        assert p != path and os.path.basename(p) == 'data.txt'
        with open(p, 'w') as f:
            f.write('hello')
        made.append(p)
        return 'created'

    def loader(p):
        with open(p) as f:
            return f.read()

    assert dataset.cache_or_load_file(path, creator, loader) == 'created'
    assert dataset.cache_or_load_file(path, creator, loader) == 'hello'
    assert len(made) == 1


def test_cache_or_load_file_crash_is_atomic(root):
    path = os.path.join(dataset.get_dataset_directory('ds'), 'data.txt')

    def creator(p):
        with open(p, 'w') as f:
            f.write('partial')
        raise RuntimeError('crash mid-write')

    with pytest.raises(RuntimeError, match='crash'):
        dataset.cache_or_load_file(path, creator, open)
    assert not os.path.exists(path)
    assert os.listdir(os.path.dirname(path)) == []


def _child_create(root, path, out):
    dataset.set_dataset_root(root)

    def creator(p):
        with open(p, 'w') as f:
            f.write(str(os.getpid()))
        return 'created'

    out.put(dataset.cache_or_load_file(path, creator, lambda p: 'loaded'))


def test_cache_or_load_file_concurrent(root):
    path = os.path.join(dataset.get_dataset_directory('ds'), 'x.txt')
    q = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_child_create, args=(str(root), path, q))
             for _ in range(3)]
    for p in procs:
        p.start()
    results = sorted(q.get(timeout=20) for _ in procs)
    for p in procs:
        p.join(10)
    assert results == ['created', 'loaded', 'loaded']


def _write(text):
    def creator(p):
        with open(p, 'w') as f:
            f.write(text)
        return 'created ' + text
    return creator


def _read(p):
    with open(p) as f:
        return 'loaded ' + f.read()


def test_cache_or_load_file_creator_hands_work_to_a_thread(root):
    # A creator whose helper thread makes another cached file: Chainer held its
    # lock only to rename, so this worked; a lock held across the creator for all
    # threads made the helper wait for its own caller.
    inner = os.path.join(dataset.get_dataset_directory('ds'), 'inner.txt')
    outer = os.path.join(dataset.get_dataset_directory('ds'), 'outer.txt')
    got = []

    def creator(p):
        helper = threading.Thread(
            target=lambda: got.append(dataset.cache_or_load_file(inner, _write('in'), _read)),
            daemon=True)
        helper.start()
        helper.join(10)
        return _write('out')(p)

    assert dataset.cache_or_load_file(outer, creator, _read) == 'created out'
    assert got == ['created in']


def test_cache_or_load_file_threads_make_a_file_once(root):
    path = os.path.join(dataset.get_dataset_directory('ds'), 'once.txt')
    made = []
    start = threading.Barrier(4)

    def creator(p):
        made.append(p)
        return _write('x')(p)

    results = []

    def load():
        start.wait(10)
        results.append(dataset.cache_or_load_file(path, creator, _read))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(made) == 1
    assert sorted(results) == ['created x'] + ['loaded x'] * 3


def test_cached_downloads_of_threads_run_together(root, monkeypatch):
    # Two URLs fetched by two threads at once, as under Chainer: the first
    # download, under way, waits for the second to start.
    first_started = threading.Event()
    second_started = threading.Event()

    def fake(url, path):
        if url.endswith('/a'):
            first_started.set()
            assert second_started.wait(10), 'the second download waited for the first'
        else:
            second_started.set()
        with open(path, 'w') as f:
            f.write(url)

    monkeypatch.setattr(download, '_urlretrieve', fake)
    paths = {}
    errors = []

    def fetch(url):
        try:
            paths[url] = dataset.cached_download(url)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=fetch, args=(f'http://example.com/{name}',))
               for name in 'ab']
    threads[0].start()
    assert first_started.wait(10)
    threads[1].start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert len(paths) == 2
    for url, path in paths.items():
        with open(path) as f:
            assert f.read() == url


def test_cache_or_load_file_root_is_a_file(tmp_path):
    # A file where the dataset root should be: RuntimeError as in Chainer (also an
    # OSError), and the creator never runs.
    blocker = tmp_path / 'root'
    blocker.write_text('')
    old = dataset.get_dataset_root()
    dataset.set_dataset_root(str(blocker))
    calls = []
    try:
        for error in (RuntimeError, OSError):
            with pytest.raises(error, match='cannot create dataset directory'):
                dataset.cache_or_load_file(str(tmp_path / 'out' / 'c.npz'),
                                           calls.append, calls.append)
    finally:
        dataset.set_dataset_root(old)
    assert calls == []
