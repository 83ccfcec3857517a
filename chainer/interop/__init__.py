"""Bridges to other frameworks (``chainer.interop.torch``: PyTorch, an optional extra).

Submodules are imported on demand so that ``import chainer`` never imports them.
"""
