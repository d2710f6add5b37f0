"""A thin PyGithub wrapper: one place for retries, rate limits, headers and token hygiene.

As GitHub's REST best practices ask:
- every request says `Accept: application/vnd.github+json`, `X-GitHub-Api-Version` and a
  User-Agent naming nnrepair and its version;
- requests are serial (one thread; writes at least `seconds_between_writes` apart);
- 5xx and connection errors: exponential backoff with full jitter, bounded attempts;
- 403/429 rate limits: `Retry-After` seconds if given; else, with x-ratelimit-remaining 0,
  until `x-ratelimit-reset`; else (a secondary limit without a header) at least one minute,
  doubling on each further hit; a little jitter on top; the total wait is bounded;
- every request is counted against a per-run budget (GITHUB_TOKEN allows 1,000 an hour per
  repository), reported in the job summary;
- other 4xx are raised at once (callers decide: 403 => read-only, 404 => vanished, 422 => refused).
The token lives only inside the Auth object; `redact()` scrubs it from any text we print.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException, InputGitTreeElement

from . import __version__
from .review import ChangedFile

T = TypeVar("T")

DEFAULT_API_URL = "https://api.github.com"
WRITE_PERMISSIONS = ("admin", "maintain", "write")
API_VERSION = "2022-11-28"
ACCEPT = "application/vnd.github+json"
USER_AGENT = f"nnrepair/{__version__}"
ACTIONS_LOGIN = "github-actions[bot]"  # who GITHUB_TOKEN posts as
DEFAULT_REQUEST_BUDGET = 1000  # GITHUB_TOKEN's hourly allowance per repository


class RequestHeaders(Auth.Auth):
    """PyGithub calls `authentication(headers)` once per request, just before sending it: the
    one hook where every request gets GitHub's Accept header (and the token, if any), and where
    requests can be counted against the run's budget."""

    def __init__(self, token: str | None, on_request: Callable[[], None]):
        self._token = token or ""
        self._on_request = on_request

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._token

    def authentication(self, headers: dict) -> None:
        self._on_request()
        if self._token:
            headers["Authorization"] = f"token {self._token}"
        headers.setdefault("Accept", ACCEPT)  # a call that asks for another media type keeps it


class ApiError(Exception):
    """A GitHub call that failed for good; `status` is the HTTP status (0 for network errors)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"GitHub API {status}: {message}")
        self.status = status
        self.message = message
        self.in_flight = False  # a network error after the request may have been sent


class BudgetSpent(ApiError):
    """The run's request budget is spent: nothing more is asked of GitHub."""

    def __init__(self, budget: int):
        super().__init__(429, f"this run's budget of {budget} API requests is spent")


def is_protected_branch_refusal(status: int, message: str) -> bool:
    """GitHub's answers to a push onto a protected branch or one a ruleset guards."""
    text = (message or "").lower()
    return status in (403, 409, 422) and ("protected branch" in text or "rule violation" in text)


def _header(headers: dict | None, name: str) -> str | None:
    for k, v in (headers or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def is_rate_limited(status: int, headers: dict | None, message: str) -> bool:
    if status == 429:
        return True
    if status != 403:
        return False
    if _header(headers, "retry-after") is not None:
        return True
    if _header(headers, "x-ratelimit-remaining") == "0":
        return True
    return "rate limit" in (message or "").lower()


def retry_delay(
    status: int,
    headers: dict | None,
    attempt: int,
    *,
    base: float,
    now: float,
    rng: random.Random,
    rate_limit_wait: float = 60.0,
) -> float:
    """Seconds to wait before retry number `attempt` (0-based). `rate_limit_wait` is GitHub's
    "at least one minute" for a secondary limit that names no wait (smaller in tests)."""
    if status in (403, 429):
        jitter = 1.0 + 0.1 * rng.random()  # many clients told the same instant should not return together
        ra = _header(headers, "retry-after")
        if ra is not None:
            try:
                return max(0.0, float(ra)) * jitter
            except ValueError:
                pass
        reset = _header(headers, "x-ratelimit-reset")
        if reset is not None and _header(headers, "x-ratelimit-remaining") == "0":
            try:
                return max(0.0, float(reset) - now) * jitter + min(1.0, rate_limit_wait)
            except ValueError:
                pass
        return rate_limit_wait * (2**attempt) * jitter
    # full jitter: uniform in [0, base * 2**attempt], at least a tenth of the step
    step = base * (2**attempt)
    return step * (0.1 + 0.9 * rng.random())


def _message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict):
        msg = data.get("message") or ""
        errs = data.get("errors")
        if errs:
            msg += f" ({errs})"
        return str(msg)
    return str(data or "")


