import io
import os
import pickle
import zipfile

import numpy
import pytest

from chainer import datasets


@pytest.fixture
def images(tmp_path):
    PIL = pytest.importorskip('PIL')
    from PIL import Image
    del PIL
    rgb = numpy.arange(2 * 3 * 3, dtype=numpy.uint8).reshape(2, 3, 3)
    gray = numpy.arange(6, dtype=numpy.uint8).reshape(2, 3) * 10
    Image.fromarray(rgb).save(tmp_path / 'rgb.png')
    Image.fromarray(gray).save(tmp_path / 'gray.png')
    return tmp_path, rgb, gray


def test_image_dataset(images):
    root, rgb, gray = images
    ds = datasets.ImageDataset(['rgb.png', 'gray.png'], root=str(root))
    assert len(ds) == 2
    x = ds[0]
    assert x.dtype == numpy.float32 and x.shape == (3, 2, 3)
    numpy.testing.assert_array_equal(x, rgb.transpose(2, 0, 1))
    g = ds[1]
    assert g.shape == (1, 2, 3)
    numpy.testing.assert_array_equal(g[0], gray)
    listing = root / 'list.txt'
    listing.write_text('rgb.png\ngray.png\n')
    ds = datasets.ImageDataset(str(listing), root=str(root), dtype=numpy.uint8)
    assert ds[1].dtype == numpy.uint8 and len(ds) == 2


def test_labeled_image_dataset(images):
    root, rgb, gray = images
    ds = datasets.LabeledImageDataset([('rgb.png', 3), ('gray.png', 1)], root=str(root))
    x, t = ds[0]
    assert x.shape == (3, 2, 3) and t.dtype == numpy.int32 and int(t) == 3
    (root / 'pairs.txt').write_text('rgb.png 0\ngray.png 7\n')
    ds = datasets.LabeledImageDataset(str(root / 'pairs.txt'), root=str(root),
                                      label_dtype=numpy.int64)
    assert ds[1][1] == 7 and ds[1][1].dtype == numpy.int64
    (root / 'bad.txt').write_text('rgb.png 0 extra\n')
    with pytest.raises(ValueError, match='line 0'):
        datasets.LabeledImageDataset(str(root / 'bad.txt'))
    (root / 'bad_label.txt').write_text('rgb.png 0\ngray.png cat\n')
    with pytest.raises(ValueError, match=r"invalid label at line 1 in file .*bad_label.txt.*'cat'"):
        datasets.LabeledImageDataset(str(root / 'bad_label.txt'))
    ds = datasets.LabeledImageDataset([('missing.png', 0)], root=str(root))
    with pytest.raises(FileNotFoundError, match='missing.png'):
        ds[0]


def test_zipped_image_datasets(images):
    root, rgb, gray = images
    z1 = root / 'a.zip'
    with zipfile.ZipFile(z1, 'w') as zf:
        zf.writestr('dir/', '')
        zf.write(root / 'rgb.png', 'dir/rgb.png')
        zf.write(root / 'gray.png', 'gray.png')
    z2 = root / 'b.zip'
    with zipfile.ZipFile(z2, 'w') as zf:
        zf.write(root / 'gray.png', 'g2.png')
    ds = datasets.ZippedImageDataset(str(z1))
    assert len(ds) == 2
    numpy.testing.assert_array_equal(ds[0], rgb.transpose(2, 0, 1))
    assert ds[1].shape == (1, 2, 3)
    # picklable (reopened lazily)
    ds2 = pickle.loads(pickle.dumps(ds))
    numpy.testing.assert_array_equal(ds2[1], ds[1])
    multi = datasets.MultiZippedImageDataset([str(z1), str(z2)])
    assert len(multi) == 3
    numpy.testing.assert_array_equal(multi[2][0], gray)
    numpy.testing.assert_array_equal(multi[-1], multi[2])
    with pytest.raises(IndexError, match=r'\(3 for length 3\)'):
        multi[3]
    with pytest.raises(IndexError, match=r'\(-4 for length 3\)'):
        multi[-4]
    labels = root / 'labels.txt'
    labels.write_text('dir/rgb.png 4\ngray.png 2\n')
    lz = datasets.LabeledZippedImageDataset(str(z1), str(labels))
    x, t = lz[0]
    assert x.shape == (3, 2, 3) and int(t) == 4 and t.dtype == numpy.int32


