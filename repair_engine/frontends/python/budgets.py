"""How much evaluation a file gets, in proportion to what its models need.

The evaluator counts steps (statements, expressions, calls, loop iterations).
The step count alone decides when to stop, so the same file gives the same
answer on an idle or a loaded machine; the wall clock (MAX_SECONDS) is only a
safety net against a bug in the evaluator.

- The budget grows with the file: BASE + STEPS_PER_LINE per source line, so a
  60,000-line file is read to its end (a plain statement costs about 6 steps).
- A top-level statement that exhausts the budget is abandoned: the names it
  assigns become UNKNOWN, models it started are dropped, and the next
  statement gets a fresh STATEMENT_ALLOWANCE. One runaway computation (a huge
  comprehension, a training loop) no longer hides the model written after it.
- A loop whose iterations build nothing (no layer, model or tensor: training
  loops, data preparation) is not unrolled once the rest of it would cost
  more than SKIP_LOOP_STEPS: the rest is read as a loop of unknown length
  (what it assigns becomes UNKNOWN), so a loop that would run for hours costs
  about one iteration.
- A comprehension that builds nothing stops at MAX_DATA_ELEMENTS elements
  (its value becomes UNKNOWN): such tables never decide a layer's shape.
"""

from __future__ import annotations

MAX_STEPS = 200_000  # the base budget of every file
STEPS_PER_LINE = 20
MAX_SECONDS = 60.0  # safety net only; the step budget decides
STATEMENT_ALLOWANCE = 20_000
SKIP_LOOP_STEPS = 5_000
MAX_DATA_ELEMENTS = 1_024


def step_budget(base: int, lines: int) -> int:
    """The steps a file of `lines` lines may use, for a base budget `base`."""
    return base + STEPS_PER_LINE * max(lines, 0)


def statement_allowance(base: int) -> int:
    """Steps granted to each top-level statement after the budget ran out
    (a tenth of the base, so small test budgets stay small)."""
    return max(min(STATEMENT_ALLOWANCE, base // 10), 100)


def progress(ev) -> tuple:
    """What the evaluator has built so far: equal markers mean nothing was built in between."""
    return (
        len(ev.layer_objs),
        len(ev.models),
        len(ev.graph.nodes),
        sum(len(m.entries) for m in ev.models),
        ev.serial,
    )


def not_worth_unrolling(done: int, remaining: int, spent: int, built_nothing: bool) -> bool:
    """After `done` iterations that cost `spent` steps and built nothing, are
    the `remaining` ones too costly to unroll?"""
    if not built_nothing or done <= 0 or remaining <= 0:
        return False
    return spent * remaining > SKIP_LOOP_STEPS * done
