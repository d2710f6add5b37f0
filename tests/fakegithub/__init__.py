"""A local GitHub REST API for end-to-end tests: real HTTP, real git, GitHub's rules.

    with FakeGitHub() as gh:
        gh.add_token("ghs_write", login="nnrepair-bot[bot]", permissions="write")
        gh.create_repo("octo/models", files={"model.py": "..."})
        gh.commit("octo/models", "feature", {"model.py": "..."})
        n = gh.create_pull("octo/models", head="feature", base="main")
        g = github.Github(auth=github.Auth.Token("ghs_write"), base_url=gh.api_url, retry=None,
                          seconds_between_requests=None, seconds_between_writes=None)

(PyGithub 2.x waits 0.25 s between requests and 1 s between writes unless told otherwise.)

Everything a test sets up goes through this facade; everything the bot does goes through
HTTP. Read-back helpers (reviews, review_comments, issue_comments, issues, pulls, pull)
return the same JSON the API serves. Each repository is a bare git repository on disk
(git_dir()); blobs, trees, commits and refs written through the API are real git objects.

Served (JSON shapes as GitHub documents them; lists paginated with per_page/page and a
Link header): /user, /users/{u}, /rate_limit, and under /repos/{o}/{r}: the repo,
collaborators/{u}/permission, branches/{b}, commits (list, ?sha=&path=), commits/{ref},
commits/{sha}/pulls, compare/{a}...{b}, contents/{path} (GET, also Accept:
application/vnd.github.raw; PUT), git/trees, git/blobs, git/commits, git/ref(s), pulls
(list, create, get, patch, files, commits, merge, reviews, review events, comments,
replies; Accept: application/vnd.github.diff), pulls/comments/{id}, issues (list, create,
get, patch, labels, comments), issues/comments/{id}, labels; raw file URLs
/{o}/{r}/raw/{ref}/{path}; HEAD on any GET; ETag/If-None-Match (304).

Rules enforced: a token is required (401); "read" tokens get 403 "Resource not accessible
by integration" on every write; "write" tokens act like an installation token of every
non-fork repository (or of `repos=`), and reach a fork's branch only through an open PR
with maintainer_can_modify (only that PR's head branch); review comments must land on
lines of the PR's diff hunks on their side ("Line could not be resolved"), start_line in
the same hunk and before line, and a review is all or nothing; ref updates must be fast
forwards unless force; unknown repos, pulls, branches, refs and paths are 404; the PR
diff is merge-base(base, head)...head, files capped at 3000, `patch` absent for binary and
oversized files; contents over 1 MB come back with encoding "none"; review comments follow
new pushes until their file changes (then outdated: line/position null); each token has
an hourly budget (add_token(rate_limit=)) reported in X-RateLimit-* headers and answered
with the primary-limit 403 when spent (304s and /rate_limit are free); with
FakeGitHub(content_per_minute=N) content-creating POSTs beyond N a minute get the
secondary-limit 403 with Retry-After. inject() adds one-off failures or delays.

Known simplifications: no merges, no check runs, no GraphQL, no search API, no private
repositories; installation tokens answer GET /user with 403 as GitHub does.
"""

from __future__ import annotations

import copy
import re
import threading

from .server import _Server
from .state import ApiError, Injection, World

__all__ = ["FakeGitHub", "ApiError"]


