"""What the source and the data say about a model, before any edit: evidence the
search weighs and the proposals act on (shared by search.py and proposals.py, so
that neither imports the other).

legacy_slots  arguments a legacy_api note says Keras 3 probably misreads
fed_inputs    inputs whose declared shape matches the array fit()/predict() gets
fed_shapes    the per-sample shapes of the arrays fed to inputs declared otherwise
flagged       an edit a source finding (or the data) already points at
"""

from __future__ import annotations

from ..ir import Model
from .edits import Edit, SetInputShape


def fed_inputs(model: Model) -> frozenset:
    """Ids of inputs whose declared per-sample shape is exactly that of the array
    the program feeds them (Model.feeds, recorded by the Python frontend for
    fit/predict/evaluate calls): evidence that the input shape is right."""
    out = set()
    for feed in getattr(model, "feeds", ()) or ():
        xs = [r for r in getattr(feed, "xs", ()) or () if getattr(r, "role", "x") == "x"]
        if len(xs) != len(model.inputs) or getattr(feed, "x_struct", "single") == "dict":
            continue
        for inp, ref in zip(model.inputs, xs):
            shape = getattr(ref, "shape", None)
            if inp.shape is None or shape is None:
                continue
            body = tuple(shape)[1:]
            if len(body) == len(inp.shape) - 1 and all(d is not None for d in body) and body == tuple(inp.shape[1:]):
                out.add(inp.id)
    return frozenset(out)


def fed_shapes(model: Model) -> dict:
    """Input id -> the (None, ...) shape of the array the program feeds it
    (Model.feeds), for inputs declared with another per-sample shape: the data is
    evidence of what the input should be (a (3, 224, 224) input fed
    (n, 224, 224, 3) images is channels-first by mistake)."""
    out: dict = {}
    for feed in getattr(model, "feeds", ()) or ():
        xs = [r for r in getattr(feed, "xs", ()) or () if getattr(r, "role", "x") == "x"]
        if len(xs) != len(model.inputs) or getattr(feed, "x_struct", "single") == "dict":
            continue
        for inp, ref in zip(model.inputs, xs):
            shape = getattr(ref, "shape", None)
            if inp.shape is None or shape is None or len(tuple(shape)) < 2:
                continue
            body = tuple(shape)[1:]
            if all(isinstance(d, int) for d in body) and body != tuple(inp.shape[1:]):
                out.setdefault(inp.id, (None, *body))
    return out


def flagged(edit: Edit, legacy: frozenset, batch_inputs: frozenset, data: dict | None = None) -> bool:
    """An edit a source finding already points at: a legacy-misread argument,
    dropping the sample axis of an input shape written as `X.shape`, or an input
    shape set to exactly the per-sample shape of the data it is fed (`data`,
    from fed_shapes)."""
    if (edit.target, getattr(edit, "arg", None)) in legacy:
        return True
    if isinstance(edit, SetInputShape) and data and edit.new is not None:
        want = data.get(edit.target)
        if want is not None and tuple(edit.new)[1:] == want[1:]:
            return True
    if isinstance(edit, SetInputShape) and edit.target in batch_inputs and edit.old is not None:
        old, new = tuple(edit.old), tuple(edit.new)
        return len(old) >= 3 and new == old[:1] + old[2:]
    return False


def legacy_slots(model: Model) -> frozenset:
    """(layer, argument) pairs a legacy_api note says are probably misread
    (e.g. Convolution2D(32, 3, 3): the last 3 is read as strides by Keras 3)."""
    out = set()
    for n in model.notes:
        if getattr(n, "kind", None) != "legacy_api" or not n.layer:
            continue
        try:
            layer = model.node(n.layer)
        except KeyError:
            continue
        for arg in getattr(layer, "args", {}) or {}:
            if n.argument == arg or f"{arg}=" in (n.message or ""):
                out.add((layer.id, arg))
    return frozenset(out)
