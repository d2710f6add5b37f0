"""The `nnrepair` command line (see docs/cli.md; the contract is frozen there).

    nnrepair check PATH... [--format text|json|sarif|github] [--config FILE]
    nnrepair fix   PATH... [--write | --diff] [--format text|json] [--config FILE]
    nnrepair github ...     (the GitHub bot, bot/cli.py)
    nnrepair --version

Exit codes: 0 nothing invalid (check) / everything repaired (fix); 1 an invalid
model (check) / an invalid model left unrepaired (fix); 2 usage error,
unreadable input, internal error. Never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence

from .patch.diffs import unified_diff  # one diff writer: `nnrepair fix --diff` and the repairs' diffs

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: exit 2 with a one-line hint
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(USAGE_ERROR)


def build_parser() -> argparse.ArgumentParser:
    from .api import tool_version

    p = _Parser(
        prog="nnrepair",
        description="Check Keras model definitions against the semantics of Keras 3 "
        "layers and repair invalid ones with a minimal edit.",
    )
    p.add_argument("--version", action="version", version=f"nnrepair {tool_version()}")
    sub = p.add_subparsers(dest="command", metavar="{check,fix,github}", parser_class=_Parser)
    c = sub.add_parser("check", help="report invalid models (never modifies anything)")
    c.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (folders are walked)")
    c.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    c.add_argument("--config", metavar="FILE", help="configuration file (default: the nearest .nnrepair.yml)")
    c.add_argument("--verbose", "-v", action="store_true", help="also show info-level findings")
    _target_options(c)
    c.add_argument(
        "--report",
        choices=("findings", "migration"),
        default="findings",
        help="migration: what in Keras 2 code breaks on Keras 3, with the fix of each (docs/targets.md)",
    )
    f = sub.add_parser("fix", help="repair invalid models (prints the repair; --diff / --write)")
    f.add_argument("paths", nargs="+", metavar="PATH")
    g = f.add_mutually_exclusive_group()
    g.add_argument("--write", action="store_true", help="rewrite the files in place")
    g.add_argument("--diff", action="store_true", help="print a unified diff that `git apply` accepts")
    f.add_argument("--format", choices=("text", "json"), default="text")
    f.add_argument("--config", metavar="FILE")
    f.add_argument("--no-verify", action="store_true", help="do not build repaired models with real Keras")
    f.add_argument("--verbose", "-v", action="store_true")
    _target_options(f)
    sub.add_parser("github", help="run the GitHub bot (see docs/workflows.md)", add_help=False)
    return p


def _target_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--target",
        choices=("keras3", "keras2", "auto"),
        help="the Keras that judges the code (default: the config's `target`, else auto: read from the "
        "repository's requirements; Keras 3 without evidence). See docs/targets.md",
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # odd file names must not break printing
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]  # duck-typed: AttributeError below
        except (AttributeError, ValueError):
            pass
    try:
        if argv and argv[0] == "github":
            return _github(argv[1:])
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help(sys.stderr)
            return USAGE_ERROR
        return _run(args)
    except SystemExit as e:  # argparse (usage errors, --help, --version)
        code = e.code
        return code if isinstance(code, int) else (0 if code is None else USAGE_ERROR)
    except KeyboardInterrupt:
        sys.stderr.write("nnrepair: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # last resort: never a traceback
        sys.stderr.write(f"nnrepair: internal error: {type(e).__name__}: {e}\n")
        if os.environ.get("NNREPAIR_DEBUG"):
            import traceback

            traceback.print_exc()
        return USAGE_ERROR


def _github(rest: list) -> int:
    try:
        from bot.cli import main as bot_main
    except ImportError as e:
        sys.stderr.write(f"nnrepair: the GitHub bot is not available in this installation ({e})\n")
        return USAGE_ERROR
    return bot_main(rest)


def _load_config(path: str | None):
    from .config import ConfigError, find_config, load_config

    try:
        return load_config(path if path is not None else find_config(os.getcwd()))
    except ConfigError as e:
        sys.stderr.write(f"nnrepair: {e}\n")
        return None


def _run(args) -> int:
    from .api import analyze_paths
    from .render import render, to_text

    config = _load_config(args.config)
    if config is None:
        return USAGE_ERROR
    if getattr(args, "target", None):
        from dataclasses import replace

        config = replace(config, target=args.target)
    if getattr(args, "report", "findings") == "migration":
        from .migration import run_migration

        return run_migration(args, config)
    fix = args.command == "fix"
    verify = not getattr(args, "no_verify", False)
    report = analyze_paths(args.paths, fix=fix, config=config, verify=verify)
    for msg in report.errors:
        sys.stderr.write(f"nnrepair: {msg}\n")
    out = sys.stdout
    if not fix:
        if args.format == "text":
            out.write(with_target_line(to_text(report, "check", verbose=args.verbose), report))
        else:
            out.write(render(report, args.format, "check"))
        return report.exit_code("check")
    # fix
    if args.format == "json":
        out.write(render(report, "json", "fix"))
    elif args.diff:
        out.write(unified_diffs(report))
        sys.stderr.write(_summary_line(report))
    else:
        out.write(with_target_line(to_text(report, "fix", verbose=args.verbose), report))
    if args.write:
        failed = write_fixes(report)
        if failed:
            return USAGE_ERROR
        if report.fixed_texts and args.format == "text":
            n = len(report.fixed_texts)
            out.write(f"wrote {n} file{'s' if n != 1 else ''}: {', '.join(sorted(report.fixed_texts))}\n")
    return report.exit_code("fix")


def with_target_line(text: str, report) -> str:
    """The text report names its target on one line, just above the summary (the last line)."""
    if report.target is None:
        return text
    lines = text.rstrip("\n").split("\n")
    lines.insert(len(lines) - 1, report.target.describe())
    return "\n".join(lines) + "\n"


def _summary_line(report) -> str:
    from .render import summary

    return summary(report, "fix") + "\n"


def write_fixes(report) -> int:
    """Rewrite each fixed file atomically (same mode, same newlines). Returns the number of failures."""
    failed = 0
    for path, text in sorted(report.fixed_texts.items()):
        try:
            mode = os.stat(path).st_mode & 0o7777
            d = os.path.dirname(os.path.abspath(path))
            fd, tmp = tempfile.mkstemp(prefix=".nnrepair-", dir=d)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())  # the new text is on disk before it replaces the old one
                os.chmod(tmp, mode)
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        except OSError as e:
            failed += 1
            sys.stderr.write(f"nnrepair: cannot write {path}: {e.strerror or e}\n")
    return failed


# ---------------------------------------------------------------------------
# diffs


def unified_diffs(report) -> str:
    parts = []
    for path in sorted(report.fixed_texts):
        old = report.original_texts.get(path)
        if old is None:
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    old = f.read()
            except OSError:
                old = ""
        parts.append(unified_diff(old, report.fixed_texts[path], path))
    return "".join(parts)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
