"""The Docker action's entry point: `nnrepair github ARGS` (GitHub passes only ARGS), or,
when the first argument is `nnrepair`, the CLI exactly as given (`docker run IMAGE nnrepair
--help` shows the top-level help, not the github subcommand's)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "nnrepair":
        from repair_engine.cli import main as cli_main

        return int(cli_main(args[1:]) or 0)
    from .cli import main as github_main

    return github_main(args)


if __name__ == "__main__":
    sys.exit(main())
