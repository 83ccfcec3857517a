"""Running compiled Theano functions in a Chainer graph (see ``chainer.links.TheanoFunction``)."""
