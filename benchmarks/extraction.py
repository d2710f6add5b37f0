"""Extraction benchmark for the Python-source frontend.

Reads ../shared/benchmarks/sfdata-keras (Stack Overflow Keras programs with
shape faults; see its README section 2 and manifest.json) and
../shared/benchmarks/keras-io-models (47 valid real-world models), runs the
static frontend + checker, and prints:

- how many programs had their models extracted completely / partially / not at all
- model-definition faults (fault_location == "model"): how many are detected,
  and how many at the manifest's faulty_line (a line of *_original.py; a finding
  in the runnable *_context.py counts when its line's text is that original
  line's text)
- data-vs-model faults (optional): detected when the data shape is static
- false alarms: errors on ground truths that Keras 3 constructs, and on the
  data-vs-model programs that Keras 3 runs without error
- keras-io coverage and false alarms

With --mutate: a mutation run over the keras-io extracts. Each mutant
changes one argument of one layer call (a width set to 0, the channels axis of
an Input dropped, a Reshape target grown by one, a kernel made larger than any
input); real Keras 3 builds every mutant (in a subprocess, model construction
only: the extracts are model code with data loading and training removed) and
labels it; the figure is how many of the mutants Keras rejects nnrepair
reports, and how many of those Keras accepts it flags (false alarms).

Usage: python benchmarks/extraction.py [--verbose] [--keras-sources] [--mutate [--per-file N]]
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from repair_engine.checker import check  # noqa: E402
from repair_engine.frontends import python_source  # noqa: E402

# ../shared/benchmarks from a checkout; ../../shared/benchmarks from a worktree under wt/
BENCH = next(
    (p for p in (ROOT.parent / "shared" / "benchmarks", ROOT.parent.parent / "shared" / "benchmarks") if p.is_dir()),
    ROOT.parent / "shared" / "benchmarks",
)


def analyse(path: Path) -> dict:
    """Load + check one file: errors with (line, related lines), and coverage."""
    result = python_source.load(str(path), path.read_bytes())
    errors = []
    layers = unchecked = 0
    unknown_input = False
    for m in result.models:
        res = check(m)
        layers += len(m.layers)
        unchecked += len(res.unchecked)
        unknown_input = unknown_input or any(i.shape is None for i in m.inputs)
        for d in res.errors:
            errors.append(
                {
                    "line": d.span.line if d.span else None,
                    "related": [r.span.line for r in d.related],
                    "kind": d.kind,
                    "message": d.message,
                }
            )
    warnings = [d.span.line for m in result.models for d in m.notes if d.kind == "legacy_api" and d.span]
    file_errors = [d.message for d in result.diagnostics if d.severity == "error"]
    # extraction coverage: a property of the IR the frontend produced
    if not result.models:
        coverage = "none"
    elif all(_fully_extracted(m) for m in result.models):
        coverage = "complete"
    else:
        coverage = "partial"
    # checker coverage: every layer evaluated (depends on the semantics written so far)
    checked = "none" if not layers or unchecked == layers else ("complete" if unchecked == 0 else "partial")
    return {
        "errors": errors,
        "coverage": coverage,
        "checked": checked,
        "models": len(result.models),
        "text": result.text or "",
        "legacy_lines": warnings,
        "file_errors": file_errors,
    }


def _false_alarms_on_ground_truth(errors: list, entry: dict) -> list:
    """The errors on a ground truth that Keras 3 constructs which Keras contradicts.

    A ground truth that constructs but then fails in fit/predict (the manifest's
    `keras3_ground_truth_runs: false`) is rightly flagged by a data-vs-model finding:
    only a model-definition error is false there."""
    if entry.get("keras3_ground_truth_runs", True):
        return errors
    return [err for err in errors if not err["kind"].startswith("data_")]


def _fully_extracted(model) -> bool:
    """Input shapes known or symbolic, only Keras layer classes, no unknown shape
    argument, no construct the frontend could not follow."""
    from repair_engine.frontends.python.evaluator import SHAPE_ARGS
    from repair_engine.frontends.python.signatures import SIGNATURES
    from repair_engine.ir import is_unknown
    from repair_engine.semantics.ops import OPS  # tensor ops (x + y, keras.ops.*) are modelled too

    # an input shape the code leaves open (a parameter, a model built by its data) is
    # followed as symbolic dimensions (semantics/dims.py): only an unfollowed one counts
    if any(i.shape is None and i.symbols is None for i in model.inputs):
        return False
    if any(d.kind == "unsupported_construct" for d in model.notes):
        return False
    for layer in model.layers:
        if layer.kind not in SIGNATURES and layer.kind not in OPS:
            return False
        if any(k in SHAPE_ARGS and is_unknown(v) for k, v in layer.args.items()):
            return False
    return True


def _norm(line: str) -> str:
    return "".join(line.split())


def lines_matching(context_text: str, original_text: str, line: int | None) -> set:
    """The original line(s) most similar to the context's `line` (the runnable
    context is the post's code lightly edited: `X.values.shape` -> `X.shape`...)."""
    if line is None:
        return set()
    ctx = context_text.split("\n")
    if not (1 <= line <= len(ctx)):
        return set()
    want = _norm(ctx[line - 1])
    if not want:
        return set()
    best, found = 0.0, set()
    for i, l in enumerate(original_text.split("\n")):
        ratio = difflib.SequenceMatcher(None, want, _norm(l)).ratio() if _norm(l) else 0.0
        if ratio > best + 1e-9:
            best, found = ratio, {i + 1}
        elif abs(ratio - best) <= 1e-9 and ratio > 0:
            found.add(i + 1)
    return found if best >= 0.7 else set()


