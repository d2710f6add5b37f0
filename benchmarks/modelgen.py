"""Random model generator over every layer kind that has semantics examples.

Arguments are drawn from the layer units' own EXAMPLES (valid and invalid
ones), lightly mutated, so that every supported layer and argument style is
exercised; input shapes are drawn near the shapes those examples accept, so
that a good share of the models is valid and the rest fail in varied ways.
Models are Sequential chains or functional graphs with branches and merges.
"""

from __future__ import annotations

import random
from collections import defaultdict

from repair_engine.checker import input_shapes_of, run_layer
from repair_engine.ir import Edge, InputNode, Layer, Model
from repair_engine.semantics import REGISTRY, all_examples

MERGE_KINDS = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}


def _pools():
    """kind -> list of (args, inner, input_shapes, list_call) from the examples."""
    single = defaultdict(list)
    multi = defaultdict(list)
    for _, ex in all_examples():
        if ex.kind not in REGISTRY or ex.weights is not None:
            continue
        entry = (dict(ex.args), ex.inner, [tuple(s) for s in ex.input_list], ex.called_with_list, ex.error is None)
        if len(ex.input_list) == 1 and not ex.called_with_list:
            single[ex.kind].append(entry)
        else:
            multi[ex.kind].append(entry)
    return dict(single), dict(multi)


def _mutate_value(rng: random.Random, v):
    if isinstance(v, bool) or not isinstance(v, (int, tuple, list)):
        return v
    if isinstance(v, int):
        if v <= 0 or rng.random() < 0.7:
            return v
        return max(1, v + rng.choice([-1, 1, 2]))
    if all(isinstance(x, int) and not isinstance(x, bool) for x in v) and rng.random() < 0.2:
        return type(v)(max(1, x + rng.choice([-1, 0, 1])) if x > 0 else x for x in v)
    return v


def _mutate_args(rng: random.Random, args: dict) -> dict:
    out = {}
    for k, v in args.items():
        # axis-like and shape-like arguments keep their meaning only unmutated
        if k in ("axis", "axes", "target_shape", "dims", "equation", "output_shape", "shared_axes", "attention_axes"):
            out[k] = v
        else:
            out[k] = _mutate_value(rng, v)
    return out


def _perturb_shape(rng: random.Random, shape: tuple) -> tuple:
    dims = list(shape)
    for i in range(1, len(dims)):
        if dims[i] is not None and rng.random() < 0.3:
            dims[i] = max(1, dims[i] + rng.choice([-2, -1, 1, 2, 3]))
        elif dims[i] is not None and rng.random() < 0.03:
            dims[i] = None
    return tuple(dims)


class Generator:
    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.single, self.multi = _pools()
        self.by_rank = defaultdict(list)
        for kind, entries in self.single.items():
            for e in entries:
                self.by_rank[len(e[2][0])].append((kind, e))
        self.all_single = [(k, e) for k, es in self.single.items() for e in es]
        self.merge_entries = [(k, e) for k, es in self.multi.items() if k in MERGE_KINDS for e in es if len(e[2]) == 2]
        self._n = 0

    def _pick_single(self, rank: int | None):
        """Mostly a layer whose valid examples take this rank; sometimes anything
        (including the arguments of invalid examples) so that failures stay varied."""
        rng = self.rng
        if rank is not None and self.by_rank.get(rank) and rng.random() < 0.9:
            pool = self.by_rank[rank]
            valid = [p for p in pool if p[1][4]]
            if valid and rng.random() < 0.9:
                return rng.choice(valid)
            return rng.choice(pool)
        return rng.choice(self.all_single)

    def _layer(self, kind: str, entry, inputs: tuple, list_input: bool = False) -> Layer:
        self._n += 1
        args, inner = entry[0], entry[1]
        inner_layer = None
        if inner is not None:
            inner_layer = Layer(id=f"inner_{self._n}", kind=inner[0], args=dict(inner[1]))
        return Layer(
            id=f"{kind.lower()}_{self._n}",
            kind=kind,
            args=_mutate_args(self.rng, args),
            inputs=inputs,
            inner=inner_layer,
            list_input=list_input,
        )

    def model(self, max_layers: int = 6) -> Model:
        rng = self.rng
        self._n = 0
        kind, entry = rng.choice(self.all_single)
        in_shape = _perturb_shape(rng, entry[2][0])
        inp = InputNode(id="input", shape=in_shape)
        layers: list[Layer] = []
        shapes: dict = {"input": [in_shape]}

        def add(lay: Layer) -> Edge:
            # our own shape of the new layer only steers the choice of the next
            # layer; the labels come from real Keras
            layers.append(lay)
            outs, _, _ = run_layer(lay, input_shapes_of(lay, shapes))
            shapes[lay.id] = outs
            return Edge(lay.id)

        def rank_of(e: Edge) -> int | None:
            s = shapes[e.node][e.index] if e.index < len(shapes[e.node]) else None
            return len(s) if s is not None else None

        current = add(self._layer(kind, entry, (Edge("input"),)))
        functional = rng.random() < 0.35
        n_layers = rng.randint(1, max_layers)
        for _ in range(n_layers - 1):
            if functional and self.merge_entries and rng.random() < 0.25:
                # branch: two short chains from `current`, merged
                a, b = current, current
                for _ in range(rng.randint(0, 1)):
                    k, e = self._pick_single(rank_of(a))
                    a = add(self._layer(k, e, (a,)))
                mk, me = rng.choice(self.merge_entries)
                current = add(self._layer(mk, me, (a, b), list_input=True))
                continue
            k, e = self._pick_single(rank_of(current))
            current = add(self._layer(k, e, (current,)))
        return Model(
            name="gen",
            inputs=(inp,),
            layers=tuple(layers),
            outputs=(current,),
            style="functional" if functional else "sequential",
        )


def generate(n: int, seed: int = 0, max_layers: int = 6) -> list[Model]:
    g = Generator(seed)
    return [g.model(max_layers) for _ in range(n)]
