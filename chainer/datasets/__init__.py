"""Dataset classes and loaders (``chainer.datasets``). Filled in by the training work."""