def sfdata(verbose: bool) -> dict:
    root = BENCH / "sfdata-keras"
    manifest = json.loads((root / "manifest.json").read_text())
    cov = {"complete": 0, "partial": 0, "none": 0}
    model_faults = detected = at_line = at_line_primary = at_line_legacy = with_line = 0
    gt_alarms = gt_total = dvm_alarms = dvm_total = 0
    dvm_faults = {"input": 0, "output": 0}
    dvm_found = {"input": 0, "output": 0}
    rows = []
    for e in manifest:
        # the files Keras 3 was checked on: the runnable context, or a
        # construction-only extract where the context needs cv2 / downloads
        checked = e.get("keras3_checked_files") or {}
        ctx_path = BENCH / checked.get("original", e["files"]["context"])
        orig_path = BENCH / e["files"]["original"]
        gt_path = BENCH / checked.get("ground_truth", e["files"]["ground_truth"])
        ctx = analyse(ctx_path)
        orig = analyse(orig_path)
        cov[ctx["coverage"]] += 1
        if e.get("keras3_ground_truth_constructs"):
            gt_total += 1
            if _false_alarms_on_ground_truth(analyse(gt_path)["errors"], e):
                gt_alarms += 1
        if e["fault_location"] != "model":
            if e.get("keras3_outcome") == "runs_without_error":
                dvm_total += 1  # Keras 3 accepts these: any error is a false alarm
                if ctx["errors"]:
                    dvm_alarms += 1
            else:
                side = e.get("data_side") or "input"
                dvm_faults[side] += 1
                dvm_found[side] += bool(ctx["errors"])
                if verbose:
                    msg = ctx["errors"][0]["message"][:80] if ctx["errors"] else ""
                    print(f"  {e['id']:>9} data-vs-model/{side:<6} detected={bool(ctx['errors'])!s:<5} {msg}")
            continue
        model_faults += 1
        found = bool(ctx["errors"] or orig["errors"])
        detected += found
        fl = e.get("faulty_line")
        hit = hit_primary = False
        if fl is not None:
            with_line += 1
            orig_text = orig_path.read_text(errors="replace")
            for err in orig["errors"]:
                hit_primary |= err["line"] == fl
                hit |= err["line"] == fl or fl in err["related"]
            for err in ctx["errors"]:
                primary = lines_matching(ctx["text"], orig_text, err["line"])
                related = set().union(*[lines_matching(ctx["text"], orig_text, r) for r in err["related"]] or [set()])
                hit_primary |= fl in primary
                hit |= fl in primary or fl in related
            legacy_hit = fl in orig["legacy_lines"] or any(
                fl in lines_matching(ctx["text"], orig_text, w) for w in ctx["legacy_lines"]
            )
            at_line_legacy += found and (hit or legacy_hit)
        at_line += hit
        at_line_primary += hit_primary
        rows.append((e["id"], e["fault_kind"], found, fl, hit, (ctx["errors"] or orig["errors"] or [{}])[0]))
    if verbose:
        for r in rows:
            msg = r[5].get("message", "")[:90]
            print(
                f"  {r[0]:>9} {r[1]:<27} detected={str(r[2]):<5} faulty_line={str(r[3]):<5} at_line={r[4]!s:<5} {msg}"
            )
    return {
        "programs": len(manifest),
        "coverage": cov,
        "model_faults": model_faults,
        "detected": detected,
        "with_faulty_line": with_line,
        "at_line": at_line,
        "at_line_primary": at_line_primary,
        "at_line_legacy": at_line_legacy,
        "gt_alarms": gt_alarms,
        "gt_total": gt_total,
        "dvm_alarms": dvm_alarms,
        "dvm_total": dvm_total,
        "dvm_faults": dvm_faults,
        "dvm_found": dvm_found,
    }


