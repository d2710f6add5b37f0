"""nnrepair's GitHub bot: everything that understands GitHub (events, API, posting).

The engine (repair_engine) never talks to GitHub; this package never parses models.
Data flow: env (event) -> sources (API or workspace) -> engine -> review (findings,
diff filter) -> templates -> publish / fixcommit / scan -> outputs.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nnrepair")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+source"

MARKER_PREFIX = "<!-- nnrepair:"
SUMMARY_MARKER = "<!-- nnrepair:summary -->"
SCAN_MARKER = "<!-- nnrepair:scan -->"
RESOLVED_MARKER = "<!-- nnrepair:resolved -->"
REPLY_MARKER = "<!-- nnrepair:reply -->"
FIX_TRAILER = "nnrepair-bot: fix"
FIX_BRANCH = "nnrepair/fixes"


def finding_marker(fingerprint: str) -> str:
    return f"<!-- nnrepair:finding {fingerprint} -->"
