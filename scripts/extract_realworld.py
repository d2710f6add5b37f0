"""Extract the .py and .ipynb files of fetched repositories into a benchmark ROOT.

Usage: python scripts/extract_realworld.py MIRROR_DIR ROOT

MIRROR_DIR holds `owner+name/repo` bare git directories (what the fetch tool
writes). Blobs absent from a snapshot are skipped and counted, not fatal:
why the benchmark README lists "missing" notebooks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Only these subtrees of the big repositories are part of the benchmark.
SUBTREES = {
    "keras-team+keras": ("examples/", "guides/"),
    "tensorflow+docs": ("site/en/tutorials/", "site/en/guide/"),
}


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, check=False)


def extract(git_dir: Path, name: str, into: Path) -> tuple[int, int]:
    listing = _git(git_dir, "ls-tree", "-r", "-z", "HEAD").stdout.split(b"\0")
    written = missing = 0
    for row in listing:
        if b"\t" not in row:
            continue
        meta, raw_path = row.split(b"\t", 1)
        path = raw_path.decode("utf-8", "replace")
        if not path.endswith((".py", ".ipynb")):
            continue
        if name in SUBTREES and not path.startswith(SUBTREES[name]):
            continue
        blob = _git(git_dir, "cat-file", "blob", meta.split()[2].decode())
        if blob.returncode != 0:
            missing += 1
            continue
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)
        written += 1
    return written, missing


def main(argv: list[str]) -> int:
    mirror, root = Path(argv[0]), Path(argv[1])
    for repo in sorted(p for p in mirror.iterdir() if (p / "repo").is_dir() or (p / "HEAD").exists()):
        git_dir = repo / "repo" if (repo / "repo").is_dir() else repo
        written, missing = extract(git_dir, repo.name, root / repo.name)
        print(f"{repo.name}: {written} files, {missing} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
