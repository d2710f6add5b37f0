"""The fake GitHub's world: users, tokens, repositories, issues, pulls, reviews.

All of it is plain Python objects guarded by one lock (the server handles one
request at a time against this state; requests themselves run on threads).
GitHub's rules live here: who may write where, which review lines resolve,
fast-forward checks on refs. Rendering to JSON is server.py's job.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .git_backend import FileChange, GitRepo

DOCS = "https://docs.github.com/rest"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
NOT_ACCESSIBLE = "Resource not accessible by integration"
MAX_PR_FILES = 3000


class ApiError(Exception):
    """An HTTP error exactly as the server will send it."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list | None = None,
        documentation_url: str = DOCS,
        headers: dict | None = None,
    ):
        super().__init__(f"{status} {message} {errors or ''}")
        self.status = status
        self.message = message
        self.errors = errors
        self.documentation_url = documentation_url
        self.headers = headers or {}

    def body(self) -> dict:
        body: dict = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        body["documentation_url"] = self.documentation_url
        body["status"] = str(self.status)
        return body


def not_found(message: str = "Not Found") -> ApiError:
    return ApiError(404, message)


def unprocessable(errors: list, message: str = "Unprocessable Entity", doc: str = DOCS) -> ApiError:
    return ApiError(422, message, errors, doc)


def rejected(message: str) -> ApiError:
    """A 422 whose body is only a message (GitHub's git-data and contents errors)."""
    return ApiError(422, message)


def validation_failed(resource: str, field_name: str, code: str, message: str | None = None) -> ApiError:
    error = {"resource": resource, "field": field_name, "code": code}
    if message:
        error["message"] = message
    return ApiError(422, "Validation Failed", [error])


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the world's objects ------------------------------------------------------


@dataclass
class Token:
    value: str
    login: str
    permissions: str  # "write" | "read"
    repos: set[str] | None  # None: every repository that is not a fork
    rate_limit: int = 5000  # primary limit: requests per hour
    used: int = 0
    reset: int = 0  # epoch seconds when `used` starts over
    created_content: list[float] = field(default_factory=list)  # monotonic times of content-creating requests


@dataclass
class User:
    login: str
    id: int

    @property
    def type(self) -> str:
        return "Bot" if self.login.endswith("[bot]") else "User"


@dataclass
class IssueComment:
    id: int
    number: int
    body: str
    user: str
    created_at: str
    updated_at: str


@dataclass
class Review:
    id: int
    number: int
    user: str
    body: str
    state: str  # PENDING | COMMENTED | APPROVED | CHANGES_REQUESTED | DISMISSED
    commit_id: str
    submitted_at: str | None


@dataclass
class ReviewComment:
    id: int
    number: int
    review_id: int
    path: str
    line: int | None
    side: str
    start_line: int | None
    start_side: str | None
    position: int | None
    diff_hunk: str
    body: str
    commit_id: str
    original_commit_id: str
    user: str
    in_reply_to_id: int | None
    created_at: str
    updated_at: str


@dataclass
class Issue:
    number: int
    id: int
    title: str
    body: str | None
    user: str
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    closed_at: str | None = None
    is_pull: bool = False
    comments: list[IssueComment] = field(default_factory=list)


@dataclass
class Pull:
    issue: Issue
    id: int
    head_repo: str
    head_ref: str
    base_ref: str
    head_sha: str
    maintainer_can_modify: bool
    draft: bool = False
    merged: bool = False
    reviews: list[Review] = field(default_factory=list)
    review_comments: list[ReviewComment] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.issue.number


@dataclass
class Repo:
    full_name: str
    id: int
    git: GitRepo
    default_branch: str
    parent: str | None = None
    collaborators: dict[str, str] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)  # name -> label id
    issues: dict[int, Issue] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    created_at: str = field(default_factory=now_iso)
    next_number: itertools.count = field(default_factory=lambda: itertools.count(1))
    # Settings > Actions > "Allow GitHub Actions to create and approve pull requests" (off by default on GitHub)
    actions_can_create_pulls: bool = True
    has_issues: bool = True
    archived: bool = False
    protected_branches: set[str] = field(default_factory=set)

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


