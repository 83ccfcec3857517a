"""Recurrent network links; each lives in its own module (see ``chainer.links``)."""
