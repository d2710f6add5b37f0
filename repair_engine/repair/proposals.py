"""Candidate edits for a failing model: read from the diagnostics, plus local moves.

`propose(model, result)` looks at the first error (in topological order): its
kind, layer, argument, expected/actual and machine-readable `hint`, and the
shapes the checker computed, and returns the edits that could remove it. The
checker, not this module, decides which ones actually work.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from ..checker import CheckResult, check, input_shapes_of, root_inputs
from ..ir import InputNode, Layer, Model, is_unknown
from ..messages import Hint
from ..semantics.base import PLUMBING, RANK_FAMILIES, SAME_RANK_SIBLINGS
from .edits import (
    SPATIAL_ARGS,
    Cascade,
    Edit,
    InsertLayer,
    RemoveArg,
    RemoveLayer,
    RenameArg,
    ReplaceLayer,
    SetArg,
    SetInputShape,
    SetWeights,
    Unwrap,
    Wrap,
    consumers,
)
from .evidence import legacy_slots

# Rank families, same-rank siblings and plumbing are declared by the layer units (semantics).
RECURRENT = {"LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"}
DOWNSAMPLING_ARGS = ("strides", "pool_size")
UNIT_ARGS = ("units", "filters")

ANCESTOR_DEPTH = 3


def _pairs(d: dict) -> tuple:
    return tuple(sorted(d.items()))


def rank_of_kind(kind: str) -> int | None:
    for fam in RANK_FAMILIES:
        for r, k in fam.items():
            if k == kind:
                return r
    return None


def sibling_for_rank(kind: str, rank: int) -> str | None:
    for fam in RANK_FAMILIES:
        if kind in fam.values():
            return fam.get(rank)
    return None


def reshape_spatial_args(args: dict, n_spatial: int) -> dict:
    """Re-shape tuple-valued spatial arguments for a sibling with `n_spatial` axes."""
    out = dict(args)
    for name in SPATIAL_ARGS + ("padding", "cropping"):
        v = out.get(name)
        if isinstance(v, (tuple, list)) and not is_unknown(v):
            v = tuple(v)
            if len(v) > n_spatial:
                out[name] = v[0] if n_spatial == 1 and name in SPATIAL_ARGS else v[:n_spatial]
            elif len(v) < n_spatial and v:
                out[name] = v + (v[-1],) * (n_spatial - len(v))
    return out


def ancestors(model: Model, layer: Layer, depth: int = ANCESTOR_DEPTH) -> list[tuple[Layer, int]]:
    """Layers upstream of `layer` along input edges, with their hop distance (breadth-first)."""
    by_id = {l.id: l for l in model.layers}
    out: list[tuple[Layer, int]] = []
    frontier = [(e.node, 1) for e in layer.inputs]
    seen: set[str] = set()
    while frontier:
        nid, d = frontier.pop(0)
        if nid in seen or nid not in by_id or d > depth:
            continue
        seen.add(nid)
        anc = by_id[nid]
        out.append((anc, d))
        frontier.extend((e.node, d + 1) for e in anc.inputs)
    return out


def first_error(result: CheckResult):
    errors = model_errors(result)
    if not errors:
        return None
    order = {l.id: i for i, l in enumerate(result.model.layers)}
    return min(errors, key=lambda d: order.get(d.layer, len(order)))


def data_shape(diag) -> tuple | None:
    """The data's shape (batch axis None) that a data_shape_mismatch note reports."""
    if getattr(diag, "kind", None) != "data_shape_mismatch" or not isinstance(diag.actual, str):
        return None
    try:
        value = ast.literal_eval(diag.actual.strip())
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, tuple) and all(d is None or (isinstance(d, int) and d > 0) for d in value) and len(value) >= 2:
        return value
    return None


def data_fits(model: Model, diag) -> bool:
    """True when the first input now accepts the data the note describes."""
    want = data_shape(diag)
    if want is None or not model.inputs or model.inputs[0].shape is None:
        return False
    have = model.inputs[0].shape
    return len(have) == len(want) and all(h is None or h == w for h, w in zip(have[1:], want[1:]))


def _data_moves(model: Model, result: CheckResult) -> list[Edit]:
    out: list[Edit] = []
    for d in result.errors:
        want = data_shape(d)
        inp = model.inputs[0] if model.inputs else None
        if want is not None and inp is not None and inp.shape is not None and not data_fits(model, d):
            out.append(SetInputShape(target=inp.id, old=tuple(inp.shape), new=(inp.shape[0],) + tuple(want[1:])))
    return out


