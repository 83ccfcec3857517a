"""Exporters writing Chainer models in the formats of other frameworks."""
from chainer.exporters import caffe  # NOQA
