"""`python -m repair_engine ...` is the `nnrepair` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
