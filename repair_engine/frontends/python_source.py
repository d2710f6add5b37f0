"""Python-source frontend: Keras models read statically out of .py files.

The source is parsed with `ast` and walked by a small partial evaluator
(python/evaluator.py); it is never imported or executed. See python/legacy.py
for how Keras 1/2 spellings are read (the IR holds the Keras 3 reading of
positional arguments; rejected legacy keywords keep their intent, with a
`legacy_api` warning).

What the IR gets from here
- Spans: 1-based lines, 1-based character columns, end exclusive.
  Layer.span = the constructor call (`layers.Conv2D(32, 3)`, without the
  functional application `(x)`); ArgSource.span = the argument's value
  expression; ArgSource.origin = the value expression where a named constant
  was defined (through assignments, helper parameters and defaults, class
  attributes); InputNode.span = `keras.Input(...)` or the first layer that
  declares the input, InputNode.shape_span = the shape expression.
- A layer inside a helper called twice gives two IR layers with the same
  span (one edit there changes both calls).
- Model.name = the variable the model is bound to; Model.style =
  sequential | functional | subclassed.
- InputNode.declared_as adds "data" (an unbuilt model built by fit/predict on
  statically known arrays) and "input_length" (Keras 2 Embedding).
- Layer.weights also holds weights set later with `layer.set_weights(...)`
  and, for a layer first called inside another model, the shapes it was built
  with (its arg_sources["weights"] then points at the call that reuses it).
- Model.notes: unsupported_construct (info) for what could not be followed,
  legacy_api (warning), data_shape_mismatch (error) for fit/predict data that
  cannot feed the model.
"""

from __future__ import annotations

import ast
import re
import warnings

from ..diagnostics import Diagnostic
from ..ir import Span
from . import FileResult
from .python.evaluator import MAX_STEPS, Evaluator
from .python.extract import extract_models
from .python.project import active as active_project
from .python.source import Spans, decode
from .python.values import Budget

MAX_BYTES = 5_000_000

_IMPORT_RE = re.compile(rb"^[ \t]*(?:from|import)[ \t]+(?:keras|tensorflow|tf_keras)\b", re.M)
_BUILD_RE = re.compile(
    rb"\b(?:Sequential|Model|Input|Dense|Conv[123]D\w*|Convolution[123]D|LSTM|GRU|SimpleRNN|Embedding|"
    rb"Flatten|Reshape|MaxPool\w*|layers\.\w+|\.add)\s*\("
)


def sniff(path: str, data: bytes) -> bool:
    """A Python file that imports Keras/TensorFlow and builds layers or models.
    Byte-level only: no decoding, no parsing."""
    if not (b"keras" in data or b"tensorflow" in data):
        return False
    return bool(_IMPORT_RE.search(data)) and bool(_BUILD_RE.search(data))


def load(path: str, data: bytes, max_steps: int = MAX_STEPS) -> FileResult:
    result = FileResult(path=path, format="python")
    if len(data) > MAX_BYTES:
        result.diagnostics.append(
            Diagnostic(
                kind="limit_exceeded",
                severity="warning",
                span=Span(path, 1),
                message=f"{path} is {len(data)} bytes, more than the {MAX_BYTES} bytes nnrepair reads; not analysed",
            )
        )
        return result
    text, problem = decode(data)
    result.text = text
    if problem:
        result.diagnostics.append(Diagnostic(kind="parse_error", severity="info", span=Span(path, 1), message=problem))
    project = active_project()
    try:
        tree = project.tree_of(path, data) if project is not None else None
        if tree is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        line = e.lineno or 1
        result.diagnostics.append(
            Diagnostic(
                kind="parse_error",
                severity="error",
                span=Span(path, line, (e.offset or 1)),
                message=f"{path} is not valid Python (line {line}): {e.msg}; no model read from it",
            )
        )
        return result
    except (RecursionError, MemoryError, ValueError) as e:
        result.diagnostics.append(
            Diagnostic(
                kind="parse_error",
                severity="error",
                span=Span(path, 1),
                message=f"{path} could not be parsed ({type(e).__name__}: {str(e)[:100]}); no model read from it",
            )
        )
        return result
    spans = Spans(path, text)
    ev = Evaluator(tree, spans, path, max_steps=max_steps, project=project)
    stopped = None
    try:
        ev.run()
    except Budget:
        stopped = "the evaluation step budget was exhausted"
    except RecursionError:
        stopped = "the code nests too deeply"
    except Exception as e:  # a construct the evaluator mishandles must not crash a whole run
        stopped = f"internal error {type(e).__name__}: {str(e)[:80]}"
    try:
        models = extract_models(ev)
    except (Budget, RecursionError):
        models = []
        stopped = stopped or "the evaluation step budget was exhausted"
    except Exception as e:
        models = []
        stopped = stopped or f"internal error {type(e).__name__}: {str(e)[:80]}"
    if stopped:
        result.diagnostics.append(
            Diagnostic(
                kind="limit_exceeded",
                severity="warning",
                span=Span(path, 1),
                message=f"analysis of {path} stopped early ({stopped}); models built after that point are not read",
            )
        )
    if ev.fallback_used:
        names = ", ".join(sorted(ev.fallback_used)[:8])
        note = Diagnostic(
            kind="unsupported_construct",
            severity="info",
            span=Span(path, 1),
            message=f"{names} used without an import; read as Keras names (code fragment)",
        )
        result.diagnostics.append(note)
    result.diagnostics.extend(ev.file_notes)
    result.models = models
    return result
