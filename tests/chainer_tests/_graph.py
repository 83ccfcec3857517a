"""The nodes of a computational graph, for tests of what a derivative builds."""
from __future__ import annotations

from typing import Any


def graph_nodes(*variables: Any) -> list:
    """Every FunctionNode that the graphs of ``variables`` (None skipped) reach
    through their inputs, each once."""
    seen: dict = {}
    stack = [v.creator_node for v in variables if v is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(vn.creator_node for vn in node.inputs)
    return list(seen.values())
