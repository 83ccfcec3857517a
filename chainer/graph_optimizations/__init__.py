"""Static-graph optimisations (Chainer's experimental ``static_graph``)."""
