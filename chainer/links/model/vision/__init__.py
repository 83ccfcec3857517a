"""Pretrained image classifiers (VGG, ResNet, GoogLeNet) with Chainer's interface."""
