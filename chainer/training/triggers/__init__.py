"""Trainer triggers (``chainer.training.triggers``). Filled in by the training work."""
