"""Classifier: wraps a predictor with a loss (and accuracy) for training."""
from __future__ import annotations

from typing import Any, Callable, Union

from chainer import link
from chainer import reporter
from chainer.functions.evaluation.accuracy import accuracy
from chainer.functions.loss.softmax_cross_entropy import softmax_cross_entropy


class Classifier(link.Chain):
    """Chain computing the loss (and accuracy) of a predictor against labels.

    Calling it with ``(*args, t)`` (the label's position is ``label_key``)
    computes ``y = predictor(*args)``, ``loss = lossfun(y, t)`` and, when
    :attr:`compute_accuracy` is True, ``accuracy = accfun(y, t)``; both are
    reported with :func:`chainer.report` under ``'loss'`` and
    ``'accuracy'``, and the loss is returned.

    Args:
        predictor (~chainer.Link): The model mapping inputs to predictions.
        lossfun: Loss function ``lossfun(y, t)``.
        accfun: Accuracy function ``accfun(y, t)``.
        label_key (int or str): Position (int) of the label among the
            positional arguments, or the name (str) of the keyword argument
            holding it.

    Attributes:
        compute_accuracy (bool): Whether to compute and report the accuracy.
        y: Prediction of the last call.
        loss: Loss of the last call.
        accuracy: Accuracy of the last call (None when not computed).
    """

    compute_accuracy = True

    def __init__(self, predictor: link.Link,
                 lossfun: Callable = softmax_cross_entropy,
                 accfun: Callable = accuracy,
                 label_key: Union[int, str] = -1) -> None:
        if not isinstance(label_key, (int, str)):
            raise TypeError(f'label_key must be int or str, but is {type(label_key)}')
        super().__init__()
        self.lossfun = lossfun
        self.accfun = accfun
        self.y = None
        self.loss = None
        self.accuracy = None
        self.label_key = label_key

        with self.init_scope():
            self.predictor = predictor

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Computes, reports and returns the loss of the predictor on the inputs."""
        label_key = self.label_key
        if isinstance(label_key, int):
            if not -len(args) <= label_key < len(args):
                raise ValueError(f'Label key {label_key} is out of bounds')
            t = args[label_key]
            if label_key == -1:
                args = args[:-1]
            else:
                index = label_key % len(args)
                args = args[:index] + args[index + 1:]
        else:
            if label_key not in kwargs:
                raise ValueError(f'Label key "{label_key}" is not found')
            t = kwargs.pop(label_key)

        self.y = None
        self.loss = None
        self.accuracy = None
        self.y = self.predictor(*args, **kwargs)
        self.loss = self.lossfun(self.y, t)
        reporter.report({'loss': self.loss}, self)
        if self.compute_accuracy:
            self.accuracy = self.accfun(self.y, t)
            reporter.report({'accuracy': self.accuracy}, self)
        return self.loss
