"""Serializers (``chainer.serializers``). Filled in by the model-layer work."""