class FakeGitHub:
    # Leaving the `with` block fails the test when any exchange broke GitHub's OpenAPI
    # description (openapi_check.py). test_fakegithub.py, which sends malformed requests on
    # purpose to test the fake's own answers, turns this off.
    fail_on_openapi_violations = True
    def __init__(
        self,
        patch_max_bytes: int = 1_000_000,
        patch_max_lines: int = 20_000,
        root_dir: str | None = None,
        content_per_minute: int | None = None,
        close_pulls_on_branch_delete: bool = False,
    ):
        """patch_max_*: beyond these a file's `patch` is omitted (GitHub's large-diff rule);
        content_per_minute: enforce GitHub's secondary limit on content-creating POSTs;
        close_pulls_on_branch_delete: close an open PR once its head or base branch is gone,
        as GitHub does (off by default: the PR then stays open with its last head sha)."""
        self._world = World(patch_max_bytes, patch_max_lines, root_dir, content_per_minute, close_pulls_on_branch_delete)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> "FakeGitHub":
        if self._server is None:
            self._server = _Server(self._world)
            host, port = self._server.server_address[:2]
            self._world.api_url = f"http://{host}:{port}"
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close_all()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self._thread = None
        self._world.close()

    def __enter__(self) -> "FakeGitHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if exc[0] is None and self.fail_on_openapi_violations and self._world.openapi_violations:
            raise AssertionError(
                f"{len(self._world.openapi_violations)} exchange(s) break GitHub's OpenAPI description:\n"
                + "\n".join(dict.fromkeys(self._world.openapi_violations))
            )

    @property
    def openapi_violations(self) -> list[str]:
        """Requests and responses that break GitHub's published description (openapi_check.py)."""
        with self._world.lock:
            return list(self._world.openapi_violations)

    def clear_openapi_violations(self) -> None:
        with self._world.lock:
            self._world.openapi_violations.clear()

    @property
    def api_url(self) -> str:
        return self._world.api_url

    # --- setup ----------------------------------------------------------------------------

    def add_token(self, token: str, login: str, permissions: str = "write", repos=None, rate_limit: int | None = None) -> None:
        """A token acting as `login`. "write" tokens write to every non-fork repository (like an
        installation token of the base repo) unless `repos` names the only ones; "read" never writes.
        After `rate_limit` requests within the hour the token gets GitHub's primary-limit 403
        (default: 1,000 for github-actions[bot], GITHUB_TOKEN's budget; 5,000 otherwise)."""
        with self._world.lock:
            self._world.add_token(token, login, permissions, repos, rate_limit)

    def create_repo(self, full_name: str, files: dict | None = None, default_branch: str = "main") -> dict:
        with self._world.lock:
            repo = self._world.create_repo(full_name, files, default_branch)
            return self._world_render().repo(repo)

    def commit(self, full_name: str, branch: str, files: dict, message: str = "Update files", modes=None) -> str:
        """Commit `files` (path -> str | bytes | None to delete) on `branch`, created from the default
        branch if missing; `modes` (path -> "100755") marks files executable."""
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            return self._world.commit_files(repo, branch, files, message, modes=modes)

    def workflow_run_event(self, full_name: str, number: int, workflow: str = "nnrepair analyse") -> dict:
        """The `workflow_run` payload GitHub sends when a PR's pull_request run completes. As on
        GitHub, `pull_requests` is EMPTY when the PR comes from a fork (it lists only PRs whose
        head is in the repository itself)."""
        pull = self.pull(full_name, number)
        head_repo = pull["head"]["repo"]
        same_repo = head_repo is not None and head_repo["full_name"] == full_name
        listed = [{
            "id": pull["id"], "number": number, "url": pull["url"],
            "head": {"ref": pull["head"]["ref"], "sha": pull["head"]["sha"]},
            "base": {"ref": pull["base"]["ref"], "sha": pull["base"]["sha"]},
        }] if same_repo else []
        return {
            "action": "completed",
            "workflow_run": {
                "name": workflow, "event": "pull_request", "status": "completed", "conclusion": "success",
                "head_branch": pull["head"]["ref"], "head_sha": pull["head"]["sha"], "pull_requests": listed,
                "head_repository": {"full_name": head_repo["full_name"]} if head_repo else None,
                "repository": {"full_name": full_name},
            },
            "repository": pull["base"]["repo"],
        }

    def mode_at(self, full_name: str, ref: str, path: str) -> str | None:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            entry = repo.git.flat_files(self._world.resolve_ref(repo, ref)).get(path)
            return entry[0] if entry else None

    def review_threads(self, full_name: str, number: int) -> list[dict]:
        """{"id", "isResolved", "comment_id"} of each review thread, as GraphQL reports them."""
        from .graphql import execute

        owner, name = full_name.split("/")
        with self._world.lock:
            _, data = execute(self._world, None, {"query": "reviewThreads", "variables": {"owner": owner, "name": name, "number": number}})
        nodes = data["data"]["repository"]["pullRequest"]["reviewThreads"]["nodes"]
        return [{"id": t["id"], "isResolved": t["isResolved"], "comment_id": t["comments"]["nodes"][0]["databaseId"]} for t in nodes]

    def create_fork(self, full_name: str, owner: str) -> dict:
        with self._world.lock:
            fork = self._world.create_fork(full_name, owner)
            return self._world_render().repo(fork)

    def create_pull(
        self,
        full_name: str,
        head: str,
        base: str | None = None,
        head_repo: str | None = None,
        maintainer_can_modify: bool = False,
        user: str = "alice",
        title: str = "Update model",
        body: str | None = "",
        draft: bool = False,
    ) -> int:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            self._world.user(user)
            pull = self._world.create_pull(
                repo, head, base or repo.default_branch, title, body, user,
                head_repo=head_repo, maintainer_can_modify=maintainer_can_modify, draft=draft,
            )
            return pull.number

    def create_issue(self, full_name: str, title: str, body: str = "", user: str = "alice", labels=()) -> int:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            self._world.user(user)
            return self._world.create_issue(repo, title, body, user, list(labels)).number

    def configure_repo(
        self,
        full_name: str,
        *,
        actions_can_create_pulls: bool | None = None,
        has_issues: bool | None = None,
        protected_branches=None,
        archived: bool | None = None,
    ) -> None:
        """Repository settings: "Allow GitHub Actions to create and approve pull requests" (off:
        POST /pulls by github-actions[bot] is 403), issues enabled (off: POST /issues is 410),
        protected branches (a ref update on one is 422 "Protected branch update failed")."""
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            if actions_can_create_pulls is not None:
                repo.actions_can_create_pulls = actions_can_create_pulls
            if has_issues is not None:
                repo.has_issues = has_issues
            if archived is not None:
                repo.archived = archived
            if protected_branches is not None:
                repo.protected_branches = set(protected_branches)

    def set_tree_limit(self, max_entries: int | None) -> None:
        """Recursive trees longer than `max_entries` come back cut, with truncated: true."""
        with self._world.lock:
            self._world.tree_max_entries = max_entries

    def set_permission(self, full_name: str, login: str, permission: str) -> None:
        if permission not in ("admin", "write", "read", "none"):
            raise ValueError("permission must be admin, write, read or none")
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            self._world.user(login)
            repo.collaborators[login] = permission

    def close_pull(self, full_name: str, number: int) -> None:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            pull = self._world.get_pull(repo, number)
            pull.issue.state = "closed"

    def delete_branch(self, full_name: str, branch: str) -> None:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            repo.git.delete_ref(f"refs/heads/{branch}")

    def force_push(self, full_name: str, branch: str, files: dict | None = None, message: str = "Rewrite history") -> str:
        """Rewrite `branch` to a new commit on top of the default branch (not a descendant of the
        old head), whose tree is the old head's tree with `files` applied."""
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            old = self._world.branch_sha(repo, branch)
            base = self._world.branch_sha(repo, repo.default_branch)
            parents = [base] if base and base != old else []
            return self._world.commit_files(repo, branch, files or {}, message, parents=parents, base_tree_of=old or base)

    def inject(
        self,
        status: int | None,
        count: int = 1,
        retry_after: int | None = 1,
        path_regex: str | None = None,
        secondary_rate_limit: bool = True,
        method: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """The next `count` requests matching (method, path_regex) fail with `status`.

        403/429 answer like GitHub's secondary rate limit (or the primary one with
        secondary_rate_limit=False, X-RateLimit-Remaining: 0), with Retry-After unless
        retry_after is None; 5xx answer "Server Error". `delay` stalls each matching request
        first; status=None with a delay answers normally, only late."""
        with self._world.lock:
            self._world.injections.append(
                Injection(status, count, retry_after, re.compile(path_regex) if path_regex else None, method, secondary_rate_limit, delay)
            )

    # --- read-back ---------------------------------------------------------------------------

    def file_at(self, full_name: str, ref: str, path: str) -> str | None:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            try:
                sha = self._world.resolve_ref(repo, ref)
            except ApiError:
                return None
            entry = repo.git.flat_files(sha).get(path.strip("/"))
            if entry is None:
                return None
            return repo.git.read_blob(entry[1]).decode("utf-8", "replace")

    def branch_sha(self, full_name: str, branch: str) -> str | None:
        with self._world.lock:
            return self._world.branch_sha(self._world.get_repo(full_name), branch)

    def reviews(self, full_name: str, number: int) -> list[dict]:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            pull = self._world.get_pull(repo, number)
            return [self._world_render().review(repo, r) for r in pull.reviews]

    def review_comments(self, full_name: str, number: int) -> list[dict]:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            pull = self._world.get_pull(repo, number)
            return [self._world_render().review_comment(repo, c) for c in pull.review_comments]

    def issue_comments(self, full_name: str, number: int) -> list[dict]:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            issue = self._world.get_issue(repo, number)
            return [self._world_render().issue_comment(repo, c) for c in issue.comments]

    def issues(self, full_name: str) -> list[dict]:
        """Real issues only (pull requests are listed by pulls())."""
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            return [self._world_render().issue(repo, i) for i in repo.issues.values() if not i.is_pull]

    def pulls(self, full_name: str) -> list[dict]:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            render = self._world_render()
            result = []
            for pull in repo.pulls.values():
                self._world.refresh_pull(repo, pull)
                result.append(render.pull(repo, pull, None))
            return result

    def pull(self, full_name: str, number: int) -> dict:
        with self._world.lock:
            repo = self._world.get_repo(full_name)
            return self._world_render().pull(repo, self._world.get_pull(repo, number), None)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request served, in order."""
        with self._world.lock:
            return list(self._world.requests)

    @property
    def request_details(self) -> list[dict]:
        """Every request with its query string, JSON body and duration."""
        with self._world.lock:
            return copy.deepcopy(self._world.request_details)

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of requests the fake itself failed on (answered 500); should stay empty."""
        with self._world.lock:
            return list(self._world.errors)

    def git_dir(self, full_name: str) -> str:
        with self._world.lock:
            return self._world.get_repo(full_name).git.path

    def _world_render(self):
        from .render import Renderer

        return Renderer(self._world)
