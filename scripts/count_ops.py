"""Count the tensor-op calls (keras.ops, tf.*, keras.backend) in public Keras code.

Reads Python files from git mirrors (bare repositories, read with `git cat-file`)
or folders, parses them with `ast` (never imports them), resolves the import
aliases of each file (`import tensorflow as tf`, `from keras import ops`,
`import keras.backend as K`...) and counts calls whose callee resolves to
`keras.ops.*`, `keras.backend.*`, `tensorflow.*` (minus `tensorflow.keras.*` layers
and models) or `keras.activations.*`. Prints a Markdown table (docs/ops.md).

Usage: python scripts/count_ops.py [--top N] SOURCE...   (SOURCE: a bare git dir or a folder)
"""

from __future__ import annotations

import ast
import collections
import subprocess
import sys
from pathlib import Path

ROOTS = ("keras.ops.", "keras.backend.", "tensorflow.", "keras.activations.")
SKIP = (
    "tensorflow.keras.",
    "tensorflow.compat.",
    "tensorflow.data.",
    "tensorflow.io.",
    "tensorflow.config.",
    "tensorflow.saved_model.",
    "tensorflow.summary.",
    "tensorflow.train.",
    "tensorflow.distribute.",
    "tensorflow.test.",
    "tensorflow.debugging.",
    "tensorflow.random.",
    "tensorflow.lite.",
    "tensorflow.function",
    "tensorflow.GradientTape",
    "tensorflow.Variable",
    "tensorflow.constant",
    "tensorflow.print",
    "tensorflow.TensorSpec",
    "tensorflow.device",
    "tensorflow.py_function",
    "tensorflow.strings.",
    "tensorflow.experimental.",
    "tensorflow.autograph.",
    "tensorflow.estimator.",
    "tensorflow.feature_column.",
    "tensorflow.nest.",
    "tensorflow.get_logger",
    "tensorflow.saved_model",
    "tensorflow.errors.",
    "tensorflow.version",
    "tensorflow.sysconfig",
    "tensorflow.executing_eagerly",
    "tensorflow.name_scope",
    "tensorflow.control_dependencies",
    "tensorflow.sparse.",
    "tensorflow.image.decode",
    "tensorflow.image.encode",
)


def _canon(path: str) -> str:
    for old, new in (
        ("tensorflow.keras.", "keras."),
        ("tf_keras.", "keras."),
        ("keras_core.", "keras."),
        ("keras.src.", "keras."),
        ("tensorflow.math.", "tensorflow."),
    ):
        if path.startswith(old):
            path = new + path[len(old) :]
    if path.startswith("keras.layers.") or path.startswith("keras.models."):
        return path
    return path


def _aliases(tree: ast.Module) -> dict:
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    out[a.asname] = a.name
                else:
                    out[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def count_source(text: str, counts: collections.Counter) -> None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name is None:
            continue
        head, _, rest = name.partition(".")
        if head not in aliases:
            continue
        path = _canon(aliases[head] + ("." + rest if rest else ""))
        if path.startswith("tensorflow.keras.") or path.startswith("keras.keras."):
            path = _canon(path)
        if not path.startswith(ROOTS) or path.startswith(SKIP):
            continue
        if path.startswith("tensorflow.") and path.split(".")[-1][:1].isupper():
            continue  # classes (tf.TensorShape, tf.Variable...) are not ops
        counts[path] += 1


def sources(src: str):
    p = Path(src)
    if (p / "HEAD").exists() and (p / "objects").exists():
        names = subprocess.run(
            ["git", "-C", src, "ls-tree", "-r", "--name-only", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.split("\n")
        for n in names:
            if n.endswith(".py"):
                r = subprocess.run(["git", "-C", src, "show", f"HEAD:{n}"], capture_output=True)
                yield r.stdout.decode("utf-8", "replace")
    else:
        for f in p.rglob("*.py"):
            yield f.read_text(errors="replace")


def main(argv: list) -> None:
    top = 120
    if argv[:1] == ["--top"]:
        top, argv = int(argv[1]), argv[2:]
    counts: collections.Counter = collections.Counter()
    files = 0
    for src in argv:
        for text in sources(src):
            files += 1
            count_source(text, counts)
    print(f"{files} Python files, {sum(counts.values())} op calls, {len(counts)} distinct ops\n")
    print("| rank | op | calls |\n| --- | --- | --- |")
    for i, (op, n) in enumerate(counts.most_common(top), 1):
        print(f"| {i} | `{op}` | {n} |")


if __name__ == "__main__":
    main(sys.argv[1:])
