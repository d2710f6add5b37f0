"""Repair benchmark: random mutations, the 16 ExAIS real bugs, SFData model faults.

    python benchmarks/repair.py [--n 500] [--seed 0] [--no-keras] [--only random|exais|sfdata]

(a) random suite (benchmarks/mutations.py): share repaired and verified with
    real Keras (oracle.build of the repaired IR), median/p95 repair time, mean
    repair cost versus the cost of undoing the injected faults (the undo is
    itself a valid repair, so a minimal search never costs more), share of
    repairs that keep the original output shape.
(b) ExAIS real bugs (../shared/benchmarks/exais-real-bugs, specN.json through
    the ExAIS spec frontend; keras/specN.py through the Python frontend for the
    source patch), and SFData model faults (../shared/benchmarks/sfdata-keras,
    fault_location == "model", the runnable *_context.py through the Python
    frontend): repaired, verified, and whether the fix lands on a line the
    ground truth changes.
Benchmarks are read in place and skipped when absent.
"""

from __future__ import annotations

import argparse
import difflib
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.mutations import generate_suite  # noqa: E402
from repair_engine.checker import check  # noqa: E402
from repair_engine.repair import fix_file, repair_model  # noqa: E402
from repair_engine.repair.cost import CostModel  # noqa: E402
from repair_engine.repair.proposals import first_error  # noqa: E402
from repair_engine.repair.search import hops  # noqa: E402


def shared_benchmarks() -> Path:
    """The shared benchmark sets: $NNREPAIR_SHARED_BENCHMARKS, /work/shared/benchmarks
    (worktrees live in /work/wt/<name>), or ../shared/benchmarks next to the repo."""
    import os

    for cand in (os.environ.get("NNREPAIR_SHARED_BENCHMARKS"), "/work/shared/benchmarks"):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return ROOT.parent / "shared" / "benchmarks"


SHARED = shared_benchmarks()


def pct(xs, q):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def keras_build(model, use_keras):
    if not use_keras:
        return None
    from repair_engine import oracle

    if not oracle.available():
        return None
    res = oracle.build(model)
    return None if res.unsupported else res.ok


def undo_cost(case) -> float:
    costs = CostModel()
    m = case.model
    f = first_error(check(m))
    total = 0.0
    for _, undo in reversed(case.faults):
        total += costs.edit_cost(undo, hops(case.model, undo.target, f.layer if f else None))
        m = undo.apply(m)
    return total


def run_random(n: int, seed: int, use_keras: bool) -> dict:
    cases = generate_suite(n, seed)
    times, costs, undo_costs, keeps, n_edits = [], [], [], [], []
    repaired = verified = not_cheaper = 0
    failures = []
    for case in cases:
        t0 = time.perf_counter()
        r = repair_model(case.model)
        times.append((time.perf_counter() - t0) * 1000)
        if r is None or not r.found:
            failures.append((case.template, [f[0] for f in case.faults], r.diagnostic.message if r else "valid?"))
            continue
        repaired += 1
        ok = keras_build(r.model, use_keras)
        if ok:
            verified += 1
        elif ok is False:
            failures.append((case.template, [f[0] for f in case.faults], "Keras rejects the repair"))
        u = undo_cost(case)
        costs.append(r.cost)
        undo_costs.append(u)
        n_edits.append(len(r.edits))
        not_cheaper += r.cost <= u + 1e-6
        keeps.append(check(r.model).output_shapes == check(case.base).output_shapes)
    n_faults = [len(c.faults) for c in cases]
    out = {
        "cases": len(cases),
        "repaired": repaired,
        "verified_keras": verified,
        "median_ms": statistics.median(times) if times else None,
        "p95_ms": pct(times, 0.95),
        "max_ms": max(times) if times else None,
        "mean_cost": statistics.mean(costs) if costs else None,
        "mean_undo_cost": statistics.mean(undo_costs) if undo_costs else None,
        "repair_cost_le_undo": not_cheaper,
        "mean_edits": statistics.mean(n_edits) if n_edits else None,
        "mean_injected_faults": statistics.mean(n_faults) if n_faults else None,
        "keeps_output_shape": sum(keeps),
        "failures": failures[:20],
    }
    print(f"(a) random mutations: {len(cases)} cases (seed {seed}), {out['mean_injected_faults']:.2f} faults per case")
    kv = (
        f"verified with Keras {verified}/{len(cases)} ({100 * verified / max(len(cases), 1):.1f}%)"
        if use_keras
        else "Keras verification skipped (--no-keras)"
    )
    print(f"    repaired {repaired}/{len(cases)} ({100 * repaired / max(len(cases), 1):.1f}%), {kv}")
    print(f"    time: median {out['median_ms']:.1f} ms, p95 {out['p95_ms']:.1f} ms, max {out['max_ms']:.1f} ms")
    print(
        f"    mean cost {out['mean_cost']:.2f} vs undoing the injected faults {out['mean_undo_cost']:.2f}; "
        f"repair cost <= undo cost in {not_cheaper}/{repaired}; mean edits {out['mean_edits']:.2f}"
    )
    print(f"    keeps the original output shape: {sum(keeps)}/{repaired} ({100 * sum(keeps) / max(repaired, 1):.1f}%)")
    for f in failures[:10]:
        print("    not repaired/verified:", f)
    return out


