"""Exporters writing Chainer models in the formats of other frameworks."""
