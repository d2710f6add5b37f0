"""Repair moves for data-vs-model faults (semantics/feeds.py findings).

On the side a human changes (calibrated on SFData's fix_side and ground truths):
- the data, at the call: a single sample gets its batch axis (`x[None]`); an
  array whose values fit the input's per-sample shape is reshaped
  (`np.reshape(x, (-1, 28, 28, 1))`);
- the model: the output layer's units, a Flatten before the first Dense that
  receives more than 2-D, the input shape (proposals' SetInputShape);
- the loss: sparse <-> categorical crossentropy for the label encoding.
Each move changes the IR (Model.feeds for data and loss), so the search's goal
test -- the checker, which re-checks layers, data and loss together -- verifies
it. A data move only reshapes an array the model is fed: it never replaces the
data by anything else.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass, replace

from ..diagnostics import fmt_shape
from ..ir import Layer, Model
from ..messages import Hint
from .edits import Edit, InsertLayer, SetArg

DATA_KINDS = ("data_shape_mismatch", "data_target_mismatch", "data_label_encoding", "data_sample_count")
_CHAIN = {"Activation", "Dropout", "Softmax", "ReLU", "LeakyReLU"}


def _feed_edit(model: Model, feed_i: int, ref_i: int, shape: tuple, how: str) -> Model:
    feed = model.feeds[feed_i]
    xs = list(feed.xs)
    xs[ref_i] = replace(xs[ref_i], shape=shape, rewrite=how)
    feeds = list(model.feeds)
    feeds[feed_i] = replace(feed, xs=tuple(xs))
    return replace(model, feeds=tuple(feeds))


@dataclass(frozen=True)
class ReshapeData(Edit):
    """Give array `ref` of feed `feed` the shape `new` at the call (`x[None]` or np.reshape)."""

    feed: int = 0
    ref: int = 0
    old: tuple = ()
    new: tuple = ()
    how: str = "reshape"  # "batch_axis" | "reshape"
    op: str = "data_reshape"

    def apply(self, model: Model) -> Model:
        return _feed_edit(model, self.feed, self.ref, self.new, self.how)

    def describe(self, model: Model) -> str:
        feed = model.feeds[self.feed]
        d = feed.xs[self.ref]
        name = f"`{d.name}`" if d.name else "the data"
        if self.how == "batch_axis":
            return f"{feed.method}(): give {name} its batch axis, {fmt_shape(self.old)} -> {fmt_shape(self.new)}"
        return f"{feed.method}(): reshape {name} {fmt_shape(self.old)} -> {fmt_shape(self.new)}"


@dataclass(frozen=True)
class SetLoss(Edit):
    """compile(loss=...) := `new` (a built-in loss name)."""

    old: str = ""
    new: str = ""
    op: str = "set_loss"

    def apply(self, model: Model) -> Model:
        from ..semantics.feeds import LossSpec

        feeds = []
        for f in model.feeds:
            loss = f.loss
            if isinstance(loss, LossSpec) and loss.name == self.old:
                loss = replace(loss, name=self.new, written=self.new)
            feeds.append(replace(f, loss=loss))
        return replace(model, feeds=tuple(feeds))

    def describe(self, model: Model) -> str:
        return f"compile(): change the loss '{self.old}' -> '{self.new}'"


def feeds_key(model: Model) -> tuple:
    """What data and loss edits change, hashable (part of the search's state key)."""
    return tuple(
        (tuple(x.shape if x.shape is None else tuple(x.shape) for x in f.xs), getattr(f.loss, "name", None))
        for f in model.feeds
    )


def propose(model: Model, result) -> list[Edit]:
    """Candidate edits for the data findings of `result` (empty when there are none)."""
    out: list[Edit] = []
    for d in result.errors:
        if d.kind not in DATA_KINDS or d.hint is None or d.hint.feed is None:
            continue
        if d.kind == "data_shape_mismatch" and d.hint.ref is not None:
            out.extend(_input_moves(model, d.hint))
        elif d.kind in ("data_target_mismatch", "data_label_encoding"):
            out.extend(_target_moves(model, result, d))
    return out


def _input_moves(model: Model, hint: Hint) -> list[Edit]:
    feed = model.feeds[hint.feed]
    ref = feed.xs[hint.ref]
    inp = next((i for i in model.inputs if i.id == hint.input), None)
    if inp is None or inp.shape is None or ref.shape is None or ref.source != "array" or ref.rewrite:
        return []  # only arrays passed at the call are rewritten (not generators, datasets, validation tuples)
    want = tuple(inp.shape)[1:]
    have = tuple(ref.shape)
    out: list[Edit] = []
    if len(have) == len(want) and all(w is None or h == w for h, w in zip(have, want)):
        out.append(
            ReshapeData(
                target=f"{inp.id}.data",
                feed=hint.feed,
                ref=hint.ref,
                old=have,
                new=(1,) + have,
                how="batch_axis",
                op="data_batch_axis",
            )
        )
        return out
    total = None if None in have else math.prod(d for d in have if d is not None)
    per = None if None in want else math.prod(d for d in want if d is not None)
    if total and per and total % per == 0:
        new = (total // per,) + want
        if new != have:
            out.append(ReshapeData(target=f"{inp.id}.data", feed=hint.feed, ref=hint.ref, old=have, new=new))
    return out


def _producer(model: Model, layer: Layer) -> Layer | None:
    if not layer.inputs:
        return None
    nid = layer.inputs[0].node
    return next((l for l in model.layers if l.id == nid), None)


def _target_moves(model: Model, result, d) -> list[Edit]:
    hint = d.hint
    target, pred, loss = tuple(hint.target), tuple(hint.pred or ()), hint.loss
    out: list[Edit] = []
    if d.kind == "data_label_encoding" and loss in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        new = "sparse_categorical_crossentropy" if loss == "categorical_crossentropy" else "categorical_crossentropy"
        out.append(SetLoss(target="compile.loss", old=loss, new=new))
    layer = next((l for l in model.layers if l.id == d.layer), None)
    while layer is not None and layer.kind in _CHAIN:
        layer = _producer(model, layer)
    if layer is None or not pred:
        return out
    sparse = loss == "sparse_categorical_crossentropy"
    want_rank = len(target) + (1 if sparse else 0)
    if layer.kind == "Dense" and len(pred) == want_rank and not sparse:
        units = target[-1] if len(target) == len(pred) else None
        if isinstance(units, int) and units > 0 and units != layer.args.get("units"):
            out.append(SetArg(target=layer.id, arg="units", old=layer.args.get("units"), new=units))
    known = None not in target[1:]  # a target of unknown width (to_categorical(y)) proves nothing about units
    if layer.kind == "Dense" and len(target) == len(pred) - 1 and known and not sparse and layer.args.get("units") != 1:
        out.append(SetArg(target=layer.id, arg="units", old=layer.args.get("units"), new=1))
    if len(pred) > want_rank:
        first = _first_dense_on_nd(model, result)
        if first is not None:
            out.append(InsertLayer(target=first.id, kind="Flatten", args=(), edge=0))
    return out


def _first_dense_on_nd(model: Model, result) -> Layer | None:
    """The first Dense reading a tensor of rank > 2 (where a Flatten is missing)."""
    for layer in model.layers:
        if layer.kind != "Dense" or not layer.inputs:
            continue
        e = layer.inputs[0]
        shapes = result.shapes.get(e.node)
        shape = shapes[e.index] if shapes and e.index < len(shapes) else None
        if shape is not None and len(shape) > 2:
            return layer
    return None


# ------------------------------------------------------------------ patch


def patch(p, original: Model, repaired: Model) -> None:
    """Write the data and loss changes of `repaired` into patcher `p` (patch.python.Patcher)."""
    from ..patch.python import PatchError

    done: set = set()
    from ..semantics.feeds import Feed

    for fo, fr in zip(original.feeds, repaired.feeds):
        if not isinstance(fo, Feed) or not isinstance(fr, Feed):
            continue
        for ro, rr in zip(fo.xs, fr.xs):
            if rr.rewrite is None or rr.shape == ro.shape:
                continue
            if rr.span is None or rr.span in done:
                raise PatchError("the data argument cannot be located")
            done.add(rr.span)
            start, end = p.src.span(rr.span)
            text = p.src.text[start:end]
            p.add(start, end, _rewrite(p.src.text, text, rr))
        lo, lr = fo.loss, fr.loss
        if getattr(lo, "name", None) != getattr(lr, "name", None) and lo is not None and lr is not None:
            if lo.span is None or lo.span in done:
                continue
            done.add(lo.span)
            start, end = p.src.span(lo.span)
            old = p.src.text[start:end]
            if not (old[:1] in "'\"" and old[-1:] == old[:1]):
                raise PatchError("the loss is not written as a string")
            p.add(start, end, f"{old[0]}{lr.name}{old[0]}")


def _rewrite(source: str, text: str, ref) -> str:
    from ..patch.python import PatchError

    simple = _is_primary(text)
    if ref.rewrite == "batch_axis":
        return f"{text}[None]" if simple else f"({text})[None]"
    alias = _numpy_alias(source)
    if alias is None:
        raise PatchError("numpy is not imported under a name")
    dims = ", ".join(str(d) for d in ref.shape[1:])
    return f"{alias}.reshape({text}, (-1, {dims}))"


def _is_primary(text: str) -> bool:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))


def _numpy_alias(source: str) -> str | None:
    m = re.search(r"^\s*import\s+numpy\s+as\s+(\w+)\s*$", source, re.M)
    if m:
        return m.group(1)
    if re.search(r"^\s*import\s+numpy\s*$", source, re.M):
        return "numpy"
    return None
