"""Optimizers (``chainer.optimizers``). Filled in by the model-layer work."""
