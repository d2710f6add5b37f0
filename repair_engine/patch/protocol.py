"""The one protocol of every writer (after LibCST's codemod results).

A writer is a module with `write(text, original, repaired) -> Success | Failure | Skip`:
`text` is the file as read, `original` the model the reader built from it (its
spans point into `text`) and `repaired` the model to write in.

- `Success(text, edits)`: the new file text (and the edits that make it, when the
  writer records them);
- `Failure(reason)`: the repair cannot be expressed in this file (a refusal,
  e.g. a rewired edge in a JSON config); `reason` says why, in a sentence;
- `Skip(reason)`: there is nothing this writer can do for the file (no writer
  for its format).

Inside a writer a refusal is raised as `PatchError(reason)` and turned into a
`Failure` at its `write`; any other exception is a bug and propagates, so the
boundary (api.py) reports it as an internal error (exit 2), never as "no diff".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..ir import Model


class PatchError(Exception):
    """The repair cannot be written back into this source (a writer's refusal)."""


@dataclass(frozen=True)
class Success:
    text: str
    edits: tuple = ()


@dataclass(frozen=True)
class Failure:
    reason: str


@dataclass(frozen=True)
class Skip:
    reason: str


Outcome = Success | Failure | Skip


class Writer(Protocol):
    def write(self, text: str, original: Model, repaired: Model) -> Outcome: ...


def refusals_as_failure(produce: Callable[[], Success]) -> Success | Failure:
    """`produce()`, with a PatchError it raises as a Failure (other exceptions propagate)."""
    try:
        return produce()
    except PatchError as exc:
        return Failure(str(exc) or "the repair cannot be written into this file")