# ---- real bugs ------------------------------------------------------------------------


def changed_lines(original: str, fixed: str) -> set:
    """Lines of `original` (1-based) that `fixed` replaces, deletes or inserts next to."""
    a, b = original.splitlines(), fixed.splitlines()
    out = set()
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:
            out.update({i1, i1 + 1})
        else:
            out.update(range(i1 + 1, i2 + 1))
    return out


def load_python(path: Path):
    from repair_engine.frontends import python_source

    return python_source.load(path.name, path.read_bytes())


def fix_python(path: Path, use_keras: bool):
    fr = load_python(path)
    checks = [check(m) for m in fr.models]
    t0 = time.perf_counter()
    ff = fix_file(fr, checks, None, verify=use_keras)
    ms = (time.perf_counter() - t0) * 1000
    return fr, checks, ff, ms


def run_exais(use_keras: bool) -> dict:
    base = SHARED / "exais-real-bugs"
    if not (base / "manifest.json").exists():
        print("(b) ExAIS real bugs: not found, skipped")
        return {}
    from repair_engine.frontends import exais_spec

    manifest = json.loads((base / "manifest.json").read_text())
    rows = []
    for e in manifest["entries"]:
        spec = SHARED / e["spec"]
        name = spec.stem
        fr = exais_spec.load(spec.name, spec.read_bytes())
        row = {"spec": name, "keras_fails": e["keras3"]["fails"]}
        if not fr.models:
            row["status"] = "not read"
            rows.append(row)
            continue
        m = fr.models[0]
        try:
            res = check(m)
        except Exception as exc:  # reported, not fatal
            row["status"] = f"checker error: {type(exc).__name__}: {exc}"
            rows.append(row)
            continue
        row["we_flag"] = not res.valid
        if res.valid:
            row["status"] = "valid"
            row["verified"] = keras_build(m, use_keras)
        else:
            t0 = time.perf_counter()
            result = repair_model(m, original=res)
            row["ms"] = (time.perf_counter() - t0) * 1000
            row["status"] = "repaired" if result is not None and result.found else "not repaired"
            if result is not None and result.found:
                row["verified"] = keras_build(result.model, use_keras)
                row["edits"] = [ed.describe(m) for ed in result.edits]
                row["cost"] = result.cost
                # the repair written into the spec text, re-read, re-checked (and built)
                ff = fix_file(fr, [res], None, verify=use_keras)
                spec_rep = ff.repairs.get(0)
                row["text_patched"] = bool(spec_rep and spec_rep["diff"])
                row["text_verified"] = bool(spec_rep and spec_rep["diff"] and spec_rep["verified"])
        # the Keras 3 script through the Python frontend: a source patch
        script = SHARED / e["keras3"]["script"]
        if script.exists():
            try:
                pfr, pchecks, ff, ms = fix_python(script, use_keras)
                reps = [v for v in ff.repairs.values()]
                row["py_flag"] = any(not c.valid for c in pchecks)
                row["py_patched"] = bool(reps) and all(v is not None for v in reps)
                row["py_verified"] = bool(reps) and all(v is not None and v["verified"] for v in reps)
                if reps and reps[0]:
                    row["py_fix_lines"] = sorted(fix_lines(reps))
                    row["human_lines"] = sorted(exais_human_lines(pfr, e))
                    row["at_human_line"] = bool(set(row["py_fix_lines"]) & set(row["human_lines"]))
            except Exception as exc:  # a benchmark never stops on one file
                row["py_error"] = f"{type(exc).__name__}: {exc}"
        rows.append(row)
    flagged = [r for r in rows if r.get("we_flag")]
    rep = [r for r in flagged if r["status"] == "repaired"]
    ver = [r for r in rep if r.get("verified")]
    valid = [r for r in rows if r.get("status") == "valid"]
    valid_ok = [r for r in valid if not r["keras_fails"] and r.get("verified") is not False]
    times = [r["ms"] for r in rows if "ms" in r]
    print(
        f"(b) ExAIS real bugs (JSON specs): {len(rows)} specs; flagged invalid {len(flagged)}, "
        f"repaired {len(rep)}/{len(flagged)}, verified with Keras {len(ver)}/{len(flagged)}; "
        f"valid as given {len(valid)} (Keras agrees: {len(valid_ok)})"
    )
    texts = [r for r in rep if r.get("text_patched")]
    print(
        f"    written into the spec text: {len(texts)}/{len(rep)} repairs, re-read and verified "
        f"{sum(bool(r.get('text_verified')) for r in texts)}"
    )
    handled = len(ver) + len(valid_ok)
    print(
        f"    handled (repaired+verified, or valid as Keras says): {handled}/{len(rows)}; "
        f"median time {statistics.median(times) if times else float('nan'):.1f} ms"
    )
    py = [r for r in rows if r.get("py_flag")]
    print(
        f"    Keras 3 scripts (Python frontend): flagged {len(py)}, patched {sum(bool(r.get('py_patched')) for r in py)}, "
        f"patched and verified {sum(bool(r.get('py_verified')) for r in py)}"
    )
    at = [r for r in py if r.get("py_verified") and r.get("at_human_line")]
    print(
        f"    fix at the human's line (the faulty layer's call, or the input for an input-reading fault): "
        f"{len(at)}/{sum(bool(r.get('py_verified')) for r in py)}"
    )
    for r in rows:
        print(
            "   ",
            r["spec"],
            r.get("status"),
            "verified=" + str(r.get("verified")),
            "text" if r.get("text_patched") else "no-text",
            r.get("edits", ""),
            "| py:",
            "patched" if r.get("py_patched") else "-",
            "human-line" if r.get("at_human_line") else "",
            r.get("py_fix_lines", ""),
            r.get("human_lines", ""),
            r.get("py_error", ""),
        )
    return {"rows": rows}