def _maybe_sent(exc: BaseException) -> bool:
    """Could the request have reached GitHub? Not when the connection was never made."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    text = str(exc)
    return not any(
        s in text
        for s in ("NewConnectionError", "Connection refused", "Name or service not known", "nodename nor servname")
    )


class GitHubClient:
    def __init__(
        self,
        token: str | None,
        api_url: str | None = None,
        *,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        max_total_wait: float = 300.0,
        seconds_between_writes: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        log: Callable[[str], None] | None = None,
        rate_limit_wait: float = 60.0,
        request_budget: int = DEFAULT_REQUEST_BUDGET,
        bot_login: str | None = None,
    ):
        self._token = token or ""
        self.rate_limit_wait = rate_limit_wait
        self.request_budget = request_budget
        self.requests_made = 0
        self.bot_login = bot_login  # the identity the bot posts as, when GET /user cannot say
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.max_total_wait = max_total_wait
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.log = log or (lambda s: None)
        self.waits: list[float] = []  # every wait we did, for tests and the summary
        self.timeout = max(1, int(round(timeout)))  # PyGithub takes whole seconds
        self.gh = Github(
            auth=RequestHeaders(token, self._count_request),
            base_url=self.api_url,
            per_page=100,
            retry=None,  # retries are ours (see call)
            timeout=self.timeout,
            user_agent=USER_AGENT,
            api_version=API_VERSION,
            seconds_between_requests=None,
            seconds_between_writes=seconds_between_writes or None,
        )

    def _count_request(self) -> None:
        if self.requests_made >= self.request_budget:
            raise BudgetSpent(self.request_budget)
        self.requests_made += 1

    def rate_remaining(self) -> tuple[int, int] | None:
        """(remaining, limit) of the hourly budget as GitHub's last answer reported it."""
        remaining, limit = getattr(self.gh, "rate_limiting", (-1, -1))
        return (remaining, limit) if limit and limit > 0 else None

    def __repr__(self) -> str:  # never show the token
        return f"GitHubClient(api_url={self.api_url!r})"

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    # --- the retry loop ------------------------------------------------------------------

    def call(
        self, fn: Callable[..., T], *args: Any, already_done: Callable[[], bool] | None = None, **kwargs: Any
    ) -> T:
        """Run one API call with retries. `already_done`, for non-idempotent writes, is asked
        before each retry whether the failed attempt took effect after all (a 502 after the write)."""
        waited = 0.0
        attempt = 0
        in_flight = False
        while True:
            if attempt and already_done is not None:
                try:
                    if already_done():
                        return None  # type: ignore[return-value]
                except (GithubException, OSError, requests.exceptions.RequestException):
                    pass
            try:
                return fn(*args, **kwargs)
            except BudgetSpent:
                raise
            except GithubException as exc:
                status, headers, msg = exc.status, exc.headers or {}, _message(exc)
                retryable = status >= 500 or is_rate_limited(status, headers, msg)
                if not retryable or attempt + 1 >= self.max_attempts:
                    raise ApiError(status, self.redact(msg)) from None
            except (OSError, requests.exceptions.RequestException) as exc:  # network errors
                status, headers, msg = 0, {}, str(exc)
                in_flight = _maybe_sent(exc)
                if attempt + 1 >= self.max_attempts:
                    err = ApiError(0, self.redact(msg))
                    err.in_flight = in_flight
                    raise err from None
            delay = retry_delay(
                status,
                headers,
                attempt,
                base=self.backoff_base,
                now=time.time(),
                rng=self.rng,
                rate_limit_wait=self.rate_limit_wait,
            )
            if status == 0 and in_flight and already_done is not None:
                # a write that timed out may still be under way: give it as long again to land
                # before looking for it, or the look-up could miss it and the retry duplicate it
                delay = max(delay, self.timeout)
            if waited + delay > self.max_total_wait:
                raise ApiError(status, self.redact(f"giving up after waiting {waited:.0f}s: {msg}"))
            self.log(f"GitHub API {status or 'network error'}; retrying in {delay:.3g}s")
            self.waits.append(delay)
            self.sleep(delay)
            waited += delay
            attempt += 1

    def all(self, paginated: Iterable[T]) -> list[T]:
        return self.call(lambda: list(paginated))

    # --- identity ------------------------------------------------------------------------

    _login: str | None | bool = False  # False: not asked yet

    def self_login(self) -> str | None:
        """The token's user, or None for installation tokens (GITHUB_TOKEN), whose GET /user is 403."""
        if self._login is False:
            try:
                self._login = self.call(lambda: self.gh.get_user().login)
            except ApiError:
                self._login = None
        return self._login  # type: ignore[return-value]

    def identity(self) -> str:
        """The login the bot posts as: the token's user; for installation tokens (GET /user is
        403) the configured `bot-login`, by default github-actions[bot], GITHUB_TOKEN's identity."""
        return self.self_login() or self.bot_login or ACTIONS_LOGIN

    def is_ours(self, obj) -> bool:
        """Was this comment/issue written by the bot? Markers alone could be pasted by anyone, so
        only the bot's own identity counts (not any Bot account). Residual risk: every workflow of
        the repository that uses GITHUB_TOKEN posts as the same github-actions[bot]."""
        user = getattr(obj, "user", None)
        if user is None:
            return False
        return (user.login or "").lower() == self.identity().lower()

    # --- reads ---------------------------------------------------------------------------

    def repo(self, full_name: str):
        return self.call(self.gh.get_repo, full_name)

    def pull(self, repo, number: int):
        return self.call(repo.get_pull, number)

    def pull_files(self, pull) -> list[ChangedFile]:
        files = self.all(pull.get_files())
        return [ChangedFile(path=f.filename, status=f.status, patch=f.patch, sha=f.sha) for f in files]

    def file_bytes(self, repo, path: str, ref: str) -> bytes:
        """Contents at `ref`; files over the contents-API size limit come through the blob API."""
        cf = self.call(repo.get_contents, path, ref=ref)
        if isinstance(cf, list):
            raise ApiError(422, f"{path} is a directory")
        if getattr(cf, "encoding", None) == "base64" and cf.content is not None:
            return cf.decoded_content
        return self.blob_bytes(repo, cf.sha)

    def blob_bytes(self, repo, sha: str) -> bytes:
        blob = self.call(repo.get_git_blob, sha)
        if blob.encoding == "base64":
            return base64.b64decode(blob.content)
        return blob.content.encode("utf-8")

    def tree_files(self, repo, sha: str) -> list[tuple[str, str, int]]:
        """(path, blob sha, size) of every file in the tree of commit/tree `sha`. A recursive
        listing GitHub cut (`truncated: true`, past 100,000 entries or 7 MB) is redone by walking
        the subtrees one request at a time, so no file silently drops out of a scan."""
        return [(path, blob, size) for path, blob, size, _mode in self.tree_entries(repo, sha)]

    def tree_entries(self, repo, sha: str) -> list[tuple[str, str, int, str]]:
        """(path, blob sha, size, mode) of every file: the recursive listing, or the walk."""
        tree = self.call(repo.get_git_tree, sha, recursive=True)
        if not tree.raw_data.get("truncated"):
            return [(e.path, e.sha, e.size or 0, e.mode) for e in tree.tree if e.type == "blob"]
        self.log("GitHub API: the recursive tree was truncated; walking its subtrees")
        return self._walk_tree(repo, sha, "")

    def _walk_tree(self, repo, sha: str, prefix: str) -> list[tuple[str, str, int, str]]:
        out: list[tuple[str, str, int, str]] = []
        pending = [(sha, prefix)]
        while pending:  # breadth-first, serial: one tree per request
            tree_sha, base = pending.pop(0)
            tree = self.call(repo.get_git_tree, tree_sha)
            if tree.raw_data.get("truncated"):
                self.log(f"GitHub API: the tree of {base or '/'} is truncated even unrecursed; some files are skipped")
            for e in tree.tree:
                path = f"{base}{e.path}"
                if e.type == "blob":
                    out.append((path, e.sha, e.size or 0, e.mode))
                elif e.type == "tree":
                    pending.append((e.sha, path + "/"))
        return out

    def permission(self, repo, user: str) -> str:
        try:
            return self.call(repo.get_collaborator_permission, user)
        except ApiError as e:
            if e.status in (403, 404):
                return "none"
            raise

    def review_comments(self, pull) -> list:
        return self.all(pull.get_review_comments())

    def issue_comments(self, issue) -> list:
        return self.all(issue.get_comments())

    def commit_message(self, repo, sha: str) -> str:
        return self.call(repo.get_git_commit, sha).message

    # --- writes --------------------------------------------------------------------------
    #
    # A 5xx or a timeout can hide a write that GitHub applied. Every write that is not
    # idempotent goes through `write_once`: before each retry, and once more after the last
    # failure, it looks for what the write would have produced (the bot's own marker on a
    # re-listed comment/issue/PR, a ref already at the new commit) and stops there.

    _LOOKUP_ERRORS = (GithubException, OSError, requests.exceptions.RequestException, ApiError)

    def write_once(self, fn: Callable[..., T], *args: Any, find: Callable[[], Any], **kwargs: Any):
        """Run a non-idempotent write at most once in effect. `find()` returns what an earlier
        attempt created (or a truthy value when an edit is already in place), else None/False.
        Returns the write's result, or what `find()` found after a failure that hid a success."""
        found: list = []

        def done() -> bool:
            hit = find()
            if hit is not None and hit is not False:
                found.append(hit)
                return True
            return False

        try:
            out = self.call(fn, *args, already_done=done, **kwargs)
        except ApiError as e:
            if e.status and e.status < 500:  # refused (4xx): nothing was written
                raise
            if e.status == 0 and e.in_flight:
                self.sleep(self.timeout)  # the last attempt may still be landing
            try:
                if done():
                    self.log("GitHub API: the failed write had been applied after all")
                    return found[-1]
            except self._LOOKUP_ERRORS:
                pass
            raise
        if found:
            self.log("GitHub API: the failed write had been applied after all; not repeated")
            return found[-1]
        return out

    def create_review(self, repo, pull, commit_sha: str, body: str, comments: list[dict]):
        # raw call: PyGithub wants a Commit object for commit_id, which costs an extra request
        params = {"commit_id": commit_sha, "body": body, "event": "COMMENT", "comments": comments}
        first = comments[0]["body"] if comments else ""
        marker = next((line for line in first.splitlines() if line.startswith("<!-- nnrepair:finding ")), None)
        marker = marker or (first.splitlines()[0] if first else None)

        def posted():  # a 5xx may hide a review that was in fact created: its first comment is there
            # (made on this commit: an outdated comment re-posted here carries the same marker)
            return marker is not None and any(
                marker in (c.body or "")
                and getattr(c, "original_commit_id", commit_sha) == commit_sha
                and self.is_ours(c)
                for c in pull.get_review_comments()
            )

        out = self.write_once(
            pull.requester.requestJsonAndCheck, "POST", f"{pull.url}/reviews", input=params, find=posted
        )
        return out[1] if isinstance(out, tuple) else {}

    def edit(self, obj, body: str | None = None, **fields: Any) -> None:
        """PATCH a comment, issue or PR (body, state, ...). Before a retry the object is re-read,
        so an edit a 5xx hid is not applied twice."""
        wanted = dict(fields)
        if body is not None:
            wanted["body"] = body

        def applied() -> bool:
            obj.update()
            return all((getattr(obj, k, None) or "") == v for k, v in wanted.items())

        self.write_once(obj.edit, find=applied, **wanted)

    THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        nodes { id isResolved comments(first: 1) { nodes { databaseId } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""
    RESOLVE_MUTATION = """
mutation($threadId: ID!) {
  resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } }
}"""

    def resolve_threads(self, repo_full_name: str, number: int, comment_ids: set[int]) -> int:
        """Resolve the review threads that start with these comments (GraphQL: REST cannot).
        With "require conversation resolution" on, an open thread of a fixed finding blocks the
        merge. Returns how many threads were resolved."""
        if not comment_ids:
            return 0
        owner, name = repo_full_name.split("/", 1)
        requester = self.gh.requester
        open_threads, cursor = [], None
        for _page in range(20):  # 2,000 threads: far beyond any PR the bot comments on
            variables = {"owner": owner, "name": name, "number": number, "cursor": cursor}
            _, data = self.call(requester.graphql_query, self.THREADS_QUERY, variables)
            page = data["data"]["repository"]["pullRequest"]["reviewThreads"]
            for t in page["nodes"]:
                first = (t.get("comments") or {}).get("nodes") or [{}]
                if not t.get("isResolved") and first[0].get("databaseId") in comment_ids:
                    open_threads.append(t["id"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            cursor = page["pageInfo"]["endCursor"]
        for tid in open_threads:  # resolving twice is harmless: a plain retry is safe
            self.call(requester.graphql_query, self.RESOLVE_MUTATION, {"threadId": tid})
        return len(open_threads)

    def create_issue_comment(self, issue, body: str, *, find: Callable[[], Any] | None = None):
        """Post a comment; `find` (re-listing the thread for the bot's marker) guards the retries.
        Without one, the exact body by the bot counts as the earlier attempt."""
        if find is None:

            def find():
                return next((c for c in issue.get_comments() if (c.body or "") == body and self.is_ours(c)), None)

        return self.write_once(issue.create_comment, body, find=find)

    def commit_files(
        self,
        repo,
        branch: str,
        parent_sha: str,
        files: dict[str, str | bytes],
        message: str,
        *,
        force: bool = False,
        create: bool = False,
    ) -> str:
        """Blobs -> tree (on the parent's tree) -> commit -> ref update. Returns the new commit sha.

        Blobs and trees are content-addressed, so a retried POST makes nothing new; a retried
        commit POST at worst leaves an unreferenced commit object. The ref write is what counts:
        it is checked (ref already at the new commit) before any retry."""
        parent = self.call(repo.get_git_commit, parent_sha)
        modes = {path: mode for path, _sha, _size, mode in self.tree_entries(repo, parent.tree.sha)}
        elements = []
        for path, content in sorted(files.items()):
            data = content.encode("utf-8") if isinstance(content, str) else content
            blob = self.call(repo.create_git_blob, base64.b64encode(data).decode("ascii"), "base64")
            # an executable model script stays executable; a new file is a plain one
            mode = modes.get(path, "100644") if modes.get(path, "100644") in ("100644", "100755") else "100644"
            elements.append(InputGitTreeElement(path=path, mode=mode, type="blob", sha=blob.sha))
        tree = self.call(repo.create_git_tree, elements, parent.tree)
        commit = self.call(repo.create_git_commit, message, tree, [parent])

        def ref_at_commit() -> bool:
            try:
                return repo.get_git_ref(f"heads/{branch}").object.sha == commit.sha
            except GithubException as e:
                if e.status == 404:
                    return False
                raise

        if create:
            self.write_once(repo.create_git_ref, f"refs/heads/{branch}", commit.sha, find=ref_at_commit)
        else:
            ref = self.call(repo.get_git_ref, f"heads/{branch}")
            self.write_once(ref.edit, commit.sha, force=force, find=ref_at_commit)
        return commit.sha
