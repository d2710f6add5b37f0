"""The Jinja2 environment that renders every text the bot writes (templates/*.md.j2)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

from repair_engine.diagnostics import fmt_shape as engine_fmt_shape
from repair_engine.render import docs_url  # one docs address (NNREPAIR_DOCS_URL) for the CLI and the bot


def template_dirs() -> list[str]:
    """The copy shipped inside the package (bot/templates/, as the Docker image installs it)
    first, then the repository checkout's templates/ beside bot/."""
    here = Path(__file__).resolve().parent
    candidates = (here / "templates", here / "jinja_templates", here.parent / "templates")
    dirs = [str(p) for p in candidates if p.is_dir()]
    if not dirs:
        raise RuntimeError("nnrepair: the bot's templates are missing from this installation")
    return dirs


def fmt_shape(shape) -> str:
    """A shape of the JSON as the engine's messages print it (diagnostics.fmt_shape:
    unknown rank -> '(unknown)'); a list of shapes -> each, comma-separated."""
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return ", ".join(fmt_shape(s) for s in shape)
    if shape is not None and not isinstance(shape, (list, tuple)):
        return str(shape)
    return engine_fmt_shape(shape)


def fmt_shapes(shapes) -> str:
    """A list of output shapes (the JSON's `output_shapes`) -> text; '' when none is known."""
    if not isinstance(shapes, (list, tuple)) or not shapes:
        return ""
    if any(isinstance(d, int) for d in shapes):
        return fmt_shape(shapes)  # a single shape ([None, 10]: a list of shapes holds no bare int)
    if all(s is None for s in shapes):
        return ""
    return ", ".join(fmt_shape(s) for s in shapes)


def md_cell(text) -> str:
    """Text safe inside a Markdown table cell (one line, no bare pipes)."""
    s = "" if text is None else str(text)
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def fence(text: str, lang: str = "") -> str:
    """A fenced block whose fence is longer than any backtick run inside the text."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or text == "" else text + "\n"
    return f"{ticks}{lang}\n{body}{ticks}"


def github_slug(heading: str) -> str:
    """GitHub's heading anchor: lower-case, punctuation dropped (except - and _), spaces -> '-'."""
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


@lru_cache(maxsize=1)
def _doc_anchors() -> dict[str, str]:
    """NNR101 -> the anchor of its heading in docs/diagnostics.md (when the docs are beside us)."""
    here = Path(__file__).resolve().parent
    for p in (here.parent / "docs" / "diagnostics.md", here / "docs" / "diagnostics.md"):
        if p.is_file():
            out = {}
            for line in p.read_text(encoding="utf-8").splitlines():
                m = re.match(r"^#{2,3}\s+(NNR\d{3})\b(.*)$", line)
                if m:
                    out[m.group(1)] = github_slug(m.group(1) + m.group(2))
            return out
    return {}


def code_anchor(code: str) -> str:
    return _doc_anchors().get(code or "", (code or "").lower())


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dirs()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Markdown, not HTML; user text is escaped per cell with md_cell
    )
    env.filters["shape"] = fmt_shape
    env.filters["shapes"] = fmt_shapes
    env.filters["cell"] = md_cell
    env.filters["fence"] = fence
    env.filters["anchor"] = code_anchor
    env.globals["docs_url"] = docs_url
    return env


def render(name: str, **context) -> str:
    text = environment().get_template(name).render(**context)
    # no blank-line squeezing: suggestion blocks must keep the code exactly
    return text.strip("\n") + "\n"
