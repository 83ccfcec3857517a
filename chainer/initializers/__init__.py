"""Array initializers (``chainer.initializers``). Filled in by the model-layer work."""