def test_zipped_image_datasets_open_the_zip_file_when_made(tmp_path):
    # As in Chainer: the label file is read, then the zip file opened, then the
    # dtype checked, so a missing file is reported first and at construction.
    labels = tmp_path / 'labels.txt'
    labels.write_text('a.png 1\n')
    missing = str(tmp_path / 'none.zip')
    with pytest.raises(FileNotFoundError):
        datasets.LabeledZippedImageDataset(missing, str(labels))
    with pytest.raises(FileNotFoundError):
        datasets.ZippedImageDataset(missing, dtype='no such dtype')
    with pytest.raises(FileNotFoundError):
        datasets.LabeledZippedImageDataset(missing, str(tmp_path / 'none.txt'))
    bad = tmp_path / 'bad.zip'
    bad.write_bytes(b'PK\x03\x04garbage')
    with pytest.raises(zipfile.BadZipFile):
        datasets.LabeledZippedImageDataset(str(bad), str(labels), dtype='no such dtype')


def test_text_dataset(tmp_path):
    p1 = tmp_path / 'a.txt'
    p2 = tmp_path / 'b.txt'
    p1.write_text('hello\nworld\n\nlast')
    p2.write_text('1\n2\n3\n4\n')
    ds = datasets.TextDataset(str(p1))
    assert len(ds) == 4
    assert ds[0] == 'hello\n' and ds[2] == '\n' and ds[3] == 'last'
    assert ds[1:3] == ['world\n', '\n']
    assert ds[-1] == 'last' and ds[-4] == 'hello\n'  # Chainer raised IndexError
    both = datasets.TextDataset([str(p1), str(p2)])
    assert both[1] == ('world\n', '2\n')
    filtered = datasets.TextDataset([str(p1), str(p2)],
                                    filter_func=lambda a, b: a.strip() != '')
    assert len(filtered) == 3 and filtered[2] == ('last', '4\n')
    clone = pickle.loads(pickle.dumps(filtered))
    assert clone[0] == ('hello\n', '1\n')
    filtered.close()
    with pytest.raises(ValueError, match='closed'):  # as in Chainer
        filtered[0]
    # A copy pickled after close() opens its files again, as Chainer's did.
    assert pickle.loads(pickle.dumps(filtered))[1] == ('world\n', '2\n')
    (tmp_path / 'c.txt').write_text('x\n')
    with pytest.raises(ValueError, match='same number of lines'):
        datasets.TextDataset([str(p1), str(tmp_path / 'c.txt')])


def test_text_dataset_filters_rows_as_it_reads_them(tmp_path):
    # As in Chainer, filter_func sees each row while the files are read, so its
    # error comes before a difference in line counts is found further on.
    p1 = tmp_path / 'a.txt'
    p2 = tmp_path / 'b.txt'
    p1.write_text('1\n2\n3\n')
    p2.write_text('x\ny\n')
    seen = []

    def keep(a, b):
        seen.append((a, b))
        return True

    with pytest.raises(ValueError, match=r'b\.txt ended after 2 lines'):
        datasets.TextDataset([str(p1), str(p2)], filter_func=keep)
    assert seen == [('1\n', 'x\n'), ('2\n', 'y\n')]
    with pytest.raises(ZeroDivisionError):
        datasets.TextDataset([str(p1), str(p2)], filter_func=lambda a, b: 1 / 0)


def test_text_dataset_encoding(tmp_path):
    p = tmp_path / 'u.txt'
    p.write_bytes('caf\u00e9\nna\u00efve\n'.encode('latin-1'))
    ds = datasets.TextDataset(str(p), encoding='latin-1')
    assert ds[1] == 'na\u00efve\n'


def test_pickle_dataset_roundtrip(tmp_path):
    path = str(tmp_path / 'data.pkl')
    with datasets.open_pickle_dataset_writer(path) as writer:
        for i in range(5):
            writer.write((numpy.full(3, i), {'label': i}))
        writer.flush()
    with datasets.open_pickle_dataset(path) as ds:
        assert len(ds) == 5
        x, y = ds[3]
        numpy.testing.assert_array_equal(x, [3, 3, 3])
        assert y == {'label': 3}
        assert [e[1]['label'] for e in ds[::2]] == [0, 2, 4]
        clone = pickle.loads(pickle.dumps(ds))
        assert clone[4][1] == {'label': 4}


def test_pickle_dataset_file_objects_and_protocol():
    buf = io.BytesIO()
    writer = datasets.PickleDatasetWriter(buf, protocol=2)
    writer.write('a')
    writer.write([1, 2])
    ds = datasets.PickleDataset(io.BytesIO(buf.getvalue()))
    assert len(ds) == 2 and ds[1] == [1, 2]


def test_pickle_dataset_does_not_unpickle_on_open():
    class Boom:
        def __reduce__(self):
            return (os.abort, ())

    buf = io.BytesIO()
    pickle.dump(Boom(), buf)
    ds = datasets.PickleDataset(io.BytesIO(buf.getvalue()))  # must not run os.abort
    assert len(ds) == 1


def test_pickle_dataset_refuses_a_reader_without_random_access():
    class Stream(io.RawIOBase):
        def readable(self):
            return True

    with pytest.raises(ValueError, match='random access'):
        datasets.PickleDataset(Stream())


