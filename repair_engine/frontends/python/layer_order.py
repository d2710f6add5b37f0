"""`model.layers` in the order Keras 3 lists a functional model's layers.

Keras (ops/function.py map_graph) does not list layers in creation order: it
walks the graph depth-first from the outputs, gives every layer its depth
(the longest path to an output) and lists layers by decreasing depth, ties
in the order the walk first met them. Creation order differs as soon as the
graph branches (three heads built one after the other are listed level by
level), and `model.layers[5]` then names another layer.
"""

from __future__ import annotations

from ...ir import InputNode


def keras_order(nodes: dict, outputs: list) -> list:
    """Node ids of the graph part that feeds `outputs` (node ids, in order),
    one per layer instance, in Keras' `model.layers` order."""
    postorder, first_seen = _walk(nodes, outputs)
    node_depth: dict = {}
    op_depth: dict = {}
    for nid in reversed(postorder):
        op = _operation(nodes, nid)
        depth = max(node_depth.setdefault(nid, 0), op_depth.get(op, 0))
        op_depth[op] = depth
        node_depth[nid] = depth
        for parent in _parents(nodes, nid):
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    first_node: dict = {}
    for nid in postorder:
        first_node.setdefault(_operation(nodes, nid), nid)
    ops = sorted(op_depth, key=lambda op: (-op_depth[op], first_seen[op]))
    return [first_node[op] for op in ops]


def _operation(nodes: dict, nid: str) -> str:
    n = nodes[nid]
    return nid if isinstance(n, InputNode) else getattr(n, "instance_id", None) or nid


def _parents(nodes: dict, nid: str) -> list:
    n = nodes[nid]
    if isinstance(n, InputNode):
        return []
    return [e.node for e in getattr(n, "inputs", ()) if e.node in nodes]


def _walk(nodes: dict, outputs: list) -> tuple:
    """(nodes in post-order, operation -> pre-order index), iteratively (deep chains)."""
    postorder: list = []
    first_seen: dict = {}
    finished: set = set()
    for out in outputs:
        if out not in nodes or out in finished:
            continue
        first_seen.setdefault(_operation(nodes, out), len(first_seen))
        stack = [(out, iter(_parents(nodes, out)))]
        on_stack = {out}
        while stack:
            nid, parents = stack[-1]
            nxt = next(parents, None)
            if nxt is None:
                stack.pop()
                on_stack.discard(nid)
                finished.add(nid)
                postorder.append(nid)
                continue
            if nxt in finished or nxt in on_stack:
                continue
            first_seen.setdefault(_operation(nodes, nxt), len(first_seen))
            on_stack.add(nxt)
            stack.append((nxt, iter(_parents(nodes, nxt))))
    return postorder, first_seen
