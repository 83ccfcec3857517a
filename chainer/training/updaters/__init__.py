"""Updaters (``chainer.training.updaters``). Filled in by the training work."""
