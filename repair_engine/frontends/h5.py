"""Legacy `.h5` / HDF5 model files -> IR, from the `model_config` attribute only.

h5py is optional (imported lazily); weights are never read.
"""

from __future__ import annotations

import io

from ..diagnostics import Diagnostic
from ..ir import Span
from . import FileResult, keras_json

FORMAT = "h5"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
MAX_CONFIG_BYTES = 20 * 1024 * 1024


def sniff(path: str, data: bytes) -> bool:
    # The superblock may sit at offset 0, 512, 1024, ... (user block).
    for off in (0, 512, 1024, 2048):
        if data[off : off + 8] == HDF5_MAGIC:
            return True
    return False


def load(path: str, data: bytes) -> FileResult:
    result = FileResult(path=path, format=FORMAT)
    try:
        import h5py  # noqa: WPS433 (optional dependency)
    except ImportError:
        result.diagnostics.append(
            Diagnostic(
                kind="unsupported_construct",
                severity="warning",
                message="reading .h5 model files needs h5py (pip install h5py); the file was not checked",
                span=Span(path, 1, 1),
            )
        )
        return result
    try:
        with h5py.File(io.BytesIO(data), "r") as f:
            attr = f.attrs.get("model_config")
    except Exception as e:  # h5py raises OSError, ValueError, KeyError, ... for broken files
        result.diagnostics.append(keras_json.parse_error(path, f"not a readable HDF5 file: {type(e).__name__}: {e}"))
        return result
    if attr is None:
        result.diagnostics.append(
            keras_json.parse_error(path, "the HDF5 file has no model_config attribute (weights only?)")
        )
        return result
    if isinstance(attr, bytes):
        raw = attr
    elif isinstance(attr, str):
        raw = attr.encode("utf-8")
    else:
        try:
            raw = bytes(attr)
        except Exception:
            raw = str(attr).encode("utf-8")
    if len(raw) > MAX_CONFIG_BYTES:
        result.diagnostics.append(
            Diagnostic(
                kind="limit_exceeded",
                severity="error",
                message=f"model_config is larger than {MAX_CONFIG_BYTES} bytes",
                span=Span(path, 1, 1),
            )
        )
        return result
    inner = keras_json.load(path, raw, positions=False)
    result.models = inner.models
    result.diagnostics = inner.diagnostics
    return result
