"""Recurrent network functions; each lives in its own module (see ``chainer.functions``)."""
