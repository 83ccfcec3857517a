"""Message classes for Caffe's model files (the subset of ``caffe.proto`` Chainer reads)."""
