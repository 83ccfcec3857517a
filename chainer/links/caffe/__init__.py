"""Reading Caffe models (needs the ``protobuf`` package when a model is read)."""
from chainer.links.caffe.caffe_function import CaffeFunction  # NOQA
