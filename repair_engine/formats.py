"""The format registry: every file format, its reader (frontends/) and its writer (patch/).

The one table of formats. Discovery picks a reader from it, repair looks up the
writer that puts a repaired model back into the text and the reader that
re-reads the patched text; nobody else names a frontend or writer module.

    reader(name)  the frontend module: sniff(path, data) -> bool, load(path, data) -> FileResult
    writer(name)  the writer module: write(text, original, repaired) -> Success | Failure | Skip
                  (patch/protocol.py); None for a format that cannot be written
    write(name, text, original, repaired)  that writer's outcome (Skip without a writer)
    spec(name)    the Format entry below

Modules are imported on first use, so a run that reads only Keras JSON never
imports the Python frontend (nor LibCST).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from .ir import Model
from .patch.protocol import Outcome, Skip


@dataclass(frozen=True)
class Format:
    name: str  # FileResult.format, or the reader's name for a reader whose results take another format
    reader: str  # module under repair_engine.frontends
    writer: str | None  # module under repair_engine.patch; None: not writable
    # Python source: one combined patch for every model of the file, Keras 1/2
    # keywords rewritten, and a repair the writer refuses is dropped (the search
    # proposes only what the writer can write). Data formats (configs): a repair
    # the writer cannot express stays a repair without a diff.
    source_code: bool = False


FORMATS: tuple[Format, ...] = (
    Format("python", reader="python_source", writer="python", source_code=True),
    # a notebook's models are read as Python ("python" FileResults holding the
    # notebook); api writes their repaired cells back with patch/notebook.py
    Format("notebook", reader="notebook", writer=None),
    Format("keras_json", reader="keras_json", writer="keras_json"),
    Format("exais_spec", reader="exais_spec", writer="exais_spec"),
    Format("keras_archive", reader="keras_archive", writer=None),
    Format("h5", reader="h5", writer=None),
)
_BY_NAME = {f.name: f for f in FORMATS}


def spec(name: str | None) -> Format | None:
    return _BY_NAME.get(name) if name is not None else None


def reader(name: str | None) -> ModuleType | None:
    """The frontend that reads format `name`, or None (unknown format, or its optional dependency is missing)."""
    fmt = spec(name)
    if fmt is None:
        return None
    try:
        return importlib.import_module(f"repair_engine.frontends.{fmt.reader}")
    except ImportError:
        return None


def writer(name: str | None) -> ModuleType | None:
    """The writer of format `name`, or None when the format is not writable."""
    fmt = spec(name)
    if fmt is None or fmt.writer is None:
        return None
    return importlib.import_module(f"repair_engine.patch.{fmt.writer}")


def write(name: str | None, text: str | None, original: Model, repaired: Model) -> Outcome:
    """`repaired` written into `text` by the format's writer (patch/protocol.py);
    Skip when the format has no writer or the file no text (archives, HDF5)."""
    mod = writer(name)
    if mod is None:
        return Skip(f"{name} files are not written back")
    if text is None:
        return Skip("the file has no text to write into")
    return mod.write(text, original, repaired)


def source_formats() -> tuple[str, ...]:
    """The formats that are Python source (see Format.source_code)."""
    return tuple(f.name for f in FORMATS if f.source_code)