def test_pickle_dataset_writer_flush_without_a_flush_method():
    # As in Chainer, flush() is a no-op for a writer object that cannot flush.
    class Sink:
        def __init__(self):
            self.buf = io.BytesIO()

        def tell(self):
            return self.buf.tell()

        def write(self, data):
            return self.buf.write(data)

    sink = Sink()
    writer = datasets.PickleDatasetWriter(sink)
    writer.write(7)
    writer.flush()
    assert len(datasets.PickleDataset(io.BytesIO(sink.buf.getvalue()))) == 1


def test_pickle_dataset_corrupt(tmp_path):
    # UnpicklingError, as Chainer raised, for garbage and for a cut last record.
    with pytest.raises(pickle.UnpicklingError, match='corrupt'):
        datasets.PickleDataset(io.BytesIO(b'\x80\x05garbage'))
    buf = io.BytesIO()
    datasets.PickleDatasetWriter(buf).write([1, 2, 3])
    path = tmp_path / 'cut.pkl'
    path.write_bytes(buf.getvalue()[:-3])
    with pytest.raises(pickle.UnpicklingError, match='at byte 0'):
        datasets.open_pickle_dataset(str(path))


def test_pickle_dataset_closed(tmp_path):
    path = str(tmp_path / 'data.pkl')
    with datasets.open_pickle_dataset_writer(path) as writer:
        writer.write(1)
    with datasets.open_pickle_dataset(path) as ds:
        assert ds[0] == 1
    with pytest.raises(ValueError, match='closed'):
        ds[0]


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='needs fork')
def test_pickle_dataset_calls_after_fork_of_its_reader_in_a_forked_child(tmp_path):
    import multiprocessing
    buf = io.BytesIO()
    datasets.PickleDatasetWriter(buf).write('x')
    marker = tmp_path / 'child-pid'

    class Reader(io.BytesIO):
        def after_fork(self):
            marker.write_text(str(os.getpid()))

    ds = datasets.PickleDataset(Reader(buf.getvalue()))
    assert not marker.exists()
    child = multiprocessing.get_context('fork').Process()
    child.start()
    child.join()
    assert marker.read_text() == str(child.pid)
    assert ds[0] == 'x'
    # A reader without the hook is fine too.
    ds = datasets.PickleDataset(io.BytesIO(buf.getvalue()))
    child = multiprocessing.get_context('fork').Process()
    child.start()
    child.join()
    assert child.exitcode == 0


def test_pickle_dataset_file_reader_after_fork_reopens_the_file(tmp_path):
    path = str(tmp_path / 'data.pkl')
    with datasets.open_pickle_dataset_writer(path) as writer:
        writer.write(1)
        writer.write(2)
    with datasets.open_pickle_dataset(path) as ds:
        reader = ds._reader
        old = reader._fp
        reader.seek(5)
        reader.after_fork()
        assert old.closed and reader._fp is not old and reader.tell() == 0
        assert ds[1] == 2 and ds[0] == 1


def test_image_import_error_message(monkeypatch):
    import sys
    from chainer.datasets import image_dataset
    monkeypatch.setattr(image_dataset, '_Image', None)
    monkeypatch.setitem(sys.modules, 'PIL', None)
    with pytest.raises(ImportError, match='pip install pillow'):
        datasets.ImageDataset([])
    with pytest.raises(ImportError, match='Pillow'):
        datasets.LabeledZippedImageDataset('x.zip', 'y.txt')


def test_text_dataset_one_file_in_a_list_gives_strings_and_per_file_encodings(tmp_path):
    p1 = tmp_path / 'a.txt'
    p2 = tmp_path / 'b.txt'
    p1.write_bytes('caf\u00e9\n'.encode('latin-1'))
    p2.write_bytes('caf\u00e9\n'.encode('utf-16'))
    assert datasets.TextDataset([str(p1)], encoding='latin-1')[0] == 'caf\u00e9\n'
    both = datasets.TextDataset([str(p1), str(p2)], encoding=['latin-1', 'utf-16'])
    assert both[0] == ('caf\u00e9\n', 'caf\u00e9\n')
    with pytest.raises(ValueError, match='encoding'):
        datasets.TextDataset([str(p1), str(p2)], encoding=['latin-1'])


def test_chainer_module_names():
    from chainer.datasets import fashion_mnist, image_dataset, kuzushiji_mnist, mnist
    from chainer.datasets import pickle_dataset
    for module in (mnist, fashion_mnist, kuzushiji_mnist):
        assert callable(module.make_npz) and callable(module.preprocess_mnist)
    assert isinstance(image_dataset.available, bool)
    assert pickle_dataset._FileReader is not None
    labels = datasets.get_fashion_mnist_labels()
    assert isinstance(labels, list) and labels[9] == 'Ankle boot'
