"""Trainer extensions (``chainer.training.extensions``). Filled in by the training work."""
