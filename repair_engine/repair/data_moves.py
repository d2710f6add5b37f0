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
    ref = xs[ref_i]
    xs[ref_i] = replace(ref, shape=shape, rewrite=how)
    feeds = list(model.feeds)
    feeds[feed_i] = replace(feed, xs=tuple(xs))
    # a model built by this very call from the data (no input declared) is built from the new shape
    inputs = tuple(
        replace(i, shape=(None,) + tuple(shape[1:]))
        if i.declared_as == "data" and ref.span is not None and i.shape_span == ref.span
        else i
        for i in model.inputs
    )
    return replace(model, feeds=tuple(feeds), inputs=inputs)


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
class OneHotTargets(Edit):
    """Targets `ref` of feed `feed` (class indices) one-hot encoded at the call: to_categorical(y, n)."""

    feed: int = 0
    ref: int = 0
    classes: int = 0
    op: str = "data_reshape"

    def apply(self, model: Model) -> Model:
        feed = model.feeds[self.feed]
        ys = list(feed.ys)
        y = ys[self.ref]
        base = tuple(y.shape[:-1]) if len(y.shape) > 1 and y.shape[-1] == 1 else tuple(y.shape)
        ys[self.ref] = replace(y, shape=base + (self.classes,), rewrite="to_categorical")
        feeds = list(model.feeds)
        feeds[self.feed] = replace(feed, ys=tuple(ys))
        return replace(model, feeds=tuple(feeds))

    def describe(self, model: Model) -> str:
        d = model.feeds[self.feed].ys[self.ref]
        name = f"`{d.name}`" if d.name else "the targets"
        return f"{model.feeds[self.feed].method}(): one-hot encode {name} into {self.classes} classes"


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


@dataclass(frozen=True)
class SetMetric(Edit):
    """compile(metrics=[..., old, ...]): `old` := `new` (the metric that fits the targets' encoding)."""

    old: str = ""
    new: str = ""
    op: str = "set_loss"  # priced as a loss change: one compile() argument

    def apply(self, model: Model) -> Model:
        feeds = []
        for f in model.feeds:
            metrics = tuple(replace(m, name=self.new, written=self.new) if m.name == self.old else m for m in f.metrics)
            feeds.append(replace(f, metrics=metrics))
        return replace(model, feeds=tuple(feeds))

    def describe(self, model: Model) -> str:
        return f"compile(): change the metric '{self.old}' -> '{self.new}'"


# the metric of the other label encoding (one-hot <-> class indices)
_METRIC_TWIN = {
    "sparse_categorical_accuracy": "categorical_accuracy",
    "categorical_accuracy": "sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "sparse_top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy": "top_k_categorical_accuracy",
}


