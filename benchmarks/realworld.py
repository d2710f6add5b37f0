"""Real-world benchmark: nnrepair run on public repositories of Keras code.

The repositories are not part of this project: fetch them yourself (the list,
with the commits measured, is benchmarks/realworld/README.md) and extract each
one into its own folder under one root, then

    python benchmarks/realworld.py ROOT            # every folder under ROOT
    python benchmarks/realworld.py ROOT/a ROOT/b   # or name the checkouts
    NNREPAIR_REALWORLD=ROOT python benchmarks/realworld.py

Prints per repository: files read, models found (Python and notebook),
valid / invalid / unsupported, how many valid models were only partly checked
(an unknown input shape or a layer nnrepair does not model), every invalid
verdict (file:line + message) and the wall time; then totals and the most
frequent reasons for `unsupported`. The code is only read, never run.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from repair_engine.api import analyze_paths  # noqa: E402

ENV = "NNREPAIR_REALWORLD"
STATUSES = ("valid", "invalid", "unsupported")


def checkouts(args: list) -> list:
    """The repository folders to check: the arguments, or every folder under one root."""
    if not args and os.environ.get(ENV):
        args = [os.environ[ENV]]
    if len(args) == 1 and not _looks_like_checkout(Path(args[0])):
        root = Path(args[0])
        return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    return [Path(a) for a in args]


def _looks_like_checkout(path: Path) -> bool:
    """A checkout holds code at its top (or a .git); a root only holds checkouts."""
    if (path / ".git").exists():
        return True
    return any(p.is_file() and p.suffix in (".py", ".ipynb", ".md", ".txt", ".cfg", ".toml") for p in path.iterdir())


def partly_checked(entry) -> bool:
    """A model reported valid whose shapes were not all followed."""
    if entry.status != "valid" or entry.check is None:
        return False
    if any(s is None for s in entry.input_shapes) or not entry.input_shapes:
        return True
    return bool(entry.check.unchecked)


_NUMBER = re.compile(r"\b\d+\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
_PATH = re.compile(r"\S+\.(?:py|ipynb)\b")


def reason(entry) -> str:
    """The first note that explains an unsupported (or partly checked) verdict, generalised."""
    for sev in ("error", "warning", "info"):
        for d in entry.diagnostics:
            if d.severity == sev and d.kind in ("unsupported_construct", "limit_exceeded", "parse_error"):
                return _generalise(d.message)
    if entry.model is not None and not entry.model.layers:
        return "no layer read"
    return "no explanation given"


def _generalise(message: str) -> str:
    text = _PATH.sub("FILE", message)
    text = _QUOTED.sub("'…'", text)
    text = _NUMBER.sub("N", text)
    return text[:110]


def run_repository(path: Path) -> dict:
    cwd = os.getcwd()
    os.chdir(path)  # paths are shown relative to the checkout
    start = time.perf_counter()
    try:
        report = analyze_paths(["."], fix=False)
    finally:
        os.chdir(cwd)
    seconds = time.perf_counter() - start
    counts = Counter(m.status for m in report.models)
    notebook = sum(1 for m in report.models if m.file.endswith(".ipynb"))
    partial = [m for m in report.models if partly_checked(m)]
    invalid = [m for m in report.models if m.status == "invalid"]
    verdicts: Counter = Counter()  # the same fault reached through several calls counts once
    for m in invalid:
        for d in m.diagnostics:
            if d.severity == "error":
                # a fault in code imported from another file is shown at that file (and the model's file)
                where = f"{d.span.file or m.file}:{d.span.line}" if d.span and d.span.line else m.file
                model = m.name if not d.span or d.span.file in (None, m.file) else f"{m.file}: {m.name}"
                verdicts[f"{where}: [{model}] {d.kind}: {d.message[:160]}"] += 1
    reasons = Counter(reason(m) for m in report.models if m.status == "unsupported")
    partial_reasons = Counter(reason(m) for m in partial)
    return {
        "name": path.name,
        "files": len({m.file for m in report.models}),
        "models": len(report.models),
        "notebook": notebook,
        "counts": counts,
        "partial": len(partial),
        "verdicts": verdicts,
        "reasons": reasons,
        "partial_reasons": partial_reasons,
        "seconds": seconds,
        "internal": report.internal_errors,
    }


def print_repository(r: dict) -> None:
    c = r["counts"]
    print(
        f"{r['name']}: {r['models']} models in {r['files']} files ({r['notebook']} in notebooks): "
        f"{c['valid']} valid ({r['partial']} partly checked), {c['invalid']} invalid, "
        f"{c['unsupported']} unsupported; {r['seconds']:.1f} s"
        + (f"; {r['internal']} internal errors" if r["internal"] else "")
    )
    for v, n in r["verdicts"].items():
        print(f"    INVALID {v}" + (f" (x{n})" if n > 1 else ""))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help=f"checkouts, or one folder of checkouts (default: ${ENV})")
    parser.add_argument("--reasons", type=int, default=12, help="how many unsupported reasons to print")
    args = parser.parse_args(argv)
    repos = checkouts(args.paths)
    if not repos:
        print(f"no checkout given: pass paths or set {ENV} (see benchmarks/realworld/README.md)")
        return 2
    results = []
    for path in repos:
        r = run_repository(path)
        print_repository(r)
        results.append(r)
    total: Counter = Counter()
    reasons: Counter = Counter()
    partial_reasons: Counter = Counter()
    for r in results:
        total.update(r["counts"])
        reasons.update(r["reasons"])
        partial_reasons.update(r["partial_reasons"])
    models = sum(r["models"] for r in results)
    share = (lambda n: f"{100 * n / models:.1f}%") if models else (lambda n: "-")
    print()
    print(
        f"TOTAL {len(results)} repositories, {models} models "
        f"({sum(r['notebook'] for r in results)} in notebooks) in {sum(r['files'] for r in results)} files: "
        f"{total['valid']} valid ({share(total['valid'])}; {sum(r['partial'] for r in results)} partly checked), "
        f"{total['invalid']} invalid ({share(total['invalid'])}), "
        f"{total['unsupported']} unsupported ({share(total['unsupported'])}); "
        f"{sum(r['seconds'] for r in results):.1f} s; {sum(r['internal'] for r in results)} internal errors"
    )
    print("top reasons for unsupported:")
    for text, n in reasons.most_common(args.reasons):
        print(f"  {n:5d}  {text}")
    print("top reasons for partly checked valid models:")
    for text, n in partial_reasons.most_common(args.reasons):
        print(f"  {n:5d}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
