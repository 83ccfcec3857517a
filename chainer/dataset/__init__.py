"""Dataset utilities (``chainer.dataset``). Filled in by the training work."""
