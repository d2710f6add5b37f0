"""`.keras` archives (Keras 3's zip format) -> IR, from `config.json` only.

Weights are never read and nothing is unpickled. The archive is untrusted:
member count, member size (declared AND actually read, which defeats zip
bombs that lie in their headers) and nesting are bounded.
"""

from __future__ import annotations

import io
import zipfile

from ..diagnostics import Diagnostic
from ..ir import Span
from . import FileResult, keras_json

FORMAT = "keras_archive"
MAX_MEMBERS = 10_000
MAX_CONFIG_BYTES = 20 * 1024 * 1024


def sniff(path: str, data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    # a .keras archive stores metadata.json and config.json (names in the local headers)
    head = data[: 1 << 20]
    return path.lower().endswith(".keras") or (b"config.json" in head and b"metadata.json" in head)


def _limit(path: str, message: str) -> Diagnostic:
    return Diagnostic(kind="limit_exceeded", severity="error", message=message, span=Span(path, 1, 1))


def read_config(path: str, data: bytes) -> tuple[bytes | None, Diagnostic | None]:
    """The bytes of config.json, or a diagnostic saying why not."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        return None, keras_json.parse_error(path, f"not a readable .keras (zip) archive: {e}")
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            return None, _limit(path, f"the archive has {len(infos)} members, more than the limit of {MAX_MEMBERS}")
        info = next((i for i in infos if i.filename == "config.json"), None)
        if info is None:
            nested = [i.filename for i in infos if i.filename.endswith((".keras", ".zip"))]
            why = " (nested archives are not opened)" if nested else ""
            return None, keras_json.parse_error(path, f"the archive has no config.json{why}; not a Keras 3 model file")
        if info.file_size > MAX_CONFIG_BYTES:
            return None, _limit(
                path,
                f"config.json declares {info.file_size} bytes uncompressed, more than the limit of {MAX_CONFIG_BYTES}",
            )
        try:
            with zf.open(info) as f:
                raw = f.read(MAX_CONFIG_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as e:
            return None, keras_json.parse_error(path, f"cannot read config.json from the archive: {e}")
        if len(raw) > MAX_CONFIG_BYTES:
            return None, _limit(path, f"config.json inflates to more than {MAX_CONFIG_BYTES} bytes (a zip bomb?)")
        return raw, None


def load(path: str, data: bytes) -> FileResult:
    result = FileResult(path=path, format=FORMAT)
    raw, diag = read_config(path, data)
    if diag is not None:
        result.diagnostics.append(diag)
        return result
    assert raw is not None  # read_config gives the bytes or a diagnostic
    inner = keras_json.load(path, raw, positions=False)
    result.models = inner.models
    result.diagnostics = inner.diagnostics
    return result
