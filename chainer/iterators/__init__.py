"""Dataset iterators (``chainer.iterators``). Filled in by the training work."""
