"""Link hooks (``chainer.link_hooks``). Filled in by the model-layer work."""
