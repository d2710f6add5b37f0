"""How long `nnrepair check DIR` takes on a 1,000-file repository whose files import each other.

    python benchmarks/repo_speed.py [--files 1000] [REPO ...]

Without REPO a synthetic repository is written to a temporary folder: a package of
block modules (layers, block functions, a custom Layer class, constants, a package
`__init__` that re-exports them) and FILES scripts, each importing blocks from the
package (absolute and relative imports) and building a model with them. With
REPO, those checkouts are timed instead. Prints the wall and CPU time, the models
found and their verdicts. The goal (issue 10): under 20 s for 1,000 files on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from repair_engine.api import analyze_paths  # noqa: E402

BLOCKS = """from keras import layers

from .config import WIDTH


def conv_block(x, filters=WIDTH):
    x = layers.Conv2D(filters, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)


class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor
"""

SCRIPT = """import keras
from keras import layers

from zoo import NUM_CLASSES
from zoo.blocks{k} import Scale, conv_block


def build():
    inputs = keras.Input((32, 32, 3))
    x = conv_block(inputs, {filters})
    x = Scale(0.5)(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(NUM_CLASSES)(x))


model = build()
"""


def synthetic(root: Path, files: int, modules: int = 20) -> None:
    zoo = root / "zoo"
    zoo.mkdir()
    (zoo / "config.py").write_text("WIDTH = 16\nNUM_CLASSES = 10\n")
    (zoo / "__init__.py").write_text(
        "from .config import NUM_CLASSES, WIDTH\n" + "".join(f"from . import blocks{k}\n" for k in range(modules))
    )
    for k in range(modules):
        (zoo / f"blocks{k}.py").write_text(BLOCKS)
    for i in range(files - modules - 2):
        folder = root / "scripts" / f"group{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"train_{i}.py").write_text(SCRIPT.format(k=i % modules, filters=8 + i % 5))


def measure(path: str) -> str:
    cwd = os.getcwd()
    os.chdir(path)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        report = analyze_paths(["."])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        os.chdir(cwd)
    files = len({m.file for m in report.models})
    verdicts = dict(collections.Counter(m.status for m in report.models))
    return (
        f"{os.path.basename(os.path.abspath(path))}: {len(report.models)} models in {files} files {verdicts}; "
        f"wall {wall:.2f} s, cpu {cpu:.2f} s; {report.internal_errors} internal errors"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("repos", nargs="*")
    args = ap.parse_args(argv)
    if args.repos:
        for repo in args.repos:
            print(measure(repo))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "synthetic-repo"
        root.mkdir()
        synthetic(root, args.files)
        n = sum(1 for _ in root.rglob("*.py"))
        print(f"synthetic repository: {n} .py files")
        print(measure(str(root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