def keras_io(verbose: bool) -> dict:
    root = BENCH / "keras-io-models"
    cov = {"complete": 0, "partial": 0, "none": 0}
    chk = {"complete": 0, "partial": 0, "none": 0}
    alarms = []
    files = sorted(root.glob("*.py"))
    for f in files:
        a = analyse(f)
        cov[a["coverage"]] += 1
        chk[a["checked"]] += 1
        alarms += [f"{f.name}:{x['line']} {x['message'][:100]}" for x in a["errors"]]
        if verbose:
            print(f"  {f.name:<58} extracted={a['coverage']:<8} checked={a['checked']:<8} models={a['models']}")
    return {"files": len(files), "coverage": cov, "checked": chk, "alarms": alarms}


def exais(verbose: bool) -> dict:
    """Static verdict vs the Keras 3 verdict recorded for exais-real-bugs/keras/specN.py."""
    manifest = json.loads((BENCH / "exais-real-bugs" / "manifest.json").read_text())
    agree = total = 0
    for e in manifest.get("entries", []):
        k = e.get("keras3") or {}
        path = BENCH / k.get("script", "")
        if not path.is_file():
            continue
        total += 1
        ours = bool(analyse(path)["errors"])
        agree += ours == bool(k.get("fails"))
        if verbose and ours != bool(k.get("fails")):
            print(f"  {path.name}: Keras {'fails' if k.get('fails') else 'builds'}, static {'error' if ours else 'ok'}")
    return {"agree": agree, "total": total}


def keras_sources() -> dict | None:
    """Keras' own sources and tests (valid code nobody on our team wrote): a second false-alarm corpus."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("keras")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0]) / "src"
    files = sorted(root.rglob("*.py"))
    models = sniffed = 0
    alarms = []
    for f in files:
        data = f.read_bytes()
        if not python_source.sniff(str(f), data):
            continue
        sniffed += 1
        a = analyse(f)
        models += a["models"]
        alarms += [f"{f.relative_to(root)}:{x['line']} {x['message'][:100]}" for x in a["errors"]]
    return {"files": len(files), "sniffed": sniffed, "models": models, "alarms": alarms}


# ---------------------------------------------------------------- mutations

_WIDTH_LAYERS = {
    "Dense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "LSTM",
    "GRU",
    "SimpleRNN",
    "Conv2DTranspose",
    "SeparableConv2D",
}
_KERNEL_LAYERS = {"Conv1D", "Conv2D", "Conv3D", "MaxPooling1D", "MaxPooling2D", "AveragePooling2D"}


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _never_run(tree: ast.AST) -> set:
    """Ids of the nodes inside module-level functions the file never refers to: Keras
    never executes them, so a mutant there cannot be labelled by running the file."""
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    out: set = set()
    for stmt in getattr(tree, "body", []):
        if isinstance(stmt, ast.FunctionDef) and stmt.name not in used:
            out |= {id(n) for n in ast.walk(stmt)}
    return out


def _mutation_sites(tree: ast.AST) -> list:
    """(operator, node to replace, replacement text) in source order, one kind of fault each,
    in code the file runs."""
    sites = []
    never_run = _never_run(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in never_run:
            continue
        name = _callee(node)
        first = node.args[0] if node.args else None
        if name in _WIDTH_LAYERS and isinstance(first, ast.Constant) and isinstance(first.value, int):
            sites.append(("width_0", first, "0"))
        if name in _KERNEL_LAYERS and len(node.args) >= (2 if name.startswith("Conv") else 1):
            k = node.args[1] if name.startswith("Conv") else node.args[0]
            sites.append(("kernel_9999", k, "9999"))
        for kw in node.keywords:
            if name == "Input" and kw.arg == "shape" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) >= 2:
                elts = kw.value.elts[:-1]
                sites.append(("input_drop_axis", kw.value, "(" + ", ".join(ast.unparse(e) for e in elts) + ",)"))
            if name == "Dense" and kw.arg == "units" and isinstance(kw.value, ast.Constant):
                sites.append(("width_0", kw.value, "0"))
        if name == "Reshape" and isinstance(first, ast.Tuple) and first.elts:
            e0 = first.elts[0]
            if isinstance(e0, ast.Constant) and isinstance(e0.value, int) and e0.value > 0:
                sites.append(("reshape_grow", e0, str(e0.value + 1)))
    sites.sort(key=lambda s: (s[1].lineno, s[1].col_offset))
    return sites


def _pick(sites: list, n: int) -> list:
    """Up to n sites, one of each operator first (spread over the file)."""
    chosen, kinds = [], set()
    for s in sites:
        if s[0] not in kinds:
            kinds.add(s[0])
            chosen.append(s)
    rest = [s for s in sites if s not in chosen]
    step = max(len(rest) // max(n - len(chosen), 1), 1) if rest else 1
    chosen += rest[::step][: max(n - len(chosen), 0)]
    return chosen[:n]


def _apply(text: str, node: ast.AST, new: str) -> str:
    lines = text.split("\n")
    i, j = node.lineno - 1, node.end_lineno - 1
    # columns are UTF-8 byte offsets in ast
    head = lines[i].encode()[: node.col_offset].decode(errors="replace")
    tail = lines[j].encode()[node.end_col_offset :].decode(errors="replace")
    return "\n".join(lines[:i] + [head + new + tail] + lines[j + 1 :])


_KERAS_LABELS = r"""
import json, os, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
import keras
out = []
for path in json.loads(sys.stdin.read()):
    try:
        exec(compile(open(path, encoding="utf-8").read(), path, "exec"), {"__name__": "__main__"})
        out.append(None)
    except BaseException as e:
        out.append(type(e).__name__ + ": " + str(e)[:100])
    keras.backend.clear_session()