def fix_lines(reps: list) -> set:
    """The source lines a file's repairs touch: each edit's line and every line a
    text edit replaces."""
    got = {x["line"] for v in reps if v for x in v["edits"]}
    return got | {n for v in reps if v for le in v["line_edits"] for n in range(le["start_line"], le["end_line"] + 1)}


# fault descriptions of the ExAIS manifest whose human fix is the input declaration
INPUT_FAULT = ("parser reading", "input shape", "channels-first", "channels first")


def exais_human_lines(fr, entry: dict) -> set:
    """Where a human fixes an ExAIS bug in its Keras 3 script: the call of the layer
    the manifest names as faulty (its `faulty_layer`); for a fault in how the input
    is read (channels-first data, the parser's reading), also the input declaration.
    (The ExAIS fix files are the tool's own random repairs, not human fixes.)"""
    kind = entry.get("faulty_layer", "").split(" ")[0].lower()
    text = (
        entry.get("violated_constraint", "") + " " + entry.get("faulty_layer", "") + " " + entry["description"]
    ).lower()
    out: set = set()
    for m in fr.models:
        out |= {l.span.line for l in m.layers if l.span is not None and l.kind.lower() == kind}
        if any(w in text for w in INPUT_FAULT):
            out |= {n for i in m.inputs for s in (i.shape_span, i.span) if s is not None for n in (s.line,)}
    return out