@dataclass
class Injection:
    status: int | None
    remaining: int
    retry_after: int | None
    path_regex: re.Pattern | None
    method: str | None
    secondary_rate_limit: bool
    delay: float = 0.0  # seconds to stall before answering (slow GitHub, client timeouts)


# --- diff hunks: which lines a review comment may target ------------------------


@dataclass
class Hunk:
    header_position: int  # position of the "@@" line (0 for the first hunk)
    lines: list[tuple[str, int | None, int | None, int]]  # (kind " +-\\", old_no, new_no, position)
    text_lines: list[str]


def parse_hunks(patch: str) -> list[Hunk]:
    hunks: list[Hunk] = []
    old_no = new_no = 0
    for position, text in enumerate(patch.split("\n")):
        m = re.match(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@", text)
        if m:
            old_no, new_no = int(m.group(1)), int(m.group(2))
            hunks.append(Hunk(position, [], [text]))
            continue
        if not hunks:
            continue
        hunk = hunks[-1]
        hunk.text_lines.append(text)
        kind = text[:1] or " "
        if kind == "+":
            hunk.lines.append(("+", None, new_no, position))
            new_no += 1
        elif kind == "-":
            hunk.lines.append(("-", old_no, None, position))
            old_no += 1
        elif kind == "\\":
            hunk.lines.append(("\\", None, None, position))
        else:
            hunk.lines.append((" ", old_no, new_no, position))
            old_no += 1
            new_no += 1
    return hunks


def find_line(hunks: list[Hunk], side: str, line: int) -> tuple[int, int] | None:
    """(hunk index, index within hunk) of a line number on a side, or None if outside every hunk."""
    for h_index, hunk in enumerate(hunks):
        for l_index, (kind, old_no, new_no, _pos) in enumerate(hunk.lines):
            if side == "RIGHT" and kind in " +" and new_no == line:
                return h_index, l_index
            if side == "LEFT" and kind in " -" and old_no == line:
                return h_index, l_index
    return None


def find_position(hunks: list[Hunk], position: int) -> tuple[int, int] | None:
    for h_index, hunk in enumerate(hunks):
        for l_index, (kind, _o, _n, pos) in enumerate(hunk.lines):
            if pos == position and kind != "\\":
                return h_index, l_index
    return None


def diff_hunk_text(hunk: Hunk, l_index: int) -> str:
    """GitHub's `diff_hunk`: the hunk header and every line up to the commented one."""
    return "\n".join(hunk.text_lines[: l_index + 2])


def _fast_temp_dir() -> str | None:
    """A RAM-backed temp dir when there is one with room (git writes many small files)."""
    shm = "/dev/shm"
    try:
        stats = os.statvfs(shm)
        if os.access(shm, os.W_OK) and stats.f_bavail * stats.f_frsize > 512 * 1024 * 1024:
            return shm
    except OSError:
        pass
    return None


# --- the world -------------------------------------------------------------------


class World:
    def __init__(
        self,
        patch_max_bytes: int = 1_000_000,
        patch_max_lines: int = 20_000,
        root_dir: str | None = None,
        content_per_minute: int | None = None,
        close_pulls_on_branch_delete: bool = False,
    ):
        self.lock = threading.RLock()
        self.tree_max_entries: int | None = None
        self.resolved_threads: set[str] = set()  # GraphQL review-thread ids
        self.validate_openapi = True
        self.openapi_violations: list[str] = []  # see openapi_check.py  # a recursive tree longer than this comes back truncated
        self.content_per_minute = content_per_minute
        self.close_pulls_on_branch_delete = close_pulls_on_branch_delete
        self.root = tempfile.mkdtemp(prefix="fakegithub-", dir=root_dir or _fast_temp_dir())
        # Removed on close(), or when the world is garbage collected if a test forgot to stop it.
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.root, True)
        self.api_url = ""
        self.patch_max_bytes = patch_max_bytes
        self.patch_max_lines = patch_max_lines
        self._ids = itertools.count(1000)
        self.tokens: dict[str, Token] = {}
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.issue_comments: dict[int, tuple[str, IssueComment]] = {}
        self.review_comments: dict[int, tuple[str, ReviewComment]] = {}
        self.verified_commits: set[str] = set()
        self.injections: list[Injection] = []
        self.requests: list[tuple[str, str, int]] = []
        self.errors: list[str] = []  # tracebacks of handler crashes (500s)
        self.request_details: list[dict] = []
        self._diff_cache: dict[tuple[str, str | None, str], list[FileChange]] = {}
        self._merge_base_cache: dict[tuple[str, str, str], str | None] = {}
        self._files_cache: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}

    def close(self) -> None:
        self._cleanup()

    def new_id(self) -> int:
        return next(self._ids)

    # --- users and tokens -----------------------------------------------------

    def user(self, login: str) -> User:
        if login not in self.users:
            self.users[login] = User(login, self.new_id())
        return self.users[login]

    def add_token(
        self, value: str, login: str, permissions: str = "write", repos=None, rate_limit: int | None = None
    ) -> Token:
        if rate_limit is None:  # GITHUB_TOKEN gets 1,000 requests an hour per repository; other tokens 5,000
            rate_limit = 1000 if login == "github-actions[bot]" else 5000
        if permissions not in ("write", "read"):
            raise ValueError("permissions must be 'write' or 'read'")
        self.user(login)
        token = Token(value, login, permissions, set(repos) if repos is not None else None, rate_limit)
        self.tokens[value] = token
        return token

    def charge(self, token: Token, content_creation: bool) -> None:
        """GitHub's rate limits: the hourly primary budget, and (when configured) the
        secondary limit on content-creating requests per minute."""
        now = int(time.time())
        if now >= token.reset:
            token.used, token.reset = 0, now + 3600
        if token.used >= token.rate_limit:
            kind = "installation" if token.login.endswith("[bot]") else "user"
            raise ApiError(
                403,
                f"API rate limit exceeded for {kind} ID {self.user(token.login).id}.",
                documentation_url=f"{RATE_LIMIT_DOCS}#about-the-primary-rate-limit",
                headers=self.rate_headers(token),
            )
        token.used += 1
        if content_creation and self.content_per_minute is not None:
            clock = time.monotonic()
            token.created_content = [t for t in token.created_content if clock - t < 60]
            if len(token.created_content) >= self.content_per_minute:
                wait = int(60 - (clock - token.created_content[0])) + 1
                raise ApiError(
                    403,
                    "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. "
                    "Please retry your request again later.",
                    documentation_url=f"{RATE_LIMIT_DOCS}#about-secondary-rate-limits",
                    headers={"Retry-After": str(wait), **self.rate_headers(token)},
                )
            token.created_content.append(clock)

    @staticmethod
    def rate_headers(token: Token) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(token.rate_limit),
            "X-RateLimit-Remaining": str(max(0, token.rate_limit - token.used)),
            "X-RateLimit-Reset": str(token.reset),
            "X-RateLimit-Used": str(token.used),
            "X-RateLimit-Resource": "core",
        }

    def authenticate(self, header: str | None) -> Token:
        if not header:
            raise ApiError(401, "Requires authentication")
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() not in ("token", "bearer") or value.strip() not in self.tokens:
            raise ApiError(401, "Bad credentials")
        return self.tokens[value.strip()]

    def collaborator_permission(self, repo: Repo, login: str) -> str:
        if login == repo.owner:
            return "admin"
        # Everyone can read a public repository.
        return repo.collaborators.get(login, "read")

    def token_can_write(self, token: Token, repo: Repo, branch: str | None = None) -> bool:
        """GitHub's rule for an installation token writing to `repo` (optionally to one branch)."""
        if token.permissions != "write":
            return False
        if token.login == repo.owner:
            return True
        if token.repos is not None and repo.full_name in token.repos:
            return True
        if token.repos is None and repo.parent is None:
            return True
        # A fork: writable only through an open PR that allows maintainer edits,
        # and only on that PR's head branch.
        for base in self.repos.values():
            if base.full_name == repo.full_name or not self._token_writes_directly(token, base):
                continue
            for pull in base.pulls.values():
                if (
                    pull.issue.state == "open"
                    and pull.head_repo == repo.full_name
                    and pull.maintainer_can_modify
                    and (branch is None or branch == pull.head_ref)
                ):
                    return True
        return False

    def _token_writes_directly(self, token: Token, repo: Repo) -> bool:
        if token.login == repo.owner:
            return True
        if token.repos is not None:
            return repo.full_name in token.repos
        return repo.parent is None

    def require_write(self, token: Token, repo: Repo, branch: str | None = None) -> None:
        if not self.token_can_write(token, repo, branch):
            raise ApiError(
                403, NOT_ACCESSIBLE, documentation_url="https://docs.github.com/rest/overview/permissions-required-for-github-apps"
            )

    def repo_permissions(self, token: Token, repo: Repo) -> dict:
        write = self.token_can_write(token, repo)
        admin = write and token.login == repo.owner
        return {"admin": admin, "maintain": admin, "push": write, "triage": write, "pull": True}

    # --- repositories ------------------------------------------------------------

    def get_repo(self, full_name: str) -> Repo:
        repo = self.repos.get(full_name)
        if repo is None:
            # GitHub resolves names case-insensitively.
            for name, candidate in self.repos.items():
                if name.lower() == full_name.lower():
                    return candidate
            raise not_found()
        return repo

    def create_repo(self, full_name: str, files: dict | None, default_branch: str) -> Repo:
        if full_name in self.repos:
            raise ValueError(f"repository {full_name} already exists")
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError("full_name must be 'owner/name'")
        self.user(owner)
        path = os.path.join(self.root, f"{owner}__{name}.git")
        repo = Repo(full_name, self.new_id(), GitRepo.init(path, default_branch), default_branch)
        self.repos[full_name] = repo
        self.commit_files(repo, default_branch, files or {"README.md": f"# {name}\n"}, "Initial commit")
        return repo

    def create_fork(self, full_name: str, owner: str) -> Repo:
        parent = self.get_repo(full_name)
        fork_name = f"{owner}/{parent.name}"
        if fork_name in self.repos:
            raise ValueError(f"repository {fork_name} already exists")
        self.user(owner)
        path = os.path.join(self.root, f"{owner}__{parent.name}.git")
        fork = Repo(fork_name, self.new_id(), parent.git.clone_to(path), parent.default_branch, parent=parent.full_name)
        self.repos[fork_name] = fork
        return fork

    def branch_sha(self, repo: Repo, branch: str) -> str | None:
        return repo.git.ref_sha(f"refs/heads/{branch}")

    def resolve_ref(self, repo: Repo, ref: str | None) -> str:
        """A commit sha for ?ref= (branch, tag or sha; default branch when empty); 404 otherwise."""
        ref = ref or repo.default_branch
        # Branches first (read from the ref files, no process), then tags, then a (short) sha.
        for candidate in (ref, f"refs/heads/{ref}", f"refs/tags/{ref}"):
            if candidate.startswith("refs/"):
                target = repo.git.ref_sha(candidate)
                if target is not None:
                    sha = repo.git.resolve(target) if candidate.startswith("refs/tags/") else target
                    if sha:
                        return sha
        if re.fullmatch(r"[0-9a-fA-F]{4,40}", ref):
            sha = repo.git.resolve(ref)
            if sha and sha.startswith(ref.lower()):
                return sha
        raise not_found(f"No commit found for the ref {ref}")

    def commit_files(
        self,
        repo: Repo,
        branch: str,
        files: dict,
        message: str,
        parents: list[str] | None = None,
        base_tree_of: str | None = None,
        modes: dict | None = None,
    ) -> str:
        """A commit on `branch` applying `files` (path -> str|bytes|None) on top of its tree."""
        head = self.branch_sha(repo, branch)
        if head is None and base_tree_of is None:
            base_tree_of = self.branch_sha(repo, repo.default_branch)
            parents = [base_tree_of] if base_tree_of and parents is None else parents
        tree_source = base_tree_of if base_tree_of is not None else head
        flat = repo.git.flat_files(tree_source)
        writes: dict[str, bytes] = {}
        for path, content in files.items():
            path = path.strip("/")
            if content is None:
                flat.pop(path, None)
                writes.pop(path, None)
            else:
                writes[path] = content.encode() if isinstance(content, str) else bytes(content)
        for path, sha in zip(writes, repo.git.write_blobs(list(writes.values()))):
            flat[path] = ((modes or {}).get(path) or flat.get(path, ("100644", ""))[0], sha)
        tree = repo.git.build_tree(flat)
        if parents is None:
            parents = [head] if head else []
        sha = repo.git.commit_tree(tree, [p for p in parents if p], message)
        repo.git.update_ref(f"refs/heads/{branch}", sha)
        return sha

    # --- issues and pulls ------------------------------------------------------------

    def get_issue(self, repo: Repo, number: int) -> Issue:
        issue = repo.issues.get(number)
        if issue is None:
            raise not_found()
        return issue

    def get_pull(self, repo: Repo, number: int) -> Pull:
        pull = repo.pulls.get(number)
        if pull is None:
            raise not_found()
        self.refresh_pull(repo, pull)
        return pull

    def create_issue(self, repo: Repo, title: str, body: str | None, user: str, labels: list[str]) -> Issue:
        for label in labels:
            repo.labels.setdefault(label, self.new_id())
        issue = Issue(next(repo.next_number), self.new_id(), title, body, user, labels=list(dict.fromkeys(labels)))
        repo.issues[issue.number] = issue
        return issue

    def create_pull(
        self,
        repo: Repo,
        head: str,
        base: str,
        title: str,
        body: str | None,
        user: str,
        head_repo: str | None = None,
        maintainer_can_modify: bool = False,
        draft: bool = False,
    ) -> Pull:
        if ":" in head:
            head_owner, _, head = head.partition(":")
            if head_repo is None:
                head_repo = next(
                    (r.full_name for r in self.repos.values() if r.owner == head_owner and self._in_network(r, repo)),
                    None,
                )
                if head_repo is None:
                    raise validation_failed("PullRequest", "head", "invalid")
        head_repo_obj = self.repos.get(head_repo or repo.full_name)
        if head_repo_obj is None:
            raise validation_failed("PullRequest", "head", "invalid")
        head_sha = self.branch_sha(head_repo_obj, head)
        if head_sha is None:
            raise validation_failed("PullRequest", "head", "invalid")
        base_sha = self.branch_sha(repo, base)
        if base_sha is None:
            raise validation_failed("PullRequest", "base", "invalid")
        for other in repo.pulls.values():
            if other.issue.state == "open" and other.head_repo == head_repo_obj.full_name and other.head_ref == head and other.base_ref == base:
                raise unprocessable(
                    [{"resource": "PullRequest", "code": "custom", "message": f"A pull request already exists for {head_repo_obj.owner}:{head}."}],
                    "Validation Failed",
                )
        if head_repo_obj is repo:
            if repo.git.is_ancestor(head_sha, base_sha):
                raise unprocessable(
                    [{"resource": "PullRequest", "code": "custom", "message": f"No commits between {base} and {head}"}],
                    "Validation Failed",
                )
        number = next(repo.next_number)
        issue = Issue(number, self.new_id(), title, body, user, is_pull=True)
        pull = Pull(issue, self.new_id(), head_repo_obj.full_name, head, base, head_sha, bool(maintainer_can_modify and head_repo_obj is not repo), draft)
        repo.issues[number] = issue
        repo.pulls[number] = pull
        self.refresh_pull(repo, pull)
        return pull

    def _in_network(self, a: Repo, b: Repo) -> bool:
        def root(r: Repo) -> str:
            while r.parent:
                r = self.repos[r.parent]
            return r.full_name

        return root(a) == root(b)

    def refresh_pull(self, repo: Repo, pull: Pull) -> None:
        """Follow the head branch (like GitHub does on push) and keep refs/pull/N/head in the base repo."""
        if pull.issue.state == "open":
            head_repo = self.repos.get(pull.head_repo)
            sha = self.branch_sha(head_repo, pull.head_ref) if head_repo else None
            if sha:
                pull.head_sha = sha
            if self.close_pulls_on_branch_delete and (sha is None or self.branch_sha(repo, pull.base_ref) is None):
                # GitHub closes a pull request whose head or base branch is deleted
                # (it keeps the last head sha, and the PR stays readable).
                pull.issue.state = "closed"
                pull.issue.closed_at = pull.issue.updated_at = now_iso()
        ref = f"refs/pull/{pull.number}/head"
        if repo.git.ref_sha(ref) != pull.head_sha:
            head_repo = self.repos.get(pull.head_repo)
            if head_repo is not None and head_repo is not repo and repo.git.object_type(pull.head_sha) != "commit":
                repo.git.fetch(head_repo.git, f"+{pull.head_sha}:{ref}")
            else:
                repo.git.update_ref(ref, pull.head_sha)

    def pull_base_sha(self, repo: Repo, pull: Pull) -> str:
        return self.branch_sha(repo, pull.base_ref) or pull.head_sha

    def pull_diff(self, repo: Repo, pull: Pull, commit: str | None = None) -> list[FileChange]:
        """The PR's files: merge-base(base, head)...head, as GitHub shows them."""
        head = commit or pull.head_sha
        return self.diff(repo, self.merge_base(repo, self.pull_base_sha(repo, pull), head), head)

    def merge_base(self, repo: Repo, a: str, b: str) -> str | None:
        key = (repo.git.path, a, b)  # commits are immutable, so is their merge base
        if key not in self._merge_base_cache:
            self._merge_base_cache[key] = repo.git.merge_base(a, b)
        return self._merge_base_cache[key]

    def diff(self, repo: Repo, base: str | None, head: str) -> list[FileChange]:
        key = (repo.git.path, base, head)
        if key not in self._diff_cache:
            changes = repo.git.diff(base, head)
            for change in changes:
                if len(change.patch) > self.patch_max_bytes or change.patch.count("\n") >= self.patch_max_lines:
                    change.patch = ""
            self._diff_cache[key] = changes
        return self._diff_cache[key]

    # --- reviews ---------------------------------------------------------------------

    def resolve_comment(
        self, repo: Repo, pull: Pull, commit_id: str, spec: dict, review_errors: bool
    ) -> tuple[str, int | None, str, int | None, str | None, int | None, str]:
        """Validate one review comment against the diff at commit_id.

        Returns (path, line, side, start_line, start_side, position, diff_hunk) or raises
        422 in the form GitHub uses for reviews ("Line could not be resolved") or for
        single comments ("Validation Failed" with field errors)."""

        def fail(text: str, field_name: str = "pull_request_review_thread.line") -> ApiError:
            if review_errors:
                return unprocessable([text], doc="https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request")
            # The single-comment endpoint names the field: {"field": "...line", "message": "could not be resolved"}.
            message = "could not be resolved" if text.endswith("could not be resolved") else text
            return unprocessable(
                [{"resource": "PullRequestReviewComment", "code": "custom", "field": field_name, "message": message}],
                "Validation Failed",
                "https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request",
            )

        path = spec.get("path")
        if not isinstance(path, str) or not path:
            raise fail("Path could not be resolved", "pull_request_review_thread.path")
        change = next((c for c in self.pull_diff(repo, pull, commit_id) if c.filename == path), None)
        if change is None:
            raise fail("Path could not be resolved", "pull_request_review_thread.path")
        hunks = parse_hunks(change.patch) if change.patch else []
        if spec.get("subject_type") == "file":
            return path, None, "RIGHT", None, None, None, ""

        if spec.get("line") is None and spec.get("position") is not None:
            position = spec["position"]
            found = find_position(hunks, position) if isinstance(position, int) else None
            if found is None:
                raise fail("Position could not be resolved" if not review_errors else "Line could not be resolved")
            hunk = hunks[found[0]]
            kind, old_no, new_no, _ = hunk.lines[found[1]]
            side = "LEFT" if kind == "-" else "RIGHT"
            line = old_no if side == "LEFT" else new_no
            return path, line, side, None, None, position, diff_hunk_text(hunk, found[1])

        line = spec.get("line")
        side = spec.get("side") or "RIGHT"
        if not isinstance(line, int) or isinstance(line, bool) or side not in ("LEFT", "RIGHT"):
            raise fail("Line could not be resolved")
        found = find_line(hunks, side, line)
        if found is None:
            raise fail("Line could not be resolved")
        start_line = spec.get("start_line")
        start_side = spec.get("start_side") or (side if start_line is not None else None)
        if start_line is not None:
            if not isinstance(start_line, int) or isinstance(start_line, bool) or start_side not in ("LEFT", "RIGHT"):
                raise fail("Start line could not be resolved", "pull_request_review_thread.start_line")
            start_found = find_line(hunks, start_side, start_line)
            if start_found is None:
                raise fail("Start line could not be resolved", "pull_request_review_thread.start_line")
            if start_found[0] != found[0]:
                raise fail(
                    "Pull request review thread start line must be part of the same hunk as the line.",
                    "pull_request_review_thread.start_line",
                )
            if start_found[1] >= found[1]:
                raise fail("Pull request review thread start line must precede the end line.", "pull_request_review_thread.start_line")
        hunk = hunks[found[0]]
        position = hunk.lines[found[1]][3]
        return path, line, side, start_line, start_side, position, diff_hunk_text(hunk, found[1])

    def review_commit(self, repo: Repo, pull: Pull, commit_id: str | None) -> str:
        if not commit_id:
            return pull.head_sha
        sha = repo.git.resolve(commit_id) if re.fullmatch(r"[0-9a-fA-F]{7,40}", commit_id) else None
        if sha is None:
            raise unprocessable([f"No commit found for SHA: {commit_id}"])
        if sha != pull.head_sha and not repo.git.is_ancestor(sha, pull.head_sha):
            raise unprocessable(["The commitOID is not part of the pull request"])
        return sha

    def files_at(self, repo: Repo, commit: str) -> dict[str, tuple[str, str]]:
        key = (repo.git.path, commit)
        if key not in self._files_cache:
            self._files_cache[key] = repo.git.flat_files(commit)
        return self._files_cache[key]

    def current_anchor(self, repo: Repo, pull: Pull, comment: ReviewComment) -> tuple[str, int | None, int | None, int | None]:
        """Where a review comment sits on the PR's current head: (commit_id, line, start_line, position).

        Like GitHub, a comment follows new pushes while its file is unchanged and its line is
        still in the diff; otherwise it is outdated: line and position become null and
        commit_id stays at the commit it was made on."""
        head = pull.head_sha
        made_on = comment.original_commit_id
        if comment.line is None or made_on == head:
            return made_on, comment.line, comment.start_line, comment.position
        outdated = (made_on, None, None, None)
        if self.files_at(repo, made_on).get(comment.path) != self.files_at(repo, head).get(comment.path):
            return outdated
        change = next((c for c in self.pull_diff(repo, pull) if c.filename == comment.path), None)
        hunks = parse_hunks(change.patch) if change and change.patch else []
        found = find_line(hunks, comment.side, comment.line)
        if found is None:
            return outdated
        if comment.start_line is not None:
            start = find_line(hunks, comment.start_side or comment.side, comment.start_line)
            if start is None or start[0] != found[0]:
                return outdated
        return head, comment.line, comment.start_line, hunks[found[0]].lines[found[1]][3]

    # --- git data -----------------------------------------------------------------------

    def record_verified(self, sha: str) -> None:
        self.verified_commits.add(sha)

    # --- failures on demand ----------------------------------------------------------

    def take_injection(self, method: str, path: str) -> Injection | None:
        for injection in self.injections:
            if injection.remaining <= 0:
                continue
            if injection.method and injection.method.upper() != method:
                continue
            if injection.path_regex and not injection.path_regex.search(path):
                continue
            injection.remaining -= 1
            return injection
        return None

    def log(self, method: str, path: str, status: int, query: str, body, started: float, headers=None) -> None:
        self.requests.append((method, path, status))
        self.request_details.append(
            {"method": method, "path": path, "query": query, "status": status, "body": body,
             "seconds": time.monotonic() - started, "headers": dict(headers or {})}
        )


__all__ = [
    "ApiError",
    "World",
    "Repo",
    "Pull",
    "Issue",
    "Review",
    "ReviewComment",
    "IssueComment",
    "Token",
    "parse_hunks",
    "MAX_PR_FILES",
]