print("RESULT" + json.dumps(out))
"""


LABEL_CHUNK = 16
CRASHED = "Crashed: the Keras process died (out of memory?)"


def keras_labels(paths: list, work: Path) -> list | None:
    """Keras' verdict on each mutant (None: builds), cached by content (Keras, not
    nnrepair, decides it). Chunks of a few mutants per process, so that one
    mutant that kills the process (memory) costs only its own label."""
    import hashlib
    import tempfile

    cache_path = Path(tempfile.gettempdir()) / "nnrepair-mutant-labels.json"
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    keys = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    todo = [i for i, k in enumerate(keys) if k not in cache]
    for start in range(0, len(todo), LABEL_CHUNK):
        chunk = todo[start : start + LABEL_CHUNK]
        got = _run_labeller([paths[i] for i in chunk], work)
        if got is None:  # one of them killed the process: one at a time
            got = [(_run_labeller([paths[i]], work) or [CRASHED])[0] for i in chunk]
        if got is None or len(got) != len(chunk):
            return None
        for i, label in zip(chunk, got):
            cache[keys[i]] = label
    try:
        cache_path.write_text(json.dumps(cache))
    except OSError:
        pass
    return [cache[k] for k in keys]


def _run_labeller(paths: list, work: Path) -> list | None:
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _KERAS_LABELS],
            input=json.dumps([str(p) for p in paths]),
            capture_output=True,
            text=True,
            timeout=1200,
            env=env,
            cwd=str(work),
        )
    except subprocess.TimeoutExpired:
        return None
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT")), None)
    return json.loads(line[len("RESULT") :]) if line is not None else None


def mutate(per_file: int, verbose: bool) -> dict:
    import tempfile

    root = BENCH / "keras-io-models"
    work = Path(tempfile.mkdtemp(prefix="nnrepair-mutants-"))
    mutants = []  # (file, operator, line, path)
    for f in sorted(root.glob("*.py")):
        text = f.read_text(encoding="utf-8")
        for k, (op, node, new) in enumerate(_pick(_mutation_sites(ast.parse(text)), per_file)):
            p = work / f"{f.stem}__{k}_{op}.py"
            p.write_text(_apply(text, node, new), encoding="utf-8")
            mutants.append((f.name, op, node.lineno, p))
    labels = keras_labels([m[3] for m in mutants], work)
    if labels is None:
        return {"error": "Keras could not be run to label the mutants"}
    rejected = detected = accepted = alarms = 0
    missed = []
    by_op: dict = {}
    unlabelled = 0
    for (name, op, lineno, path), label in zip(mutants, labels):
        if label is not None and label.startswith(("ResourceExhaustedError", "MemoryError", "Crashed")):
            unlabelled += 1  # Keras ran out of memory allocating the weights: says nothing about the shapes
            continue
        found = bool(analyse(path)["errors"])
        stats = by_op.setdefault(op, [0, 0])
        if label is not None:
            rejected += 1
            detected += found
            stats[0] += 1
            stats[1] += found
            if not found:
                missed.append(f"{name}:{lineno} {op} (Keras: {label[:80]})")
        else:
            accepted += 1
            alarms += found
        if verbose:
            print(
                f"  {path.name:<70} keras={'rejects' if label else 'builds':<8} nnrepair={'error' if found else 'ok'}"
            )
    return {
        "mutants": len(mutants),
        "rejected": rejected,
        "detected": detected,
        "accepted": accepted,
        "unlabelled": unlabelled,
        "alarms": alarms,
        "missed": missed,
        "by_op": by_op,
    }


def main() -> int:
    verbose = "--verbose" in sys.argv
    if not BENCH.is_dir():
        print(f"benchmarks folder {BENCH} absent; nothing to do")
        return 0
    t0 = time.monotonic()
    if (BENCH / "sfdata-keras").is_dir():
        s = sfdata(verbose)
        c = s["coverage"]
        print("sfdata-keras (runnable *_context.py programs)")
        print(f"  programs                         {s['programs']}")
        print(f"  extracted completely             {c['complete']}")
        print(f"  extracted partially              {c['partial']}")
        print(f"  not extracted                    {c['none']}")
        print(f"  model-definition faults          {s['model_faults']}")
        print(f"  detected                         {s['detected']}")
        print(f"  at faulty_line (error or related) {s['at_line']} of {s['with_faulty_line']} with a faulty_line")
        print(f"  at faulty_line (error line only) {s['at_line_primary']} of {s['with_faulty_line']}")
        print(
            f"  at faulty_line (also counting a legacy_api warning there) {s['at_line_legacy']}"
            f" of {s['with_faulty_line']}"
        )
        print(
            f"  false alarms on ground truths    {s['gt_alarms']} of {s['gt_total']} that Keras 3 constructs"
            " (a data finding on one whose fit fails in Keras 3 is not one)"
        )
        for side in ("input", "output"):
            print(
                f"  data-vs-model faults ({side:<6})    {s['dvm_found'][side]} detected of {s['dvm_faults'][side]} "
                "that fail at fit/predict in Keras 3"
            )
        print(f"  false alarms on programs Keras 3 runs without error {s['dvm_alarms']} of {s['dvm_total']}")
    if (BENCH / "keras-io-models").is_dir():
        k = keras_io(verbose)
        c = k["coverage"]
        print("keras-io-models (47 valid models)")
        print(f"  extracted completely             {c['complete']}")
        print(f"  extracted partially              {c['partial']}")
        print(f"  not extracted                    {c['none']}")
        k2 = k["checked"]
        print(
            f"  checker evaluated every layer    {k2['complete']} files, some layers {k2['partial']}, none {k2['none']}"
        )
        print(f"  false alarms (errors)            {len(k['alarms'])}")
        for a in k["alarms"]:
            print("    " + a)
    if (BENCH / "exais-real-bugs" / "manifest.json").is_file():
        x = exais(verbose)
        print("exais-real-bugs (Keras 3 scripts)")
        print(f"  static verdict = Keras 3 verdict {x['agree']} of {x['total']}")
    if "--keras-sources" in sys.argv:
        ks = keras_sources()
        if ks is not None:
            print("keras/src (installed Keras' own sources and tests)")
            print(f"  files {ks['files']}, sniffed {ks['sniffed']}, models {ks['models']}, errors {len(ks['alarms'])}")
            for a in ks["alarms"][:20]:
                print("    " + a)
    if "--mutate" in sys.argv and (BENCH / "keras-io-models").is_dir():
        per_file = int(sys.argv[sys.argv.index("--per-file") + 1]) if "--per-file" in sys.argv else 4
        mres = mutate(per_file, verbose)
        print(f"keras-io mutants (--mutate, up to {per_file} per file, labelled by Keras 3)")
        if "error" in mres:
            print("  Keras labelling failed: " + mres["error"])
        else:
            share = 100 * mres["detected"] / mres["rejected"] if mres["rejected"] else 0.0
            print(f"  mutants                          {mres['mutants']}")
            print(f"  not labelled (Keras out of memory allocating weights) {mres['unlabelled']}")
            print(f"  rejected by Keras                {mres['rejected']}")
            print(f"  detected by nnrepair             {mres['detected']} ({share:.1f}%)")
            print(f"  built by Keras, flagged (false alarms) {mres['alarms']} of {mres['accepted']}")
            for op, (n, d) in sorted(mres["by_op"].items()):
                print(f"    {op:<18} {d} of {n} rejected mutants detected")
            for m in mres["missed"]:
                print("    missed " + m)
    print(f"time {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