def model_errors(result: CheckResult) -> list:
    """Errors the model's edits can remove: notes fixed at extraction time (other
    than data mismatches, which depend on the input shape) are not counted."""
    notes = result.model.notes
    out = []
    for d in result.errors:
        if d in notes:
            if d.kind == "data_shape_mismatch" and data_shape(d) is not None and not data_fits(result.model, d):
                out.append(d)
            continue
        out.append(d)
    return out


def _legacy_moves(model: Model) -> list[Edit]:
    """Drop an argument a legacy_api note flags as misread (the stray positional)."""
    out: list[Edit] = []
    for lid, arg in sorted(legacy_slots(model)):
        try:
            layer = model.layer(lid)
        except KeyError:
            continue
        if arg in layer.args:
            out.append(RemoveArg(target=lid, arg=arg, old=layer.args[arg]))
    return out


# Finding kinds whose moves live in another module of this package: kind ->
# module name. Each module has `propose(model, result) -> [Edit]` and may have
# `patch(patcher, original, repaired)` writing its edits into Python source
# (called by patch.python.patch_model). Absent modules are skipped.
MOVERS: dict[str, str] = {
    "data_shape_mismatch": "data_moves",
    "data_target_mismatch": "data_moves",
    "data_label_encoding": "data_moves",
    "data_sample_count": "data_moves",
}
_MOVER_CACHE: dict[str, Any] = {}


def mover(name: str) -> Any:
    """The mover module `name` of this package, or None when it is not installed."""
    if name not in _MOVER_CACHE:
        import importlib

        try:
            _MOVER_CACHE[name] = importlib.import_module(f"{__package__}.{name}")
        except ImportError:
            _MOVER_CACHE[name] = None
        writer = getattr(_MOVER_CACHE[name], "patch", None)
        if writer is not None:
            from ..patch.python import register_writer

            register_writer(writer)
    return _MOVER_CACHE[name]


def extra_movers() -> list:
    return [m for m in (mover(n) for n in dict.fromkeys(MOVERS.values())) if m is not None]


def _table_moves(model: Model, result: CheckResult) -> list[Edit]:
    names = dict.fromkeys(MOVERS[d.kind] for d in result.errors if d.kind in MOVERS)
    out: list[Edit] = []
    for name in names:
        mod = mover(name)
        if mod is not None and hasattr(mod, "propose"):
            out.extend(mod.propose(model, result))
    return out


def propose(model: Model, result: CheckResult) -> list[Edit]:
    data = _data_moves(model, result) + _table_moves(model, result) + _legacy_moves(model)
    diag = first_error(result)
    if diag is None or diag.kind in MOVERS:
        return _dedupe(data)
    layer = None
    if diag.layer is not None:
        try:
            node = model.node(diag.layer)
            layer = node if isinstance(node, Layer) else None
        except KeyError:
            layer = None
    edits: list[Edit] = []
    if layer is not None:
        ins = input_shapes_of(layer, result.shapes)
        edits.extend(_from_hint(layer, diag))
        for move in KIND_MOVERS.get(diag.kind, ()):
            edits.extend(move(model, layer, ins, diag, result))
        edits.extend(_local_moves(model, layer, ins, diag))
    return _dedupe(data + edits)


def _dedupe(edits: Iterable[Edit]) -> list[Edit]:
    seen, out = set(), []
    for e in edits:
        k = repr(e)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out


# ---- hints ---------------------------------------------------------------


def _from_hint(layer: Layer, diag) -> list[Edit]:
    hint = diag.hint or Hint()
    arg = hint.arg or diag.argument
    if not arg or arg not in (layer.args or {}) and not (hint.has("value") or hint.values or hint.choices):
        return []
    old = layer.args.get(arg)
    values: list[Any] = []
    if hint.has("value"):
        values.append(hint.value)
    values.extend(hint.values)
    values.extend(hint.choices)
    alts: list[Edit] = []
    rename = hint.rename
    if isinstance(rename, str) and rename and arg in layer.args and rename not in layer.args:
        # a mistyped keyword: spelled right, value kept (before the removal: ties go to it)
        alts.append(RenameArg(target=layer.id, arg=arg, new_arg=rename, value=layer.args[arg]))
    if isinstance(hint.alternative, dict):
        # None is a value too (`activation=None`); only an unchanged argument is skipped
        alts.extend(
            SetArg(target=layer.id, arg=k, old=layer.args.get(k), new=v)
            for k, v in hint.alternative.items()
            if isinstance(k, str) and (k not in layer.args or layer.args[k] != v)
        )
    if hint.remove and arg in layer.args:
        alts.append(RemoveArg(target=layer.id, arg=arg, old=old))
    # a per-axis bound is applied by the size moves, which know every axis
    if hint.max is not None and not (hint.axis is not None and isinstance(old, (tuple, list))):
        values.append(_clamp(old, hi=hint.max))
    if hint.min is not None:
        values.append(_clamp(old, lo=hint.min))
    if hint.length is not None:
        values.append(_conform_len(old, hint.length))
    return [SetArg(target=layer.id, arg=arg, old=old, new=v) for v in values if v is not None and v != old] + alts


