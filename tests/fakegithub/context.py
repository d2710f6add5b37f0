"""What a handler sees of one request (Ctx), and GitHub's pagination."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from .render import Renderer
from .state import ApiError, Repo, Token, World

@dataclass
class RawBody:
    """A non-JSON response body (diffs, raw file contents)."""

    data: bytes
    content_type: str


@dataclass
class Ctx:
    world: World
    render: Renderer
    method: str
    path: str
    query: dict[str, str]
    body: object
    token: Token
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    accept: str = ""

    # --- helpers the handlers share ----------------------------------------------

    @property
    def repo(self) -> Repo:
        return self.world.get_repo(f"{self.params['owner']}/{self.params['repo']}")

    def json_body(self) -> dict:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, "Problems parsing JSON")
        return self.body

    def number(self, key: str = "number") -> int:
        return int(self.params[key])

    def paginate(self, items: list, cap: int | None = None) -> list:
        """GitHub pagination: per_page (default 30, max 100), page, and a Link header."""
        if cap is not None:
            items = items[:cap]
        per_page = _int(self.query.get("per_page"), 30)
        per_page = 30 if per_page <= 0 else min(per_page, 100)
        page = max(1, _int(self.query.get("page"), 1))
        last = max(1, -(-len(items) // per_page))
        links = []

        def link(n: int, rel: str) -> str:
            query = dict(self.query)
            query["page"] = str(n)
            return f'<{self.world.api_url}{self.path}?{urllib.parse.urlencode(query)}>; rel="{rel}"'

        if page > 1:
            links.append(link(min(page - 1, last), "prev"))
        if page < last:
            links.append(link(page + 1, "next"))
            links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        if links:
            self.headers["Link"] = ", ".join(links)
        return items[(page - 1) * per_page : page * per_page]


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _as_bool(value, default: bool = False) -> bool:
    return default if value is None else bool(value)
