"""The Chainer release whose API this package reproduces."""
__version__ = '7.8.1'
_optional_dependencies: list = []
