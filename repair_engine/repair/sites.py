"""Edit sites: the search changes source text, not layer instances.

One layer call expression in the source can create many layers: a helper
function called N times, a loop body, a list comprehension, a shared layer
object called twice. One argument's value can come from a constant several
layers read. An edit proposed for one of those layers is really an edit of the
site that created it, so it is applied to every layer that site creates, and
its cost is counted once (`SiteEdit`). The candidate is valid only if every
instance is; the search size follows the number of sites.

A site is
  ("call", span)            the layer call expression (class changes, added
                            keywords, inserted/removed layers around it)
  ("arg", span)             one argument's value text at the call
  ("origin", span)          the constant or call argument the value came from,
                            when it is written as that name alone

An edit that only some instances need is kept only when its site belongs to
that instance alone (an argument passed at the helper's call site); when the
site is shared but the edit cannot be carried to every instance, it is dropped
(no source edit expresses it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..ir import Layer, Model, Span
from .edits import (
    Cascade,
    Edit,
    InsertLayer,
    RemoveArg,
    RemoveLayer,
    RenameArg,
    ReplaceLayer,
    SetArg,
    Unwrap,
    Wrap,
)

_ARG_OPS = (SetArg, RemoveArg, RenameArg)


@dataclass(frozen=True)
class SiteEdit(Edit):
    """One edit of a source site, carried to every layer the site creates.
    Priced, reported and written as its first part (the layer the diagnostic
    named); `parts` holds the same change for each instance."""

    parts: tuple = ()

    def __getattr__(self, name: str) -> Any:
        # arg/old/new/kind... of the representative edit (only called for missing attributes)
        if name.startswith("__") or name == "parts":
            raise AttributeError(name)
        return getattr(self.parts[0], name)

    def apply(self, model: Model) -> Model:
        local = {p.target: p for p in self.parts if isinstance(p, _LOCAL)}
        if len(local) == len(self.parts):
            # layer-local changes: one pass over the layers, not one per instance
            layers = tuple(_apply_local(local[l.id], l) if l.id in local else l for l in model.layers)
            if sum(l.id in local for l in model.layers) == len(local):
                return replace(model, layers=layers)
        for p in self.parts:
            model = p.apply(model)
        return model

    def describe(self, model: Model) -> str:
        first = self.parts[0].describe(model)
        return f"{first} (one source change, applied to the {len(self.parts)} layers it creates)"


_LOCAL = (SetArg, RemoveArg, RenameArg, ReplaceLayer)


def _apply_local(edit: Edit, layer: Layer) -> Layer:
    """What `edit.apply` does to its one layer."""
    if isinstance(edit, SetArg):
        return layer.with_args(**{edit.arg: edit.new})
    if isinstance(edit, RemoveArg):
        return layer.without_arg(edit.arg)
    if isinstance(edit, RenameArg):
        return layer.without_arg(edit.arg).with_args(**{edit.new_arg: edit.value})
    assert isinstance(edit, ReplaceLayer)
    return replace(layer, kind=edit.new_kind, args=dict(edit.new_args), written_kind=None)


def site_edit(parts: tuple) -> Edit:
    return parts[0] if len(parts) == 1 else SiteEdit(op=parts[0].op, target=parts[0].target, parts=parts)


def parts_of(edit: Edit) -> tuple:
    return edit.parts if isinstance(edit, SiteEdit) else (edit,)


def arg_site(layer: Layer, arg: str, text: str | None = None) -> tuple:
    """Where the text of `layer`'s argument `arg` lives."""
    src = layer.arg_sources.get(arg) if layer.arg_sources else None
    if src is None or src.span is None:
        return ("call", layer.span)
    if src.origin is not None and src.origin_name and _bare_name(text, src.span, src.origin_name):
        return ("origin", src.origin)
    return ("arg", src.span)


def _bare_name(text: str | None, span: Span, name: str) -> bool:
    """The value is written as the name alone (then the name's definition is the site)."""
    if text is None:
        return True
    from ..patch.python import PatchError, Source

    try:
        a, b = Source(text).span(span)
    except PatchError:
        return False
    return text[a:b].strip() == name


def call_groups(model: Model) -> dict:
    """Layer call span -> the layers created by that call expression."""
    groups: dict[Span, list[Layer]] = {}
    for l in model.layers:
        if l.span is not None:
            groups.setdefault(l.span, []).append(l)
    return groups


def instances(model: Model, layer: Layer, groups: dict | None = None) -> list[Layer]:
    if layer.span is None:
        return [layer]
    groups = groups if groups is not None else call_groups(model)
    return groups.get(layer.span, [layer])


