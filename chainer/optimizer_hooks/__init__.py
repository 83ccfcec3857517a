"""Optimizer hooks (``chainer.optimizer_hooks``). Filled in by the model-layer work."""
