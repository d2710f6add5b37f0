"""`.nnrepair.yml`: what to check, what to report, how hard to search for repairs.

    include: ["models/**/*.py", "**/*.json"]     # globs relative to the repo root
    exclude: ["tests/fixtures/**"]
    ignore: [NNR402]                            # codes never reported
    severity: {NNR105: warning}                 # per-code severity override
    fail_on: error                              # error | warning | none
    filter_mode: added                          # added | diff_context | file | nofilter (bot)
    max_comments: 20                            # bot: inline comments per run
    commit: {enabled: false, message: "nnrepair: fix model shapes"}
    scan: {open_pr: false}
    repair: {max_nodes: 2500, time_budget_ms: 20000, alternatives: 2, costs: {set_arg: 1.0}}
    target: auto                                # keras3 | keras2 | auto (docs/targets.md)

Every field is optional; unknown keys and wrong types are errors with a clear
message (`ConfigError`), so a typo never silently disables a check.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .diagnostics import code_selected, family_of

CONFIG_NAMES = (".nnrepair.yml", ".nnrepair.yaml")
FAIL_ON = ("error", "warning", "none")
FILTER_MODES = ("added", "diff_context", "file", "nofilter")
SEVERITIES = ("error", "warning", "info")
TARGETS = ("keras3", "keras2", "auto")  # the Keras that judges the code (repair_engine/target.py)
_CODE_RE = re.compile(r"^NNR\d{3}$")
MAX_CONFIG_BYTES = 1_000_000


class ConfigError(ValueError):
    """The configuration file is invalid; the message says where and why."""


@dataclass(frozen=True)
class CommitConfig:
    enabled: bool = False
    message: str = "nnrepair: repair model definitions"


@dataclass(frozen=True)
class ScanConfig:
    open_pr: bool = False
    upgrade: bool = False  # the scan issue's "upgrade to Keras 3" section (docs/bot.md)


@dataclass(frozen=True)
class RepairConfig:
    max_nodes: int = 2500
    time_budget_ms: int = 20000
    alternatives: int = 2
    costs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    include: tuple = ()
    exclude: tuple = ()
    ignore: frozenset = frozenset()
    severity: dict = field(default_factory=dict)  # code -> severity
    fail_on: str = "error"
    filter_mode: str = "added"
    max_comments: int = 20
    commit: CommitConfig = field(default_factory=CommitConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    repair: RepairConfig = field(default_factory=RepairConfig)
    target: str = "auto"
    # the file this came from (None = defaults)
    source: str | None = None

    # ---- queries ----------------------------------------------------------
    def is_ignored(self, code: str) -> bool:
        # a family code (NNR201) also selects its sub-codes (NNR202...)
        return code_selected(code, self.ignore)

    def severity_of(self, code: str, default: str) -> str:
        if code in self.severity:
            return self.severity[code]
        return self.severity.get(family_of(code), default)

    def selects(self, relpath: str) -> bool:
        """True when `relpath` (a repo-relative path with '/') passes include/exclude."""
        p = relpath.replace(os.sep, "/")
        while p.startswith("./"):
            p = p[2:]
        if self.include and not any(glob_match(p, g) for g in self.include):
            return False
        return not any(glob_match(p, g) for g in self.exclude)

    def fails(self, severities: list) -> bool:
        """Whether diagnostics of these severities fail the run under `fail_on`."""
        if self.fail_on == "none":
            return False
        if self.fail_on == "warning":
            return any(s in ("error", "warning") for s in severities)
        return any(s == "error" for s in severities)


def glob_match(path: str, pattern: str) -> bool:
    """Glob with `**` spanning directories ("models/**/*.py" matches "models/a.py")."""
    return _glob_re(pattern).match(path) is not None


_GLOB_CACHE: dict[str, re.Pattern] = {}


def _glob_re(pattern: str) -> re.Pattern:
    rx = _GLOB_CACHE.get(pattern)
    if rx is not None:
        return rx
    pat = pattern.replace(os.sep, "/")
    if pat.endswith("/"):
        pat += "**"
    out = []
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif pat[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pat[i] == "?":
            out.append("[^/]")
            i += 1
        elif pat[i] == "[":
            j = pat.find("]", i + 1)
            if j < 0:
                out.append(re.escape(pat[i]))
                i += 1
            else:
                out.append(fnmatch.translate(pat[i : j + 1])[4:-3])
                i = j + 1
        else:
            out.append(re.escape(pat[i]))
            i += 1
    # a pattern without '/' matches a file name anywhere, like .gitignore
    prefix = "" if "/" in pat else "(?:.*/)?"
    rx = re.compile("^" + prefix + "".join(out) + "$")
    _GLOB_CACHE[pattern] = rx
    return rx


# ---------------------------------------------------------------------------
# loading and validation


def find_config(start: str) -> str | None:
    """The nearest .nnrepair.yml in `start` or its parents (stops at a .git root)."""
    d = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p
        if os.path.exists(os.path.join(d, ".git")):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load_config(path: str | None = None) -> Config:
    """Read and validate a config file; None -> defaults. Raises ConfigError."""
    if path is None:
        return Config()
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"cannot read the config file {path}: {e.strerror or e}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: the config file is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text") from None
    return replace(parse_config(text, path), source=path)


def parse_config(text: str, where: str = ".nnrepair.yml") -> Config:
    import yaml  # pyyaml is a declared dependency

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        loc = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"{where}: invalid YAML{loc}: {getattr(e, 'problem', None) or e}") from None
    if data is None:
        return Config()
    return config_from_dict(data, where)


_TOP_KEYS = {
    "include",
    "exclude",
    "ignore",
    "severity",
    "fail_on",
    "fail-on",
    "filter_mode",
    "filter-mode",
    "max_comments",
    "max-comments",
    "commit",
    "scan",
    "repair",
    "target",
}


def config_from_dict(data: Any, where: str = "config") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the top level must be a mapping of settings, got {type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in _TOP_KEYS)
    if unknown:
        allowed = ", ".join(sorted(k for k in _TOP_KEYS if "-" not in k))
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}; allowed: {allowed}")

    def get(name: str, default: Any = None) -> Any:
        return data.get(name, data.get(name.replace("_", "-"), default))

    include = _str_list(get("include", []), f"{where}: include")
    exclude = _str_list(get("exclude", []), f"{where}: exclude")
    ignore = frozenset(_code(c, f"{where}: ignore") for c in _str_list(get("ignore", []), f"{where}: ignore"))
    sev_raw = get("severity", {}) or {}
    if not isinstance(sev_raw, dict):
        raise ConfigError(f"{where}: severity must be a mapping of code -> error|warning|info")
    severity = {}
    for code, sev in sev_raw.items():
        c = _code(code, f"{where}: severity")
        if sev not in SEVERITIES:
            raise ConfigError(f"{where}: severity of {c} must be one of {', '.join(SEVERITIES)}, got {sev!r}")
        severity[c] = sev
    fail_on = get("fail_on", "error")
    if fail_on is False or fail_on is None:
        fail_on = "none"
    if fail_on not in FAIL_ON:
        raise ConfigError(f"{where}: fail_on must be one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    filter_mode = get("filter_mode", "added")
    if filter_mode not in FILTER_MODES:
        raise ConfigError(f"{where}: filter_mode must be one of {', '.join(FILTER_MODES)}, got {filter_mode!r}")
    max_comments = _int(get("max_comments", 20), f"{where}: max_comments", minimum=0)
    target = get("target", "auto")
    if target not in TARGETS:
        raise ConfigError(f"{where}: target must be one of {', '.join(TARGETS)}, got {target!r}")
    commit = _section(get("commit", {}), f"{where}: commit", {"enabled", "message"})
    scan = _section(get("scan", {}), f"{where}: scan", {"open_pr", "open-pr", "upgrade"})
    repair = _section(get("repair", {}), f"{where}: repair", {"max_nodes", "time_budget_ms", "alternatives", "costs"})
    costs = repair.get("costs", {}) or {}
    if not isinstance(costs, dict):
        raise ConfigError(f"{where}: repair.costs must be a mapping of edit -> cost")
    for k, v in costs.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, dict)):
            raise ConfigError(f"{where}: repair.costs.{k} must be a number, got {v!r}")
        if isinstance(v, (int, float)) and v < 0:
            raise ConfigError(f"{where}: repair.costs.{k} must not be negative, got {v!r}")
    message = commit.get("message", CommitConfig.message)
    if not isinstance(message, str) or not message.strip():
        raise ConfigError(f"{where}: commit.message must be a non-empty string")
    return Config(
        include=tuple(include),
        exclude=tuple(exclude),
        ignore=ignore,
        severity=severity,
        fail_on=fail_on,
        filter_mode=filter_mode,
        max_comments=max_comments,
        commit=CommitConfig(enabled=_bool(commit.get("enabled", False), f"{where}: commit.enabled"), message=message),
        scan=ScanConfig(
            open_pr=_bool(scan.get("open_pr", scan.get("open-pr", False)), f"{where}: scan.open_pr"),
            upgrade=_bool(scan.get("upgrade", False), f"{where}: scan.upgrade"),
        ),
        repair=RepairConfig(
            max_nodes=_int(repair.get("max_nodes", RepairConfig.max_nodes), f"{where}: repair.max_nodes", minimum=1),
            time_budget_ms=_int(
                repair.get("time_budget_ms", RepairConfig.time_budget_ms), f"{where}: repair.time_budget_ms", minimum=1
            ),
            alternatives=_int(
                repair.get("alternatives", RepairConfig.alternatives), f"{where}: repair.alternatives", minimum=0
            ),
            costs=dict(costs),
        ),
        target=target,
    )


def _str_list(value: Any, what: str) -> list:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{what} must be a list of strings, got {value!r}")
    return list(value)


def _code(value: Any, what: str) -> str:
    c = str(value).strip().upper()
    if not _CODE_RE.match(c):
        raise ConfigError(f"{what}: {value!r} is not a diagnostic code (like NNR101)")
    return c


def _int(value: Any, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def _bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{what} must be true or false, got {value!r}")
    return value


def _section(value: Any, what: str, keys: set) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{what} must be a mapping, got {value!r}")
    unknown = sorted(str(k) for k in value if k not in keys)
    if unknown:
        raise ConfigError(f"{what}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(keys))}")
    return value