def _clamp(old: Any, lo: Any = None, hi: Any = None) -> Any:
    def one(v, lo1, hi1):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return lo1 if lo1 is not None else hi1
        if lo1 is not None and v < lo1:
            v = abs(v) if abs(v) >= lo1 else lo1
        if hi1 is not None and v > hi1:
            v = hi1
        return v

    if isinstance(old, (tuple, list)):
        n = len(old)
        los = lo if isinstance(lo, (tuple, list)) else (lo,) * n
        his = hi if isinstance(hi, (tuple, list)) else (hi,) * n
        return tuple(one(v, l, h) for v, l, h in zip(old, los, his))
    if isinstance(hi, (tuple, list)) or isinstance(lo, (tuple, list)):
        bounds = hi if isinstance(hi, (tuple, list)) else lo
        return tuple(
            one(
                old,
                lo if not isinstance(lo, (tuple, list)) else lo[i],
                hi if not isinstance(hi, (tuple, list)) else hi[i],
            )
            for i in range(len(bounds))
        )
    return one(old, lo, hi)


def _conform_len(old: Any, n: int) -> Any:
    if isinstance(old, (tuple, list)) and old:
        v = tuple(old)
        return v[:n] if len(v) >= n else v + (v[-1],) * (n - len(v))
    if isinstance(old, int):
        return (old,) * n
    return None


# ---- rank ----------------------------------------------------------------


def _need_ranks(diag, layer: Layer) -> tuple:
    need = (diag.hint or Hint()).need_rank
    if isinstance(need, int):
        return (need,)
    if isinstance(need, (tuple, list)) and need:
        return tuple(need)
    r = rank_of_kind(layer.kind)
    return (r,) if r else ()


def _rank(model: Model, layer: Layer, ins: list, diag) -> list[Edit]:
    hint = diag.hint or Hint()
    idx = hint.input if isinstance(hint.input, int) else 0
    s = ins[idx] if idx < len(ins) else None
    if s is None:
        return []
    got = len(s)
    needs = _need_ranks(diag, layer)
    out: list[Edit] = []
    # 1. a sibling of the failing layer that takes this rank (Conv2D -> Conv1D)
    sib = sibling_for_rank(layer.kind, got)
    if sib and sib != layer.kind:
        args = reshape_spatial_args(dict(layer.args), got - 2)
        out.append(ReplaceLayer(target=layer.id, new_kind=sib, new_args=_pairs(args), old_kind=layer.kind))
    # 2. a vector fed to a recurrent layer: repeated over the time steps the model
    # knows (the encoder-decoder RepeatVector), then the generic shape adapters
    if got == 2 and 3 in needs and layer.kind in RECURRENT:
        for n in _time_steps(model):
            out.append(InsertLayer(target=layer.id, edge=idx, kind="RepeatVector", args=(("n", n),)))
    for need in needs[:2]:
        out.extend(_adapters(layer.id, idx, s, need))
    # 3. upstream: return_sequences, a rank-reducing layer to remove
    for anc, _hops in ancestors(model, layer):
        if anc.kind in RECURRENT and any(n > got for n in needs) and not anc.args.get("return_sequences"):
            out.append(SetArg(target=anc.id, arg="return_sequences", old=anc.args.get("return_sequences"), new=True))
        if anc.kind in PLUMBING and len(consumers(model, anc.id)) == 1:
            out.append(RemoveLayer(target=anc.id, kind=anc.kind))
        if anc.kind in ("Reshape",) and any(n != got for n in needs):
            tgt = anc.args.get("target_shape")
            if isinstance(tgt, (tuple, list)) and not is_unknown(tgt):
                for need in needs[:2]:
                    out.extend(_reshape_to_rank(anc, tuple(tgt), need - 1))
    # 4. the corrected input shape the checker suggests: at the model input when
    # the layer reads it directly, else a Reshape right before the layer
    sugg = hint.suggest_shape
    if isinstance(sugg, (tuple, list)) and len(sugg) >= 2 and idx < len(layer.inputs):
        sugg = tuple(sugg)
        src = layer.inputs[idx].node
        inp = next((i for i in model.inputs if i.id == src), None)
        if inp is not None and inp.shape is not None and tuple(inp.shape) == tuple(s) and sugg != tuple(s):
            out.append(SetInputShape(target=inp.id, old=tuple(inp.shape), new=sugg))
        elif inp is None and None not in sugg[1:] and all(isinstance(d, int) and d > 0 for d in sugg[1:]):
            out.append(InsertLayer(target=layer.id, edge=idx, kind="Reshape", args=(("target_shape", sugg[1:]),)))
    # 5. the model input: add or drop axes
    for inp in root_inputs(model, layer):
        if inp.shape is None:
            continue
        for need in needs[:2]:
            out.extend(_input_rank_moves(inp, need - got))
    return out


