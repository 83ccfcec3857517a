"""Static-graph optimisations: record a chain's computation once and replay it."""
from chainer.graph_optimizations import static_graph_utilities  # NOQA: F401
from chainer.graph_optimizations.static_graph_utilities import static_code  # NOQA: F401
