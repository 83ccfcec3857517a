"""Theano functions as links (see :class:`chainer.links.TheanoFunction`)."""
