"""Legacy (Keras 1/2) code under the `auto` target and in the migration report, checked by building with both Keras.

    python benchmarks/legacy.py [--sfdata DIR] [--rw DIR] [--show 10]

Corpora:
- the SFData programs whose manifest entry says `legacy_api: true` (original and ground
  truth files), each analysed beside a `requirements.txt` pinning tensorflow==2.12.0
  (SFData has no manifests: the pin is what a Keras 2 user of that code has);
- repositories of /work/rw whose own manifest pins Keras 2 (LEGACY_REPOSITORIES: the
  manifest text is read from the fetched mirror, /work/.mirror, at the commit listed in
  benchmarks/realworld/README.md), each file analysed beside it.

For every model nnrepair extracts (the Python is read, never run), the IR model is built
with tf-keras 2.21 (benchmarks/keras2_oracle.py) and with Keras 3 (repair_engine.oracle),
both with the arguments as written. Printed:
- auto: the target chosen, and the models tf-keras builds on which nnrepair (auto) reports
  an error about the model (fit()/data findings aside): false alarms in the repository's own
  world (target 0);
- migration (`check --target keras3 --report migration`): among the models tf-keras builds,
  whether the report lists an error exactly when Keras 3 rejects the model.
A model neither Keras can build from the IR (unknown values, custom layers) is skipped.
Faults the IR does not carry (a call outside the layers, `Model(input=...)`) are not
judged by building: the figures are about layer calls.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import keras2_oracle  # noqa: E402
from repair_engine import oracle  # noqa: E402
from repair_engine.api import analyze  # noqa: E402
from repair_engine.config import Config  # noqa: E402
from repair_engine.migration import migration_items_of_sources  # noqa: E402

SFDATA = "/work/shared/benchmarks/sfdata-keras"
RW = "/work/rw"
MIRROR = "/work/.mirror"
PIN = "tensorflow==2.12.0\n"
# repository -> its manifest that pins Keras 2 (read from the mirror's HEAD)
LEGACY_REPOSITORIES = {"ageron+handson-ml2": "requirements.txt"}
SUFFIXES = (".py", ".ipynb")


@dataclass
class Tally:
    models: int = 0
    built_k2: int = 0
    target_keras2: int = 0
    false_alarms: list = field(default_factory=list)
    k3_rejects: int = 0
    listed_and_rejected: int = 0
    listed_not_rejected: list = field(default_factory=list)
    rejected_not_listed: list = field(default_factory=list)
    skipped: int = 0


def sfdata_cases(root: str) -> list:
    """[(label, {path: text})] for the legacy SFData programs, each with the Keras 2 pin."""
    with open(os.path.join(root, "manifest.json"), encoding="utf-8") as f:
        entries = json.load(f)
    out = []
    base = os.path.dirname(root)
    for e in entries:
        if not e.get("legacy_api"):
            continue
        for role in ("original", "ground_truth"):
            rel = (e.get("files") or {}).get(role)
            path = os.path.join(base, rel) if rel else None
            if path and os.path.isfile(path):
                out.append((rel, {"requirements.txt": PIN, os.path.basename(path): _read(path)}))
    return out


def repository_cases(rw: str) -> list:
    out = []
    for repo, manifest in LEGACY_REPOSITORIES.items():
        text = _mirror_file(repo, manifest)
        top = os.path.join(rw, repo)
        if text is None or not os.path.isdir(top):
            continue
        for dirpath, _, names in sorted(os.walk(top)):
            for name in sorted(names):
                if name.endswith(SUFFIXES):
                    full = os.path.join(dirpath, name)
                    out.append((os.path.relpath(full, rw), {manifest: text, os.path.relpath(full, top): _read(full)}))
    return out


def _mirror_file(repo: str, path: str) -> str | None:
    git_dir = os.path.join(MIRROR, repo, "repo")
    try:
        return subprocess.run(
            ["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def measure(cases: list, tally: Tally) -> None:
    for label, sources in cases:
        auto = analyze(sources, config=Config(), verify=False)
        if auto.target is not None and auto.target.name == "keras2":
            tally.target_keras2 += 1
        _, items = migration_items_of_sources(sources, Config(), fix=False)
        listed = {(it.file, it.model) for it in items if it.diagnostic.severity == "error"}
        for m in auto.models:
            if m.model is None:
                continue
            tally.models += 1
            k2 = keras2_oracle.build(m.model)
            k3 = oracle.build(keras2_oracle.as_written(m.model))
            if k2.unsupported or k3.unsupported:
                tally.skipped += 1
                continue
            if not k2.ok:
                continue
            tally.built_k2 += 1
            # fit()/data findings (data_*) are not about building the model: a build does not judge them
            errors = [d for d in m.diagnostics if d.severity == "error" and not d.kind.startswith("data_")]
            where = f"{label} {m.name}"
            if errors:
                tally.false_alarms.append(f"{where}: {errors[0].message}")
            is_listed = (m.file, m.name) in listed
            if not k3.ok:
                tally.k3_rejects += 1
                if is_listed:
                    tally.listed_and_rejected += 1
                else:
                    tally.rejected_not_listed.append(f"{where}: Keras 3: {k3.error}")
            elif is_listed:
                tally.listed_not_rejected.append(where)


def report(name: str, cases: list, t: Tally, show: int) -> None:
    print(f"{name}: {len(cases)} files, target keras2 under auto on {t.target_keras2}; {t.models} models, "
          f"{t.built_k2} built by tf-keras, {t.skipped} not buildable from the IR")  # fmt: skip
    print(f"  auto: errors on models tf-keras builds (false alarms): {len(t.false_alarms)}")
    exact = t.listed_and_rejected
    print(f"  migration: Keras 3 rejects {t.k3_rejects} of the {t.built_k2}; listed by the report: {exact}; "
          f"rejected but not listed: {len(t.rejected_not_listed)}; listed but Keras 3 builds: "
          f"{len(t.listed_not_rejected)}")  # fmt: skip
    for line in (t.false_alarms + t.rejected_not_listed + t.listed_not_rejected)[:show]:
        print(f"    {line[:300]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sfdata", default=SFDATA)
    ap.add_argument("--rw", default=RW)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args(argv)
    if not (keras2_oracle.available() and oracle.available()):
        print("tf-keras and Keras 3 are needed: install the tensorflow extra", file=sys.stderr)
        return 2
    import logging

    logging.disable(logging.WARNING)
    t0 = time.perf_counter()
    status = 0
    for name, cases in (
        ("SFData legacy", sfdata_cases(args.sfdata)),
        ("handson-ml2 (tensorflow~=2.6)", repository_cases(args.rw)),
    ):
        t = Tally()
        measure(cases, t)
        report(name, cases, t, args.show)
        status |= bool(t.false_alarms or t.rejected_not_listed or t.listed_not_rejected)
    print(f"time: {time.perf_counter() - t0:.1f}s")
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