def _time_steps(model: Model) -> list[int]:
    """Fixed sequence lengths of the model's 3-D inputs (what a RepeatVector repeats to)."""
    out: list[int] = []
    for inp in model.inputs:
        s = inp.shape
        if s is not None and len(s) == 3 and isinstance(s[1], int) and s[1] > 0 and s[1] not in out:
            out.append(s[1])
    return out[:2]


def _adapters(target: str, edge: int, s: tuple, need: int) -> list[Edit]:
    got = len(s)
    out: list[Edit] = []
    if got > need:
        if need == 2:
            out.append(InsertLayer(target=target, edge=edge, kind="Flatten"))
            gap = {3: "GlobalAveragePooling1D", 4: "GlobalAveragePooling2D", 5: "GlobalAveragePooling3D"}.get(got)
            if gap:
                out.append(InsertLayer(target=target, edge=edge, kind=gap))
        elif need >= 3 and None not in s[1:]:
            keep = s[1 : need - 1]
            rest = 1
            for d in s[need - 1 :]:
                rest *= d
            out.append(InsertLayer(target=target, edge=edge, kind="Reshape", args=(("target_shape", keep + (rest,)),)))
            lead = 1
            for d in s[1 : got - need + 2]:
                lead *= d
            alt = (lead,) + s[got - need + 2 :]
            if alt != keep + (rest,):
                out.append(InsertLayer(target=target, edge=edge, kind="Reshape", args=(("target_shape", alt),)))
    elif got < need and None not in s[1:]:
        out.append(
            InsertLayer(
                target=target, edge=edge, kind="Reshape", args=(("target_shape", tuple(s[1:]) + (1,) * (need - got)),)
            )
        )
    return out


def _reshape_to_rank(layer: Layer, tgt: tuple, n: int) -> list[Edit]:
    """Change a Reshape's target to `n` axes with the same element count."""
    if n <= 0 or len(tgt) == n or any(not isinstance(d, int) for d in tgt):
        return []
    if len(tgt) > n:
        rest = 1
        for d in tgt[n - 1 :]:
            rest *= d
        new = tgt[: n - 1] + (rest,)
    else:
        new = tgt + (1,) * (n - len(tgt))
    return [SetArg(target=layer.id, arg="target_shape", old=layer.args.get("target_shape"), new=new)]


def _input_rank_moves(inp: InputNode, delta: int) -> list[Edit]:
    assert inp.shape is not None  # callers skip unknown shapes
    s = tuple(inp.shape)
    out: list[tuple] = []
    if delta > 0:
        out.append(s + (1,) * delta)
        if delta == 1 and len(s) >= 2 and s[1] is not None:
            # a square image written with one side only: (28, 1) -> (28, 28, 1)
            out.append(s[:2] + (s[1],) + s[2:])
    elif delta < 0:
        k = -delta
        body = s[1:]
        if len(body) > k:
            out.append(s[:1] + body[k:])  # the batch axis was written into the shape
            ones = [i for i, d in enumerate(body) if d == 1]
            if len(ones) >= k:
                out.append(s[:1] + tuple(d for i, d in enumerate(body) if i not in ones[-k:]))
            out.append(s[:1] + body[:-k])
    return [
        SetInputShape(target=inp.id, old=s, new=n) for n in out if n != s and all(d is None or d > 0 for d in n[1:])
    ]


# ---- sizes -----------------------------------------------------------------


def _spatial(shape: tuple, data_format: Any) -> tuple:
    if data_format == "channels_first":
        return tuple(shape[2:])
    return tuple(shape[1:-1])


