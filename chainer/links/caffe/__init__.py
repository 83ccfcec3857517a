"""Reading Caffe models (needs the ``protobuf`` package when a model is read)."""
from chainer.links.caffe import protobuf3  # NOQA
from chainer.links.caffe.caffe_function import CaffeFunction  # NOQA