def run_sfdata(use_keras: bool) -> dict:
    base = SHARED / "sfdata-keras"
    if not (base / "manifest.json").exists():
        print("(b) SFData: not found, skipped")
        return {}
    entries = [e for e in json.loads((base / "manifest.json").read_text()) if e["fault_location"] == "model"]
    rows = []
    for e in entries:
        ctx = SHARED / e["files"]["context"]
        gt = SHARED / e["files"]["ground_truth"]
        row = {"id": e["id"]}
        try:
            fr, checks, ff, ms = fix_python(ctx, use_keras)
        except Exception as exc:
            row["error"] = f"{type(exc).__name__}: {exc}"
            rows.append(row)
            continue
        row["ms"] = ms
        row["flagged"] = any(not c.valid for c in checks)
        reps = {i: v for i, v in ff.repairs.items()}
        row["repaired"] = bool(reps) and all(v is not None for v in reps.values())
        row["verified"] = row["repaired"] and all(v["verified"] for v in reps.values())
        if row["repaired"] and gt.exists():
            want = changed_lines(ctx.read_text(errors="replace"), gt.read_text(errors="replace"))
            got = {x["line"] for v in reps.values() for x in v["edits"]}
            got |= {
                le_line
                for v in reps.values()
                for le in v["line_edits"]
                for le_line in range(le["start_line"], le["end_line"] + 1)
            }
            row["at_gt_line"] = bool(want & got)
            row["gt_lines"], row["fix_lines"] = sorted(want)[:6], sorted(got)[:6]
            row["edits"] = [x["description"] for v in reps.values() for x in v["edits"]]
        if not row["repaired"]:
            row["why"] = [d.message for d in ff.diagnostics][:1] or [d.message for c in checks for d in c.errors][:1]
        rows.append(row)
    n = len(rows)
    flagged = sum(bool(r.get("flagged")) for r in rows)
    rep = sum(bool(r.get("repaired")) for r in rows)
    ver = sum(bool(r.get("verified")) for r in rows)
    at = sum(bool(r.get("at_gt_line")) for r in rows)
    print(
        f"(b) SFData model faults: {n} programs; flagged {flagged}, repaired {rep}/{n} "
        f"({100 * rep / max(n, 1):.0f}%), verified {ver}/{n}, fix at the human's line (one the ground truth changes) {at}/{rep}"
    )
    for r in rows:
        print(
            "   ",
            r["id"],
            "flag" if r.get("flagged") else "noflag",
            "rep" if r.get("repaired") else "-",
            "ver" if r.get("verified") else "-",
            "GT-line" if r.get("at_gt_line") else "",
            r.get("edits", ""),
            r.get("gt_lines", ""),
            r.get("fix_lines", ""),
            r.get("why", ""),
            r.get("error", ""),
        )
    return {"rows": rows}


def fix_text(text: str, use_keras: bool, path: str = "model.py"):
    """(file result, checks, FileFix, ms) of `nnrepair fix` on one text, in process."""
    from repair_engine.frontends import python_source

    t0 = time.perf_counter()
    fr = python_source.load(path, text.encode("utf-8"))
    checks = [check(m) for m in fr.models]
    ff = fix_file(fr, checks, None, verify=use_keras)
    return fr, checks, ff, (time.perf_counter() - t0) * 1000


def compiles(text: str) -> bool:
    try:
        compile(text, "<fixed>", "exec", dont_inherit=True)  # never executed
    except (SyntaxError, ValueError):
        return False
    return True


def needs_repair(fr, checks) -> bool:
    """An invalid model, or a valid one written with Keras 1/2 spellings Keras 3 rejects."""
    from repair_engine.repair import legacy_edits

    return any(not c.valid for c in checks if c is not None) or any(legacy_edits(m) for m in fr.models)


