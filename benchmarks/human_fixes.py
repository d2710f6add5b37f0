"""Real human fixes from public Keras repositories: a labelled reference set.

    python benchmarks/human_fixes.py mine [--budget-s 900]   # writes benchmarks/human_fixes.json
    python benchmarks/human_fixes.py run [--no-keras]        # repairs each "before" file

A reference is a commit of a public repository (fetched with the `fetch` tool
into /work/.mirror/<owner>+<name>/repo) whose parent version of one Python file
holds a model nnrepair finds invalid and whose own version of that file holds
the same model valid: the author fixed the model by hand in that commit. The
lines of the parent the commit changes are "the human's lines".

`mine` walks the repositories' histories (small commits touching layer calls),
checks the parent and the commit's version of each file (statically, never
executing them) and writes the manifest: repo, commit, path, the human's lines,
the invalid model's line and diagnostic. No code is copied: `run` reads each
parent version from the mirror at benchmark time, runs `fix` on it and prints
how many are repaired, verified and fixed at the human's line.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIRROR = Path("/work/.mirror")
MANIFEST = ROOT / "benchmarks" / "human_fixes.json"
# repositories of Keras model code (and, for keras-team/keras, its examples only)
REPOS = {
    "GoogleCloudPlatform+keras-idiomatic-programmer": "",
    "divamgupta+image-segmentation-keras": "",
    "experiencor+keras-yolo3": "",
    "keras-rl+keras-rl": "",
    "keras-team+keras-applications": "",
    "keras-team+keras-contrib": "",
    "philipperemy+keras-attention": "",
    "philipperemy+keras-tcn": "",
    "qubvel+segmentation_models": "",
    "titu1994+keras-squeeze-excite-network": "",
    "IMvision12+KerasFormers": "",
    "osmr+imgclsmob": "",
    "ageron+handson-ml2": "",
    "ageron+handson-ml3": "",
    "keras-team+keras": "examples/",
}
MAX_CHANGED_LINES = 20  # a hand fix of a model, not a rewrite
# a change that touches a layer call or a shape: worth checking both versions
LAYERISH = re.compile(
    r"Conv|Dense|Pool|Input|shape|LSTM|GRU|Reshape|Flatten|Embedding|padding|strides|kernel_size|"
    r"filters|units|axis|Concatenate|Add\(|Dropout|BatchNorm|Sequential|return_sequences|border_mode"
)


def git(repo: str, *args: str) -> str:
    out = subprocess.run(
        ["git", "--git-dir", str(MIRROR / repo / "repo"), *args], capture_output=True, text=True, errors="replace"
    )
    return out.stdout if out.returncode == 0 else ""


def blob(repo: str, commit: str, path: str) -> str | None:
    out = subprocess.run(
        ["git", "--git-dir", str(MIRROR / repo / "repo"), "show", f"{commit}:{path}"], capture_output=True
    )
    if out.returncode != 0:
        return None
    return out.stdout.decode("utf-8", errors="replace")


def small_commits(repo: str, under: str, grep: str | None = None):
    """(commit, path) of non-merge commits changing at most MAX_CHANGED_LINES of a
    .py file (whose message matches `grep`, when given)."""
    spec = f"{under}*.py" if under else "*.py"
    commit = None
    select = ["-i", "-E", f"--grep={grep}"] if grep else []
    for line in git(repo, "log", "--no-merges", *select, "--format=C %H", "--numstat", "--", spec).splitlines():
        if line.startswith("C "):
            commit = line[2:].strip()
            continue
        parts = line.split("\t")
        if commit and len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            n = int(parts[0]) + int(parts[1])
            if 0 < n <= MAX_CHANGED_LINES and parts[2].endswith(".py") and parts[2].startswith(under):
                yield commit, parts[2]


def changed_lines(before: str, after: str) -> set:
    """Lines of `before` (1-based) the change replaces or deletes, or inserts next to."""
    a, b = before.splitlines(), after.splitlines()
    out: set = set()
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out.update(range(i1 + 1, i2 + 1) if i2 > i1 else {i1, i1 + 1})
    return out


def check_text(path: str, text: str):
    from repair_engine import api

    return api.analyze({path: text.encode("utf-8")}, fix=False)


def invalid_models(report) -> list:
    return [m for m in report.models if m.status == "invalid"]


def model_key(m) -> tuple:
    return (m.name,)


def mine(budget_s: float, grep: str | None = None, known: list | None = None) -> list:
    start = time.monotonic()
    found: list = list(known or [])
    done = {(f["repo"], f["commit"], f["path"]) for f in found}
    seen = 0
    for repo, under in REPOS.items():
        if not (MIRROR / repo / "repo").exists():
            continue
        for commit, path in small_commits(repo, under, grep):
            if (repo.replace("+", "/", 1), commit, path) in done:
                continue
            if time.monotonic() - start > budget_s:
                print(f"budget reached after {seen} files", file=sys.stderr)
                return found
            before = blob(repo, f"{commit}^", path)
            after = blob(repo, commit, path)
            if before is None or after is None or "keras" not in before:
                continue
            lines = changed_lines(before, after)
            old = before.splitlines()
            if not any(LAYERISH.search(old[n - 1]) for n in lines if 0 < n <= len(old)):
                continue
            seen += 1
            bad = invalid_models(check_text(path, before))
            if not bad:
                continue
            after_models = {model_key(m): m for m in check_text(path, after).models}
            for m in bad:
                fixed = after_models.get(model_key(m))
                if fixed is None or fixed.status != "valid":
                    continue
                errors = [d for d in m.diagnostics if d.severity == "error"]
                found.append(
                    {
                        "repo": repo.replace("+", "/", 1),
                        "commit": commit,
                        "path": path,
                        "model": m.name,
                        "model_line": m.line,
                        "human_lines": sorted(lines),
                        "diagnostic": errors[0].message[:200] if errors else "",
                        "subject": git(repo, "log", "-1", "--format=%s", commit).strip()[:120],
                    }
                )
                print(f"  {repo} {commit[:10]} {path}: {found[-1]['diagnostic'][:90]}", file=sys.stderr, flush=True)
    return found


def run(use_keras: bool) -> dict:
    from repair_engine import api

    entries = json.loads(MANIFEST.read_text())["references"] if MANIFEST.exists() else []
    rows = []
    for e in entries:
        repo = e["repo"].replace("/", "+", 1)
        before = blob(repo, f"{e['commit']}^", e["path"])
        row: dict[str, Any] = {"ref": f"{e['repo']}@{e['commit'][:10]}:{e['path']}"}
        if before is None:
            row["status"] = "not in the mirror (fetch the repository)"
            rows.append(row)
            continue
        t0 = time.perf_counter()
        report = api.analyze({e["path"]: before.encode("utf-8")}, fix=True, verify=use_keras)
        row["ms"] = (time.perf_counter() - t0) * 1000
        models = [m for m in report.models if m.name == e["model"] and m.status == "invalid"]
        rep = models[0].repair if models else None
        row["flagged"] = bool(models)
        row["repaired"] = bool(rep and rep.get("diff"))
        row["verified_by"] = rep.get("verified_by") if rep else None
        if row["repaired"] and rep is not None:
            lines = {x["line"] for x in rep["edits"]} | diff_lines(rep["diff"])
            row["at_human_line"] = bool(lines & set(e["human_lines"]))
            row["fix_lines"], row["human_lines"] = sorted(lines)[:6], e["human_lines"][:6]
            row["edits"] = [x["description"] for x in rep["edits"]][:3]
        rows.append(row)
    n = len(rows)
    flagged = [r for r in rows if r.get("flagged")]
    rep_rows = [r for r in flagged if r.get("repaired")]
    at = sum(bool(r.get("at_human_line")) for r in rep_rows)
    by_keras = sum(r.get("verified_by") == "keras" for r in rep_rows)
    times = [r["ms"] for r in rows if "ms" in r]
    print(
        f"(d) real human fixes (public repositories, {MANIFEST.name}): {n} references; flagged {len(flagged)}, "
        f"repaired {len(rep_rows)}/{len(flagged)}, verified by Keras {by_keras}, "
        f"fix at the human's line {at}/{len(rep_rows)}; median {statistics.median(times) if times else 0:.0f} ms"
    )
    for r in rows:
        print(
            "   ",
            r["ref"],
            "flag" if r.get("flagged") else "noflag",
            "rep" if r.get("repaired") else "-",
            r.get("verified_by") or "",
            "human-line" if r.get("at_human_line") else "",
            r.get("edits", ""),
            r.get("human_lines", ""),
            r.get("fix_lines", ""),
            r.get("status", ""),
        )
    return {"rows": rows}


def diff_lines(diff: str) -> set:
    """Lines of the original a unified diff removes (or inserts after)."""
    out: set = set()
    line = 0
    for d in diff.splitlines():
        m = re.match(r"@@ -(\d+)", d)
        if m:
            line = int(m.group(1))
            continue
        if d.startswith(("---", "+++")):
            continue
        if d.startswith("-"):
            out.add(line)
            line += 1
        elif d.startswith("+"):
            out.add(max(line - 1, 1))
        elif line:
            line += 1
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["mine", "run"])
    ap.add_argument("--budget-s", type=float, default=900)
    ap.add_argument("--no-keras", action="store_true")
    ap.add_argument("--grep", help="mine: only commits whose message matches this regex")
    args = ap.parse_args(argv)
    if args.what == "mine":
        known = json.loads(MANIFEST.read_text())["references"] if MANIFEST.exists() else []
        found = mine(args.budget_s, args.grep, known)
        MANIFEST.write_text(json.dumps({"references": found}, indent=1) + "\n")
        print(f"{len(found)} references written to {MANIFEST}")
        return 0
    run(not args.no_keras)
    return 0


if __name__ == "__main__":
    sys.exit(main())