def feeds_key(model: Model) -> tuple:
    """What data and loss edits change, hashable (part of the search's state key)."""
    return tuple(
        (
            tuple(x.shape if x.shape is None else tuple(x.shape) for x in f.xs),
            getattr(f.loss, "name", None),
            tuple(m.name for m in f.metrics),
        )
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
        elif d.kind == "data_sample_count":
            out.extend(_count_moves(model, d.hint))
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


def _count_moves(model: Model, hint: Hint) -> list[Edit]:
    """N samples of x against a single target: x is one sample without its batch axis
    (a sequence of N steps, an image of N rows), so it gets one: x[None]."""
    feed = model.feeds[hint.feed]
    others = [d for d in feed.ys if d.shape and not d.batched]
    if not others or any(d.shape[0] != 1 for d in others):
        return []
    out: list[Edit] = []
    for i, ref in enumerate(feed.xs):
        if ref.source != "array" or ref.rewrite or ref.batched or not ref.shape or ref.shape[0] in (None, 1):
            continue
        have = tuple(ref.shape)
        new = (1,) + have
        out.append(
            ReshapeData(target="data", feed=hint.feed, ref=i, old=have, new=new, how="batch_axis", op="data_batch_axis")
        )
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
    twin = _METRIC_TWIN.get(hint.metric or "")
    if twin is not None:
        out.append(SetMetric(target="compile.metrics", old=hint.metric, new=twin))
    if d.kind == "data_label_encoding" and loss in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        new = "sparse_categorical_crossentropy" if loss == "categorical_crossentropy" else "categorical_crossentropy"
        out.append(SetLoss(target="compile.loss", old=loss, new=new))
        out.extend(_one_hot_moves(model, hint, loss, pred))
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


def _one_hot_moves(model: Model, hint: Hint, loss: str, pred: tuple) -> list[Edit]:
    """Class indices fed to categorical_crossentropy: to_categorical(y, classes) at the call."""
    if loss != "categorical_crossentropy" or hint.ref_y is None or not pred or not isinstance(pred[-1], int):
        return []
    y = model.feeds[hint.feed].ys[hint.ref_y]
    if y.role != "y" or y.source != "array" or y.batched or y.rewrite or not y.shape:
        return []
    return [OneHotTargets(target="data", feed=hint.feed, ref=hint.ref_y, classes=pred[-1])]


def _first_dense_on_nd(model: Model, result) -> Layer | None:
    """Where a Flatten is missing: the first Dense reading a tensor of rank > 2 that
    follows another kind of layer (the head after a conv/pool stack); in a model of
    Dense layers only, the output Dense (SFData's ground truths put it there)."""
    on_nd = []
    for layer in model.layers:
        if layer.kind != "Dense" or not layer.inputs:
            continue
        e = layer.inputs[0]
        shapes = result.shapes.get(e.node)
        shape = shapes[e.index] if shapes and e.index < len(shapes) else None
        if shape is not None and len(shape) > 2:
            on_nd.append(layer)
    for layer in on_nd:
        producer = _producer(model, layer)
        if producer is not None and producer.kind not in {"Dense"} | _CHAIN:
            return layer
    return on_nd[-1] if on_nd else None


# ------------------------------------------------------------------ patch


def patch(p, original: Model, repaired: Model) -> None:
    """Write the data and loss changes of `repaired` into patcher `p` (patch.python.Patcher)."""
    from ..patch.python import PatchError

    done: dict = {}  # span -> its new text
    from ..semantics.feeds import Feed

    for fo, fr in zip(original.feeds, repaired.feeds):
        if not isinstance(fo, Feed) or not isinstance(fr, Feed):
            continue
        for ro, rr in zip(fo.xs + fo.ys, fr.xs + fr.ys):
            if rr.rewrite is None or rr.shape == ro.shape:
                continue
            if rr.span is None:
                raise PatchError("the data argument cannot be located")
            start, end = p.src.span(rr.span)
            text = p.src.text[start:end]
            new = _rewrite(p.src.text, text, rr)
            if rr.span in done:
                if done[rr.span] != new:
                    raise PatchError("one data argument would be rewritten in two ways")
                continue
            done[rr.span] = new
            at_definition = _definition_edit(p.src, text, rr)
            if at_definition is not None:
                p.add(*at_definition)
                p.add(start, end, text)  # the call keeps its text (it marks the data as rewritten)
            else:
                p.add(start, end, new)
        for mo, mr in zip(fo.metrics, fr.metrics):
            if mo.name == mr.name or mo.span in done:
                continue
            if mo.span is None:
                raise PatchError("the metric is not written as a string in a list")
            start, end = p.src.span(mo.span)
            old = p.src.text[start:end]
            done[mo.span] = mr.name
            p.add(start, end, f"{old[0]}{mr.name}{old[0]}")
        lo, lr = fo.loss, fr.loss
        if getattr(lo, "name", None) != getattr(lr, "name", None) and lo is not None and lr is not None:
            if lo.span is None or lo.span in done:
                continue
            done[lo.span] = lr.name
            start, end = p.src.span(lo.span)
            old = p.src.text[start:end]
            if not (old[:1] in "'\"" and old[-1:] == old[:1]):
                raise PatchError("the loss is not written as a string")
            p.add(start, end, f"{old[0]}{lr.name}{old[0]}")


def _definition_edit(src, text: str, ref) -> tuple | None:
    """(start, end, text) inserting `x = x[None]` / `x = x.reshape(...)` after the module-level
    statement `x = ...` that defines the array fed as the bare name `x`, as a human writes it
    (SFData's ground truths); None when the call is the place: `x` is used or rebound anywhere
    else, is defined in another way, or in another scope."""
    name = text.strip()
    if ref.rewrite not in ("batch_axis", "reshape") or not name.isidentifier() or ref.origin is None:
        return None
    try:
        tree = ast.parse(src.text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    stmt = next((st for st in tree.body if _defines(st, name, ref.origin)), None)
    if stmt is None or _uses(tree, name) != 1 or _binds(tree, name) != 1:
        return None
    line_start = src.offset(stmt.lineno, 1)
    indent = src.text[line_start : line_start + stmt.col_offset]
    end = src.line_end(src.offset(stmt.end_lineno or stmt.lineno, 1))
    if ref.rewrite == "batch_axis":
        value = f"{name}[None]"
    else:
        alias = _numpy_alias(src.text)
        dims = ", ".join(str(d) for d in ref.shape[1:])
        value = f"{alias}.reshape({name}, (-1, {dims}))" if alias else f"{name}.reshape(-1, {dims})"
    newline = src.newline() if hasattr(src, "newline") else "\n"
    lead = "" if src.text[:end].endswith(("\n", "\r")) else newline  # the last line may have no newline
    return end, end, f"{lead}{indent}{name} = {value}{newline if not lead else ''}"


def _defines(stmt, name: str, origin) -> bool:
    """`name = <value>` whose value starts where the data's definition was read."""
    return (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and stmt.targets[0].id == name
        and stmt.value.lineno == origin.line
        and stmt.value.col_offset + 1 == origin.col
    )


def _uses(tree, name: str) -> int:
    return sum(1 for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))


def _binds(tree, name: str) -> int:
    stores = sum(
        1 for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)
    )
    args = sum(1 for n in ast.walk(tree) if isinstance(n, ast.arg) and n.arg == name)
    return stores + args