def _fit_values(old: Any, limits: tuple, dilation: Any = 1) -> Any:
    """Shrink a kernel/pool size so that it fits `limits` (one per spatial axis)."""
    n = len(limits)
    vals = tuple(old) if isinstance(old, (tuple, list)) else (old,) * n
    dil = tuple(dilation) if isinstance(dilation, (tuple, list)) else (dilation,) * n
    if len(vals) != n or any(not isinstance(v, int) for v in vals):
        return None
    new = []
    for v, lim, d in zip(vals, limits, dil):
        if lim is None or not isinstance(d, int) or d <= 0:
            new.append(v)
            continue
        mx = max((lim - 1) // d + 1, 1)
        new.append(min(v, mx))
    new_t = tuple(new)
    if isinstance(old, int) and len(set(new_t)) == 1:
        return new_t[0]
    return new_t


def _too_small(model: Model, layer: Layer, ins: list, diag, result: CheckResult) -> list[Edit]:
    out: list[Edit] = []
    s = ins[0] if ins else None
    fmt = layer.args.get("data_format")
    if s is not None:
        limits = _spatial(s, fmt)
        for arg in ("kernel_size", "pool_size"):
            if arg in layer.args or (arg == "pool_size" and "Pooling" in layer.kind):
                old = layer.args.get(arg, 2)
                new = _fit_values(old, limits, layer.args.get("dilation_rate", 1))
                if new is not None and new != old:
                    out.append(SetArg(target=layer.id, arg=arg, old=layer.args.get(arg), new=new))
                    # the largest fitting window can starve later layers: also the usual small ones
                    for small in (3, 2):
                        v = _fit_values(
                            small if isinstance(old, int) else (small,) * len(limits),
                            limits,
                            layer.args.get("dilation_rate", 1),
                        )
                        if v is not None and v != old and v != new:
                            out.append(SetArg(target=layer.id, arg=arg, old=layer.args.get(arg), new=v))
    if layer.args.get("padding", "valid") == "valid" and ("kernel_size" in layer.args or "Pooling" in layer.kind):
        out.append(SetArg(target=layer.id, arg="padding", old=layer.args.get("padding"), new="same"))
    out.extend(_zero_padding(layer, s, fmt))
    if "strides" in layer.args and layer.args.get("strides") not in (1, (1, 1), (1,), (1, 1, 1)):
        out.append(
            SetArg(target=layer.id, arg="strides", old=layer.args.get("strides"), new=_ones(layer.args["strides"]))
        )
    for anc, _hops in ancestors(model, layer):
        for arg in DOWNSAMPLING_ARGS:
            v = anc.args.get(arg)
            if arg == "strides" and v is not None and v != _ones(v) and not is_unknown(v):
                out.append(SetArg(target=anc.id, arg="strides", old=v, new=_ones(v)))
        if (
            anc.args.get("padding", "valid") == "valid"
            and ("kernel_size" in anc.args or "Pooling" in anc.kind)
            and "Global" not in anc.kind
        ):
            out.append(SetArg(target=anc.id, arg="padding", old=anc.args.get("padding"), new="same"))
        if "Pooling" in anc.kind and "Global" not in anc.kind and len(consumers(model, anc.id)) == 1:
            out.append(RemoveLayer(target=anc.id, kind=anc.kind))
    for inp in root_inputs(model, layer):
        out.extend(_channel_order_moves(inp))
    return out + _cascades(model, [e for e in out if isinstance(e, SetArg)], "non_positive_dim")


def _windowed(layer: Layer) -> bool:
    return "kernel_size" in layer.args or ("Pooling" in layer.kind and "Global" not in layer.kind)


def _same_fix(first: SetArg, layer: Layer, ins: list) -> Edit | None:
    """The fix `first` made, repeated at `layer` (values re-fitted to its input)."""
    arg = first.arg
    if arg == "padding":
        if _windowed(layer) and layer.args.get("padding", "valid") != first.new:
            return SetArg(target=layer.id, arg="padding", old=layer.args.get("padding"), new=first.new)
        return None
    if arg == "strides":
        v = layer.args.get("strides")
        if v is not None and not is_unknown(v) and v != _ones(v):
            return SetArg(target=layer.id, arg="strides", old=v, new=_ones(v))
        return None
    if arg in ("kernel_size", "pool_size") and ins and ins[0] is not None and _windowed(layer):
        name = "kernel_size" if "kernel_size" in layer.args else "pool_size"
        old = layer.args.get(name, 2)
        new = _fit_values(old, _spatial(ins[0], layer.args.get("data_format")), layer.args.get("dilation_rate", 1))
        if new is not None and new != old:
            return SetArg(target=layer.id, arg=name, old=layer.args.get(name), new=new)
    return None


def _cascades(model: Model, fixes: list, kind: str) -> list[Edit]:
    """For each fix: when the model it makes fails the same way further down,
    the same kind of fix there too, repeated while that holds (one Cascade).
    Bounded by the number of layers; each step is one checker run."""
    from .sites import call_groups, parts_of, to_site

    out: list[Edit] = []
    groups = call_groups(model)

    def at_site(e: Edit) -> Edit:
        # each step changes its source site, i.e. every layer that call creates
        # (a helper called N times is one step, not N)
        return to_site(model, e, groups) or e

    for first in fixes:
        parts = [first]
        try:
            m = at_site(first).apply(model)
            for _ in range(len(model.layers)):
                res = check(m)
                d = first_error(res)
                if d is None or d.kind != kind or d.layer is None:
                    break
                node = m.node(d.layer)
                if not isinstance(node, Layer) or any(q.target == node.id for p in parts for q in parts_of(at_site(p))):
                    break
                nxt = _same_fix(first, node, input_shapes_of(node, res.shapes))
                if nxt is None:
                    break
                parts.append(nxt)
                m = at_site(nxt).apply(m)
        except (MemoryError, RecursionError):
            raise
        except Exception:  # an odd candidate the checker cannot read: no cascade, other moves stay
            continue
        if len(parts) > 1:
            out.append(Cascade(target=first.target, parts=tuple(parts)))
    return out


def _zero_padding(layer: Layer, s: tuple | None, fmt: Any) -> list[Edit]:
    """Pad the input just enough for the window to fit (ZeroPadding1D/2D/3D before the layer)."""
    if s is None or fmt == "channels_first":
        return []
    limits = _spatial(s, fmt)
    n = len(limits)
    kind = {1: "ZeroPadding1D", 2: "ZeroPadding2D", 3: "ZeroPadding3D"}.get(n)
    window = layer.args.get("kernel_size", layer.args.get("pool_size", 2 if "Pooling" in layer.kind else None))
    if kind is None or window is None or is_unknown(window) or None in limits:
        return []
    w = tuple(window) if isinstance(window, (tuple, list)) else (window,) * n
    dil = layer.args.get("dilation_rate", 1)
    d = tuple(dil) if isinstance(dil, (tuple, list)) else (dil,) * n
    if len(w) != n or len(d) != n or not all(isinstance(x, int) for x in w + d):
        return []
    pads = tuple(max(0, -(-(dd * (k - 1) + 1 - lim) // 2)) for k, dd, lim in zip(w, d, limits))
    if not any(pads):
        return []
    value = pads[0] if n == 1 else pads
    return [InsertLayer(target=layer.id, edge=0, kind=kind, args=(("padding", value),))]


def _ones(v: Any) -> Any:
    if isinstance(v, (tuple, list)):
        return (1,) * len(v)
    return 1


def _channel_order_moves(inp: InputNode) -> list[Edit]:
    s = inp.shape
    if s is None or len(s) < 4:
        return []
    body = tuple(s[1:])
    cands = [body[1:] + body[:1], body[-1:] + body[:-1]]  # channels first -> last, and back
    return [SetInputShape(target=inp.id, old=tuple(s), new=(s[0],) + c) for c in cands if c != body]


# ---- arguments -------------------------------------------------------------


def _invalid_argument(layer: Layer, diag, ins: list) -> list[Edit]:
    arg = diag.argument
    if not arg:
        return []
    old = layer.args.get(arg)
    out: list[Any] = []
    if isinstance(old, float) and old.is_integer() and old > 0:
        out.append(int(old))
    if isinstance(old, int) and not isinstance(old, bool) and old <= 0:
        out.append(abs(old) if old < 0 else 1)
    if isinstance(old, (tuple, list)) and all(isinstance(v, int) for v in old):
        out.append(tuple(max(abs(v), 1) for v in old))
    return [SetArg(target=layer.id, arg=arg, old=old, new=v) for v in out if v != old]


def _reshape_size(layer: Layer, ins: list) -> list[Edit]:
    s = ins[0] if ins else None
    tgt = layer.args.get("target_shape")
    if s is None or None in s[1:] or not isinstance(tgt, (tuple, list)) or is_unknown(tgt):
        return []
    total = 1
    for d in s[1:]:
        total *= d
    tgt = tuple(tgt)
    out: list[tuple] = []
    for i in range(len(tgt)):
        rest = 1
        for j, d in enumerate(tgt):
            if j != i and isinstance(d, int) and d > 0:
                rest *= d
        if rest and total % rest == 0:
            fixed = tgt[:i] + (total // rest,) + tgt[i + 1 :]
            out.append(fixed)
    out.append(tuple(s[1:]))
    return [SetArg(target=layer.id, arg="target_shape", old=tgt, new=n) for n in out if n != tgt]


# ---- merges ----------------------------------------------------------------


def _merge(model: Model, layer: Layer, ins: list, result: CheckResult) -> list[Edit]:
    known = [s for s in ins if s is not None]
    if len(known) < 2:
        return []
    out: list[Edit] = []
    if "axis" in layer.args or layer.kind == "Concatenate":
        rank = len(known[0])
        old = layer.args.get("axis", -1)
        for ax in range(-1, -rank, -1):
            if ax != old and (rank + ax) != old:
                out.append(SetArg(target=layer.id, arg="axis", old=layer.args.get("axis"), new=ax))
    for ref_i, ref in enumerate(ins):
        if ref is None:
            continue
        for i, s in enumerate(ins):
            if i == ref_i or s is None or s == ref:
                continue
            # project the last axis, or reshape when the element counts agree
            if len(s) == len(ref) and s[:-1] == ref[:-1] and ref[-1] is not None:
                out.append(InsertLayer(target=layer.id, edge=i, kind="Dense", args=(("units", ref[-1]),)))
            if None not in s[1:] and None not in ref[1:] and _prod(s[1:]) == _prod(ref[1:]):
                out.append(
                    InsertLayer(target=layer.id, edge=i, kind="Reshape", args=(("target_shape", tuple(ref[1:])),))
                )
            src = model.node(layer.inputs[i].node) if i < len(layer.inputs) else None
            chain = [(src, 0)] if isinstance(src, Layer) else []
            if isinstance(src, Layer):
                chain += ancestors(model, src, depth=2)
            if len(s) == len(ref) and len(s) >= 4 and s[1:-1] != ref[1:-1]:
                # the spatial sizes differ: less downsampling on the smaller branch
                for anc, _ in chain:
                    v = anc.args.get("strides")
                    if v is not None and not is_unknown(v) and v != _ones(v):
                        out.append(SetArg(target=anc.id, arg="strides", old=v, new=_ones(v)))
                    if "kernel_size" in anc.args and anc.args.get("padding", "valid") == "valid":
                        out.append(SetArg(target=anc.id, arg="padding", old=anc.args.get("padding"), new="same"))
            if isinstance(src, Layer) and len(s) == len(ref) and s[:-1] == ref[:-1]:
                out.extend(_wrapper_moves(src, s[-1], ref[-1]))
            for anc, _ in chain:
                for a in UNIT_ARGS:
                    if a in anc.args and ref[-1] is not None and anc.args[a] != ref[-1]:
                        out.append(SetArg(target=anc.id, arg=a, old=anc.args[a], new=ref[-1]))
                        break
                else:
                    continue
                break
    return out


def _prod(dims) -> int:
    p = 1
    for d in dims:
        p *= d
    return p


# ---- weights ---------------------------------------------------------------


def _weights(layer: Layer, diag) -> list[Edit]:
    hint = diag.hint or Hint()
    expected, given = hint.expected_weights, hint.given_weights
    out: list[Edit] = []
    if layer.kind == "Embedding" and given and len(given[0]) == 2:
        rows, cols = given[0]
        if layer.args.get("input_dim") != rows:
            out.append(SetArg(target=layer.id, arg="input_dim", old=layer.args.get("input_dim"), new=rows))
        if layer.args.get("output_dim") != cols:
            out.append(SetArg(target=layer.id, arg="output_dim", old=layer.args.get("output_dim"), new=cols))
    elif given and given[0] and len(given[0]) >= 2:
        for a in UNIT_ARGS:
            if a in layer.args and layer.args[a] != given[0][-1]:
                out.append(SetArg(target=layer.id, arg=a, old=layer.args[a], new=given[0][-1]))
    if expected:
        out.append(
            SetWeights(
                target=layer.id, old=tuple(tuple(w) for w in (given or ())), new=tuple(tuple(w) for w in expected)
            )
        )
    return out


def _weights_input(model: Model, layer: Layer, diag) -> list[Edit]:
    """Supplied weights built for another input size (a shared or pretrained
    layer): project the input to that size, or declare the input that way."""
    hint = diag.hint or Hint()
    given, expected = hint.given_weights, hint.expected_weights
    if layer.kind != "Dense" or not given or not expected or len(given[0]) != 2 or len(expected[0]) != 2:
        return []
    want_in, have_in = given[0][0], expected[0][0]
    if want_in == have_in or not isinstance(want_in, int):
        return []
    out: list[Edit] = [InsertLayer(target=layer.id, edge=0, kind="Dense", args=(("units", want_in),))]
    if layer.inputs:
        try:
            out.extend(_wrapper_moves(model.node(layer.inputs[0].node), have_in, want_in))
        except KeyError:
            pass
    for inp in root_inputs(model, layer):
        if inp.shape is not None and len(inp.shape) >= 2 and inp.shape[-1] == have_in:
            out.append(SetInputShape(target=inp.id, old=tuple(inp.shape), new=tuple(inp.shape[:-1]) + (want_in,)))
    return out


def _undefined(model: Model, layer: Layer, ins: list, result: CheckResult) -> list[Edit]:
    out: list[Edit] = []
    for anc, _hops in ancestors(model, layer):
        if anc.kind == "Flatten":
            s = input_shapes_of(anc, result.shapes)[0] if anc.inputs else None
            if s is not None:
                gap = {3: "GlobalAveragePooling1D", 4: "GlobalAveragePooling2D", 5: "GlobalAveragePooling3D"}.get(
                    len(s)
                )
                if gap:
                    out.append(ReplaceLayer(target=anc.id, new_kind=gap, new_args=(), old_kind="Flatten"))
    return out


# ---- generic local moves ---------------------------------------------------


def _local_moves(model: Model, layer: Layer, ins: list, diag) -> list[Edit]:
    out: list[Edit] = []
    # a class of the wrong rank (MaxPooling1D given (2, 2) and a 4-D input)
    own = rank_of_kind(layer.kind)
    if own is not None:
        for rank in (3, 4, 5):
            sib = sibling_for_rank(layer.kind, rank)
            if sib and sib != layer.kind:
                args = reshape_spatial_args(dict(layer.args), rank - 2)
                out.append(ReplaceLayer(target=layer.id, new_kind=sib, new_args=_pairs(args), old_kind=layer.kind))
    # a batch size written into the input shape
    for inp in root_inputs(model, layer):
        if inp.shape is not None and len(inp.shape) >= 3:
            new = inp.shape[:1] + tuple(inp.shape[2:])
            out.append(SetInputShape(target=inp.id, old=tuple(inp.shape), new=new))
    for sib in SAME_RANK_SIBLINGS.get(layer.kind, ()):
        out.append(ReplaceLayer(target=layer.id, new_kind=sib, new_args=_pairs(dict(layer.args)), old_kind=layer.kind))
    if layer.kind in PLUMBING and len(layer.inputs) == 1 and len(consumers(model, layer.id)) <= 1:
        out.append(RemoveLayer(target=layer.id, kind=layer.kind))
    if layer.kind == "Bidirectional" and isinstance(layer.inner, Layer):
        out.append(Unwrap(target=layer.id, old_kind=layer.kind, new_kind=layer.inner.kind))
    return out


BIDIRECTIONAL_INNER = ("LSTM", "GRU", "SimpleRNN")


def _wrapper_moves(src: Any, have: Any, want: Any) -> list[Edit]:
    """A recurrent output of the wrong width: Bidirectional (concat) doubles the
    inner layer's units, so wrapping or unwrapping fixes a factor of two."""
    if not isinstance(src, Layer) or not isinstance(have, int) or not isinstance(want, int):
        return []
    if src.kind in BIDIRECTIONAL_INNER and want == 2 * have and src.args.get("units") == have:
        return [Wrap(target=src.id, kind="Bidirectional", old_kind=src.kind)]
    inner = src.inner
    if (
        src.kind == "Bidirectional"
        and isinstance(inner, Layer)
        and inner.kind in BIDIRECTIONAL_INNER
        and src.args.get("merge_mode", "concat") == "concat"
        and have == 2 * want
        and inner.args.get("units") == want
    ):
        return [
            SetArg(target=src.id, arg="merge_mode", old=src.args.get("merge_mode"), new="sum"),
            Unwrap(target=src.id, old_kind=src.kind, new_kind=inner.kind),
        ]
    return []


# The moves of each finding kind at its layer, one entry per kind (the moves of
# data findings live in other modules: MOVERS). Every mover takes
# (model, failing layer, its input shapes, the diagnostic, the check result).
KIND_MOVERS: dict[str, tuple] = {
    "rank_mismatch": (lambda m, l, ins, d, r: _rank(m, l, ins, d),),
    "non_positive_dim": (_too_small,),
    "invalid_argument": (lambda m, l, ins, d, r: _invalid_argument(l, d, ins),),
    "reshape_size": (lambda m, l, ins, d, r: _reshape_size(l, ins),),
    "merge_shape_mismatch": (lambda m, l, ins, d, r: _merge(m, l, ins, r),),
    "incompatible_shape": (lambda m, l, ins, d, r: _merge(m, l, ins, r),),
    "weight_shape": (lambda m, l, ins, d, r: _weights(l, d), lambda m, l, ins, d, r: _weights_input(m, l, d)),
    "undefined_dim": (lambda m, l, ins, d, r: _undefined(m, l, ins, r),),
}