def style_row(case, use_keras: bool) -> dict:
    row = {"style": case.style, "fault": case.fault, "name": case.name}
    try:
        fr, checks, ff, ms = fix_text(case.text, use_keras)
    except Exception as exc:  # a benchmark never stops on one file
        row["error"] = f"{type(exc).__name__}: {exc}"
        return row
    row["ms"] = ms
    row["flagged"] = needs_repair(fr, checks)
    reps = [v for v in ff.repairs.values()]
    row["repaired"] = bool(reps) and all(v is not None for v in reps) and ff.new_text is not None
    row["keras"] = row["repaired"] and all(v.get("verified_by") == "keras" for v in reps)
    row["verified"] = row["repaired"] and all(v.get("verified") for v in reps)
    if ff.new_text is not None:
        row["compiles"] = compiles(ff.new_text)
        lines = {e["line"] for v in reps if v for e in v["edits"]}
        lines |= {n for v in reps if v for le in v["line_edits"] for n in range(le["start_line"], le["end_line"] + 1)}
        row["at_line"] = case.line in lines
    if not row["repaired"]:
        row["why"] = ([d.message for d in ff.diagnostics] or [""])[0][:160]
    return row


def style_cases(n: int, seed: int, real: bool = True) -> list:
    """The suite, in a fixed order (a worker process regenerates it and takes a slice)."""
    from benchmarks.source_mutations import generate_files, real_code_mutants

    cases = generate_files(n, seed)
    if real:
        kio = SHARED / "keras-io-models"
        cases += real_code_mutants(sorted(kio.glob("*.py"))) if kio.is_dir() else []
    return cases


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def forget_keras_models() -> None:
    """Drop the Keras state of the verified builds: one process verifies hundreds
    of files, and their layers (weights included) would otherwise stay alive."""
    if "keras" in sys.modules:
        import gc

        sys.modules["keras"].backend.clear_session()
        gc.collect()


# A worker's heap bound: a repaired model with huge weights (a 3-D CNN whose
# Flatten feeds a Dense) would take 6 GB to build in real Keras; past the bound
# the build fails as out of memory and the repair counts as verified by the
# semantics only (not "by Keras"), instead of starving the shared machine.
WORKER_MEMORY_MB = 3072


def bound_memory(mb: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (mb << 20, mb << 20))


def style_rows(cases: list, use_keras: bool) -> list:
    rows = []
    for case in cases:
        rows.append(style_row(case, use_keras))
        forget_keras_models()
        rows[-1]["rss_mb"] = peak_rss_mb()
    return rows