def to_site(model: Model, edit: Edit, groups: dict, text: str | None = None, use_site: bool = False) -> Edit | None:
    """`edit` carried to every layer its site creates; None when it cannot be."""
    if isinstance(edit, Cascade):
        return _cascade_to_sites(model, edit, groups, text)
    try:
        node = model.node(edit.target)
    except KeyError:
        return edit
    if not isinstance(node, Layer):
        return edit
    same = instances(model, node, groups)
    if isinstance(edit, _ARG_OPS):
        site = arg_site(node, edit.arg, text)
        if site[0] == "origin" and not use_site:
            # a value passed through a name: every argument written as that name
            # reads the same definition (a shared constant, a helper's parameter)
            pairs = [(l, a) for l in model.layers for a in l.arg_sources if arg_site(l, a, text) == site]
        else:
            pairs = [(l, edit.arg) for l in same]
        if len(pairs) <= 1:
            return edit
        parts = []
        for l, a in pairs:
            p = _carry_arg(edit, node, l, a)
            if p is None:
                return None
            parts.append(p)
        return site_edit(tuple(parts))
    if len(same) == 1:
        return edit
    parts = []
    for l in same:
        p = _carry_layer(edit, node, l)
        if p is None:
            return None
        parts.append(p)
    return site_edit(tuple(parts))


def _carry_arg(edit: Any, rep: Layer, other: Layer, arg: str) -> Edit | None:
    """`edit` (a SetArg, RemoveArg or RenameArg of `rep`) made at `other`'s argument `arg`."""
    if other.id == rep.id and arg == edit.arg:
        return edit
    if isinstance(edit, SetArg):
        if (edit.arg in rep.args) != (arg in other.args):
            return None
        return SetArg(target=other.id, arg=arg, old=other.args.get(arg), new=edit.new)
    if arg != edit.arg:
        return None  # removing or renaming the keyword is an edit of each call, not of the name
    if isinstance(edit, RemoveArg):
        if arg not in other.args:
            return None
        return RemoveArg(target=other.id, arg=arg, old=other.args[arg])
    if isinstance(edit, RenameArg):
        if arg not in other.args:
            return None
        return RenameArg(target=other.id, arg=arg, new_arg=edit.new_arg, value=other.args[arg])
    return None


def _carry_layer(edit: Edit, rep: Layer, other: Layer) -> Edit | None:
    if other.id == rep.id:
        return edit
    if isinstance(edit, ReplaceLayer):
        # the same argument changes on the other instance's own arguments
        new = dict(edit.new_args)
        changed = {k: v for k, v in new.items() if rep.args.get(k, _NONE) != v}
        dropped = [k for k in rep.args if k not in new]
        args = {k: v for k, v in other.args.items() if k not in dropped}
        args.update(changed)
        if other.kind != rep.kind:
            return None
        return ReplaceLayer(
            target=other.id, new_kind=edit.new_kind, new_args=tuple(sorted(args.items())), old_kind=other.kind
        )
    if isinstance(edit, (Wrap, Unwrap)):
        return replace(edit, target=other.id)
    if isinstance(edit, InsertLayer):
        return replace(edit, target=other.id)
    if isinstance(edit, RemoveLayer):
        return replace(edit, target=other.id)
    return None


_NONE = object()


def _cascade_to_sites(model: Model, edit: Cascade, groups: dict, text: str | None) -> Edit | None:
    out: list[Edit] = []
    covered: set = set()
    for p in edit.parts:
        s = to_site(model, p, groups, text)
        if s is None:
            return None
        keys = {_key(q) for q in parts_of(s)}
        if keys <= covered:
            continue  # this instance already got the change with an earlier part's site
        covered |= keys
        out.append(s)
    if len(out) == 1:
        return out[0]
    return Cascade(target=out[0].target, parts=tuple(out))


def _key(edit: Edit) -> tuple:
    return (edit.target, edit.op, getattr(edit, "arg", None))


def site_moves(successors, text: str | None = None):
    """Wrap a proposal function so that every edit is an edit of its source site
    (`text`: the source, to tell a value written as a bare name)."""

    def moves(model: Model, result) -> list:
        groups = call_groups(model)
        shared = any(len(v) > 1 for v in groups.values()) or _shared_origins(model)
        edits = successors(model, result)
        if not shared:
            return edits
        out, seen = [], set()
        for e in edits:
            # the name's definition first (one change for every reader), then the
            # value written in at this call only
            for s in (to_site(model, e, groups, text), to_site(model, e, groups, text, use_site=True)):
                if s is None:
                    continue
                k = repr(s)
                if k not in seen:
                    seen.add(k)
                    out.append(s)
        return out

    return moves


def _shared_origins(model: Model) -> bool:
    seen: set = set()
    for l in model.layers:
        for a, src in (l.arg_sources or {}).items():
            if src.origin is not None and src.origin_name:
                k = (a, src.origin)
                if k in seen:
                    return True
                seen.add(k)
    return False
