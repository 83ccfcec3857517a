"""Parametrized layers (``chainer.links``, usually imported as ``L``)."""
from chainer.links.activation.maxout import Maxout  # NOQA
from chainer.links.activation.prelu import PReLU  # NOQA
from chainer.links.activation.swish import Swish  # NOQA
from chainer.links.connection.bilinear import Bilinear  # NOQA
from chainer.links.connection.embed_id import EmbedID  # NOQA
from chainer.links.connection.highway import Highway  # NOQA
from chainer.links.connection.linear import Linear  # NOQA
from chainer.links.connection.parameter import Parameter  # NOQA
from chainer.links.connection.simplified_dropconnect import SimplifiedDropconnect  # NOQA
from chainer.links.loss.black_out import BlackOut  # NOQA
from chainer.links.loss.crf1d import CRF1d  # NOQA
from chainer.links.loss.hierarchical_softmax import BinaryHierarchicalSoftmax  # NOQA
from chainer.links.loss.negative_sampling import NegativeSampling  # NOQA
from chainer.links.math.bias import Bias  # NOQA
from chainer.links.math.scale import Scale  # NOQA
from chainer.links.model.classifier import Classifier  # NOQA
from chainer.links.normalization.batch_normalization import BatchNormalization  # NOQA
