"""Parametrized layers (``chainer.links``, usually imported as ``L``). Filled in by the model-layer work."""