def _rewrite(source: str, text: str, ref) -> str:
    simple = _is_primary(text)
    if ref.rewrite == "to_categorical":
        fn = _to_categorical_name(source)
        if fn is None:
            from ..patch.python import PatchError

            raise PatchError("keras is not imported under a name")
        return f"{fn}({text}, {ref.shape[-1]})"
    if ref.rewrite == "batch_axis":
        return f"{text}[None]" if simple else f"({text})[None]"
    dims = ", ".join(str(d) for d in ref.shape[1:])
    alias = _numpy_alias(source)
    if alias is None:  # an ndarray (Python lists are never rewritten): its own method
        return f"{text if simple else '(' + text + ')'}.reshape(-1, {dims})"
    return f"{alias}.reshape({text}, (-1, {dims}))"


def _is_primary(text: str) -> bool:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))


def _to_categorical_name(source: str) -> str | None:
    """How this file can call keras.utils.to_categorical."""
    if re.search(r"^\s*from\s+(tensorflow\.)?keras\.utils\s+import\s+[^#\n]*\bto_categorical\b", source, re.M):
        return "to_categorical"
    if re.search(r"^\s*(import\s+keras\s*$|from\s+tensorflow\s+import\s+keras\s*$)", source, re.M):
        return "keras.utils.to_categorical"
    m = re.search(r"^\s*import\s+tensorflow\s+as\s+(\w+)\s*$", source, re.M)
    if m:
        return f"{m.group(1)}.keras.utils.to_categorical"
    return None


def _numpy_alias(source: str) -> str | None:
    m = re.search(r"^\s*import\s+numpy\s+as\s+(\w+)\s*$", source, re.M)
    if m:
        return m.group(1)
    if re.search(r"^\s*import\s+numpy\s*$", source, re.M):
        return "numpy"
    return None