def rows_in_workers(n: int, seed: int, use_keras: bool, jobs: int, chunk: int, rows_dir: Path) -> list:
    """The suite's rows computed by fresh worker processes, `chunk` files each, at
    most `jobs` at a time: a process's memory is bounded by its chunk, and the
    run can use more than one core when the machine has them free. Each worker's
    rows stay in `rows_dir` (a long run can be re-printed with --from-rows)."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    total = len(style_cases(n, seed))
    slices = [(a, min(a + chunk, total)) for a in range(0, total, chunk)]
    rows_dir.mkdir(parents=True, exist_ok=True)

    def run(sl: tuple) -> list:
        out = rows_dir / f"rows_{sl[0]:05d}_{sl[1]:05d}.json"
        if not out.exists():
            cmd = [sys.executable, __file__, "--only", "styles", "--files", str(n), "--seed", str(seed)]
            cmd += ["--worker", f"{sl[0]}:{sl[1]}", "--rows-out", str(out)] + (["--no-keras"] if not use_keras else [])
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:  # a crashed worker: its files count as errors, not as silently absent
                why = (proc.stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1][:160]
                return [{"style": "?", "fault": "?", "flagged": True, "error": why} for _ in range(sl[0], sl[1])]
        print(f"    worker {sl[0]}:{sl[1]} done", file=sys.stderr, flush=True)
        return json.loads(out.read_text())

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        parts = list(pool.map(run, slices))
    return [r for part in parts for r in part]


def run_styles(
    n: int, seed: int, use_keras: bool, real: bool = True, jobs: int = 0, chunk: int = 100, rows_dir: str | None = None
) -> dict:
    """(c) the source mutation suite (benchmarks/source_mutations.py): whole files
    in eight styles, plus mutants of real public code (the keras-io examples).
    `jobs` > 0: computed by worker processes (see rows_in_workers)."""
    if jobs > 0:
        where = Path(rows_dir) if rows_dir else Path(f"/tmp/nnrepair-styles-{n}-{seed}-{'k' if use_keras else 's'}")
        rows = rows_in_workers(n, seed, use_keras, jobs, chunk, where)
    else:
        rows = style_rows(style_cases(n, seed, real), use_keras)
    print_styles(rows, n, seed)
    return {"rows": rows}


def print_styles(rows: list, n: int, seed: int) -> None:
    flagged = [r for r in rows if r.get("flagged")]
    print(
        f"(c) source mutation suite: {len(rows)} files ({n} generated, seed {seed}; "
        f"{len(rows) - n} mutants of real keras-io code); flagged {len(flagged)}"
    )
    groups: dict = {}
    for r in flagged:
        key = r["style"] if not r["style"].startswith("real:") else "real keras-io code"
        groups.setdefault(key, []).append(r)
    groups["ALL"] = flagged
    print(
        f"    {'style':<20} {'n':>5} {'repaired':>9} {'by Keras':>9} {'at line':>8} {'no-compile':>10} {'median':>8} {'p95':>8}"
    )
    for key, rs in groups.items():
        k = len(rs)
        rep = sum(bool(r.get("repaired")) for r in rs)
        ker = sum(bool(r.get("keras")) for r in rs)
        at = sum(bool(r.get("at_line")) for r in rs)
        bad = sum(r.get("compiles") is False for r in rs)
        ts = [r["ms"] for r in rs if "ms" in r]
        print(
            f"    {key:<20} {k:>5} {100 * rep / max(k, 1):>8.1f}% {100 * ker / max(k, 1):>8.1f}% "
            f"{100 * at / max(k, 1):>7.1f}% {bad:>10} {statistics.median(ts) if ts else 0:>6.0f}ms {pct(ts, 0.95):>6.0f}ms"
        )
    fails = [r for r in flagged if not r.get("repaired") or not r.get("at_line")]
    by_fault: dict = {}
    for r in fails:
        by_fault.setdefault(
            (r["style"], r["fault"], "not repaired" if not r.get("repaired") else "other line"), []
        ).append(r)
    for (style, fault, what), rs in sorted(by_fault.items(), key=lambda kv: -len(kv[1]))[:12]:
        print(f"    - {len(rs):>3} {style}/{fault}: {what} {rs[0].get('why', '') or rs[0].get('error', '') or ''}")
    rss = [r["rss_mb"] for r in rows if "rss_mb" in r]
    if rss:
        print(f"    peak memory of a process: {max(rss):.0f} MB")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-keras", action="store_true", help="skip the real-Keras verification")
    ap.add_argument("--only", choices=["random", "exais", "sfdata", "styles"])
    ap.add_argument("--files", type=int, default=1000, help="size of the source mutation suite")
    ap.add_argument("--jobs", type=int, default=0, help="styles: worker processes (0: in this process)")
    ap.add_argument("--chunk", type=int, default=100, help="styles: files per worker process")
    ap.add_argument("--rows-dir", help="styles with --jobs: where the workers' rows are kept (resumable)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)  # START:END of the suite, rows to --rows-out
    ap.add_argument("--rows-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    use_keras = not args.no_keras
    if args.worker:
        bound_memory(WORKER_MEMORY_MB)
        a, b = (int(x) for x in args.worker.split(":"))
        rows = style_rows(style_cases(args.files, args.seed)[a:b], use_keras)
        Path(args.rows_out).write_text(json.dumps(rows))
        return 0
    if args.only in (None, "random"):
        run_random(args.n, args.seed, use_keras)
    if args.only in (None, "exais"):
        run_exais(use_keras)
    if args.only in (None, "sfdata"):
        run_sfdata(use_keras)
    if args.only in (None, "styles"):
        run_styles(args.files, args.seed, use_keras, jobs=args.jobs, chunk=args.chunk, rows_dir=args.rows_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
