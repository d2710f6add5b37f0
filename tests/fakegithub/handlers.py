"""One function per GitHub REST endpoint, and the route table.

Each handler takes a Ctx and returns (status, body): a JSON-able value, a RawBody,
or None for 204. GitHub's rules are raised as ApiError (see state.py)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
import time

from .context import Ctx, RawBody, _as_bool, _int
from .git_backend import ZERO_SHA, GitError
from .state import (
    MAX_PR_FILES,
    NOT_ACCESSIBLE,
    ApiError,
    IssueComment,
    Repo,
    Review,
    ReviewComment,
    World,
    not_found,
    now_iso,
    rejected,
    unprocessable,
    validation_failed,
)

MAX_BODY = 65536  # characters in an issue/review comment body
ACTIONS_LOGIN = "github-actions[bot]"  # the identity behind GITHUB_TOKEN
CREATE_PULL_DOCS = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
CREATE_ISSUE_DOCS = "https://docs.github.com/rest/issues/issues#create-an-issue"
PROTECTED_DOCS = "https://docs.github.com/articles/about-protected-branches"

# --- users and repositories ---------------------------------------------------------
# Each takes a Ctx and returns (status, json-able body).


def get_user(ctx: Ctx):
    if ctx.token.login.endswith("[bot]"):
        # Installation tokens have no user behind them.
        raise ApiError(403, NOT_ACCESSIBLE)
    return 200, ctx.render.full_user(ctx.token.login)  # the public-user shape


def get_named_user(ctx: Ctx):
    login = ctx.params["login"]
    if login not in ctx.world.users:
        raise not_found()
    return 200, ctx.render.full_user(login)


def list_org_repos(ctx: Ctx):
    org = ctx.params["org"]
    repos = sorted((r for r in ctx.world.repos.values() if r.owner == org), key=lambda r: r.full_name)
    if not repos:
        raise not_found()
    return 200, [ctx.render.repo(r, ctx.token) for r in ctx.paginate(repos)]


def get_repo(ctx: Ctx):
    return 200, ctx.render.repo(ctx.repo, ctx.token, with_parent=True)


def get_collaborator_permission(ctx: Ctx):
    repo = ctx.repo
    login = ctx.params["login"]
    if login not in ctx.world.users:
        raise not_found()
    permission = ctx.world.collaborator_permission(repo, login)
    user = ctx.render.user(login)
    user["role_name"] = permission
    user["permissions"] = {
        "admin": permission == "admin",
        "maintain": permission == "admin",
        "push": permission in ("write", "admin"),
        "triage": permission in ("write", "admin"),
        "pull": permission != "none",
    }
    return 200, {"permission": permission, "role_name": permission, "user": user}


# --- branches and commits ------------------------------------------------------------


def get_branch(ctx: Ctx):
    repo = ctx.repo
    name = ctx.params["branch"]
    sha = ctx.world.branch_sha(repo, name)
    if sha is None:
        raise not_found("Branch not found")
    url = ctx.render.repo_url(repo)
    return 200, {
        "name": name,
        "commit": ctx.render.commit(repo, sha),
        "protected": name in repo.protected_branches,
        "_links": {"self": f"{url}/branches/{name}", "html": f"{ctx.render.html}/{repo.full_name}/tree/{name}"},
        "protection": {"enabled": name in repo.protected_branches, "required_status_checks": {
            "enforcement_level": "off", "contexts": [], "checks": []}},
        "protection_url": f"{url}/branches/{name}/protection",
    }


def get_commit(ctx: Ctx):
    repo = ctx.repo
    sha = ctx.world.resolve_ref(repo, ctx.params["ref"])
    parents = repo.git.read_commit(sha)["parents"]
    files = ctx.world.diff(repo, parents[0] if parents else None, sha)
    data = ctx.render.commit(repo, sha, files=files[:300])
    return 200, data


def list_commits(ctx: Ctx):
    repo = ctx.repo
    head = ctx.world.resolve_ref(repo, ctx.query.get("sha"))
    args = ["rev-list", "--topo-order", head]
    if ctx.query.get("path"):
        args += ["--", ctx.query["path"]]
    shas = repo.git.run(*args).decode().split()
    return 200, [ctx.render.commit(repo, sha) for sha in ctx.paginate(shas)]


def compare(ctx: Ctx):
    repo = ctx.repo
    spec = ctx.params["spec"]
    if "..." in spec:
        base_name, head_name = spec.split("...", 1)
    elif ".." in spec:
        base_name, head_name = spec.split("..", 1)
    else:
        raise not_found()
    base = ctx.world.resolve_ref(repo, base_name)
    head = ctx.world.resolve_ref(repo, head_name)
    merge_base = ctx.world.merge_base(repo, base, head)
    ahead = repo.git.rev_list(head, base)
    behind = repo.git.rev_list(base, head)
    status = "identical" if not ahead and not behind else "ahead" if not behind else "behind" if not ahead else "diverged"
    files = ctx.world.diff(repo, merge_base, head)
    url = ctx.render.repo_url(repo)
    return 200, {
        "url": f"{url}/compare/{spec}",
        "html_url": f"{ctx.render.html}/{repo.full_name}/compare/{spec}",
        "permalink_url": f"{ctx.render.html}/{repo.full_name}/compare/{base}...{head}",
        "diff_url": f"{ctx.render.html}/{repo.full_name}/compare/{spec}.diff",
        "patch_url": f"{ctx.render.html}/{repo.full_name}/compare/{spec}.patch",
        "base_commit": ctx.render.commit(repo, base),
        "merge_base_commit": ctx.render.commit(repo, merge_base) if merge_base else None,
        "status": status,
        "ahead_by": len(ahead),
        "behind_by": len(behind),
        "total_commits": len(ahead),
        "commits": [ctx.render.commit(repo, sha) for sha in ahead[:250]],
        "files": [ctx.render.file(repo, head, f) for f in files[:300]],
    }


# --- contents ------------------------------------------------------------------------------


def get_contents(ctx: Ctx):
    repo = ctx.repo
    path = ctx.params.get("path", "").strip("/")
    ref_name = ctx.query.get("ref") or repo.default_branch
    sha = ctx.world.resolve_ref(repo, ref_name)
    if not path:
        entries = repo.git.ls_tree(sha, recursive=False)
        return 200, [ctx.render.dir_entry(repo, ref_name, e) for e in entries]
    listing = repo.git.ls_tree(sha, recursive=False) if "/" not in path else None
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    entries = listing if listing is not None else _ls_dir(repo, sha, parent)
    entry = next((e for e in entries if e.path == path), None)
    if entry is None:
        raise not_found()
    if entry.type == "tree":
        return 200, [ctx.render.dir_entry(repo, ref_name, c) for c in _ls_dir(repo, sha, path)]
    data = repo.git.read_blob(entry.sha) if entry.type == "blob" else None
    if data is not None and "raw" in ctx.accept:
        return 200, RawBody(data, "application/vnd.github.raw; charset=utf-8")  # Accept: application/vnd.github.raw
    return 200, ctx.render.content_file(repo, ref_name, path, entry.sha, data, entry.size or 0)


def _ls_dir(repo: Repo, commit: str, directory: str):
    """Entries of one directory at a commit, with paths from the repository root ([] if absent)."""
    try:
        entries = repo.git.ls_tree(f"{commit}:{directory}", recursive=False)
    except GitError:
        return []
    return [dataclasses.replace(e, path=f"{directory}/{e.path}") for e in entries]


def put_contents(ctx: Ctx):
    repo = ctx.repo
    body = ctx.json_body()
    path = ctx.params["path"].strip("/")
    branch = body.get("branch") or repo.default_branch
    ctx.world.require_write(ctx.token, repo, branch)
    if not isinstance(body.get("message"), str):
        raise rejected('Invalid request.\n\n"message" wasn\'t supplied.')
    if not isinstance(body.get("content"), str):
        raise rejected('Invalid request.\n\n"content" wasn\'t supplied.')
    try:
        data = base64.b64decode(body["content"], validate=False)
    except (binascii.Error, ValueError):
        raise rejected("content is not valid Base64")
    head = ctx.world.branch_sha(repo, branch)
    if head is None:
        raise not_found(f"Branch {branch} not found")
    current = repo.git.flat_files(head).get(path)
    if current is not None and body.get("sha") is None:
        raise rejected('Invalid request.\n\n"sha" wasn\'t supplied.')
    if current is not None and body.get("sha") != current[1]:
        raise ApiError(409, f"{path} does not match {body.get('sha')}")
    # Contents API defaults: committer is the token's user, author is the committer.
    committer = _person(body.get("committer")) or _token_person(ctx)
    author = _person(body.get("author")) or committer
    flat = repo.git.flat_files(head)
    blob = repo.git.write_blob(data)
    flat[path] = (current[0] if current else "100644", blob)
    tree = repo.git.build_tree(flat)
    commit = repo.git.commit_tree(tree, [head], body["message"], author, committer)
    repo.git.update_ref(f"refs/heads/{branch}", commit, head)
    ctx.world.record_verified(commit)
    content = ctx.render.content_file(repo, branch, path, blob, None, len(data))
    return (200 if current else 201), {"content": content, "commit": ctx.render.git_commit(repo, commit)}


def _person(spec) -> tuple[str, str, str] | None:
    if not isinstance(spec, dict) or not spec.get("name") or not spec.get("email"):
        return None
    date = spec.get("date") or now_iso()
    return str(spec["name"]), str(spec["email"]), str(date)


def _token_person(ctx: Ctx) -> tuple[str, str, str]:
    user = ctx.world.user(ctx.token.login)
    return ctx.token.login, f"{user.id}+{ctx.token.login}@users.noreply.github.com", now_iso()


# --- git data ------------------------------------------------------------------------------


def get_tree(ctx: Ctx):
    repo = ctx.repo
    name = ctx.params["sha"]
    tree = repo.git.resolve_tree(name) if re.fullmatch(r"[0-9a-fA-F]{4,40}", name) else None
    if tree is None:
        try:
            tree = repo.git.resolve_tree(ctx.world.resolve_ref(repo, name))
        except ApiError:
            tree = None
    if tree is None:
        raise not_found()
    recursive = "recursive" in ctx.query
    entries = repo.git.ls_tree(tree, recursive=recursive)
    limit = ctx.world.tree_max_entries
    if recursive and limit is not None and len(entries) > limit:
        # GitHub's limit (100,000 entries / 7 MB) cuts the listing and says so
        return 200, dict(ctx.render.tree(repo, tree, entries[:limit]), truncated=True)
    return 200, ctx.render.tree(repo, tree, entries)


def get_blob(ctx: Ctx):
    repo = ctx.repo
    sha = ctx.params["sha"].lower()
    if not re.fullmatch(r"[0-9a-f]{40}", sha) or repo.git.object_type(sha) != "blob":
        raise not_found()
    return 200, ctx.render.blob(repo, sha, repo.git.read_blob(sha))


def post_blob(ctx: Ctx):
    repo = ctx.repo
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    content = body.get("content")
    encoding = body.get("encoding", "utf-8")
    if not isinstance(content, str):
        raise validation_failed("Blob", "content", "missing_field")
    if encoding == "base64":
        try:
            data = base64.b64decode(content)
        except (binascii.Error, ValueError):
            raise validation_failed("Blob", "content", "invalid")
    elif encoding in ("utf-8", "utf8"):
        data = content.encode()
    else:
        raise validation_failed("Blob", "encoding", "invalid", f"encoding {encoding} is not supported")
    sha = repo.git.write_blob(data)
    return 201, {"url": f"{ctx.render.repo_url(repo)}/git/blobs/{sha}", "sha": sha}


def post_tree(ctx: Ctx):
    repo = ctx.repo
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    entries = body.get("tree")
    if not isinstance(entries, list):
        raise validation_failed("Tree", "tree", "missing_field")
    base_tree = body.get("base_tree")
    flat: dict[str, tuple[str, str]] = {}
    if base_tree:
        if not isinstance(base_tree, str) or repo.git.resolve_tree(base_tree) is None or not re.fullmatch(r"[0-9a-fA-F]{40}", base_tree):
            raise rejected("base_tree is not a valid tree oid")
        flat = repo.git.flat_files(base_tree)
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise rejected("tree.path is missing")
        path = entry["path"].strip("/")
        mode = entry.get("mode", "100644")
        otype = entry.get("type", "blob")
        if mode not in ("100644", "100755", "040000", "160000", "120000"):
            raise rejected(f"tree.mode {mode} is invalid")
        if "content" in entry and entry["content"] is not None:
            sha = repo.git.write_blob(str(entry["content"]).encode())
        elif "sha" in entry:
            sha = entry["sha"]
            if sha is None:
                # sha: null deletes the path (and everything under it).
                for existing in [p for p in flat if p == path or p.startswith(path + "/")]:
                    del flat[existing]
                continue
            if otype == "commit" and isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{40}", sha):
                pass  # a submodule pins a commit of another repository
            elif not isinstance(sha, str) or repo.git.object_type(sha) != otype:
                raise rejected(f"tree.sha {sha} is not a valid {otype}")
        else:
            raise rejected("Must supply either tree.sha or tree.content")
        # A path replaces whatever was there: a directory under it, or a file at one of its parents.
        for existing in [p for p in flat if p.startswith(path + "/")]:
            del flat[existing]
        parts = path.split("/")
        for depth in range(1, len(parts)):
            flat.pop("/".join(parts[:depth]), None)
        if otype == "tree":
            for sub_path, sub in repo.git.flat_files(sha).items():
                flat[f"{path}/{sub_path}"] = sub
        else:
            flat[path] = (mode, sha)
    tree = repo.git.build_tree(flat)
    return 201, ctx.render.tree(repo, tree, repo.git.ls_tree(tree, recursive=False))


def get_git_commit(ctx: Ctx):
    repo = ctx.repo
    sha = ctx.params["sha"].lower()
    if not re.fullmatch(r"[0-9a-f]{40}", sha) or repo.git.object_type(sha) != "commit":
        raise not_found()
    return 200, ctx.render.git_commit(repo, sha)


def post_git_commit(ctx: Ctx):
    repo = ctx.repo
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    message, tree, parents = body.get("message"), body.get("tree"), body.get("parents", [])
    if not isinstance(message, str):
        raise validation_failed("Commit", "message", "missing_field")
    if not isinstance(tree, str) or repo.git.object_type(tree) != "tree":
        raise rejected("Tree SHA does not exist")
    if not isinstance(parents, list):
        raise rejected("Invalid request.\n\nFor 'properties/parents', is not an array.")
    for parent in parents:
        if not isinstance(parent, str) or repo.git.object_type(parent) != "commit":
            raise rejected("Parent SHA does not exist or is not a commit object")
    author = _person(body.get("author"))
    committer = _person(body.get("committer"))
    if author is None:
        author = committer or _token_person(ctx)
    if committer is None:
        committer = _token_person(ctx) if body.get("author") is None else author
    sha = repo.git.commit_tree(tree, parents, message, author, committer)
    if not body.get("signature"):
        # GitHub signs commits created through the API with its own key.
        ctx.world.record_verified(sha)
    return 201, ctx.render.git_commit(repo, sha)


def _ref_name(ctx: Ctx) -> str:
    ref = ctx.params["ref"].strip("/")
    return ref if ref.startswith("refs/") else f"refs/{ref}"


def get_ref(ctx: Ctx):
    repo = ctx.repo
    refname = _ref_name(ctx)
    under = repo.git.list_refs(refname) if refname.count("/") >= 2 else []
    exact = next((r for r in under if r[0] == refname), None)
    if exact is not None:
        return 200, ctx.render.ref(repo, *exact)
    if ctx.params.get("kind") == "refs":
        # /git/refs/{prefix} lists the refs that start with the prefix.
        matches = [r for r in under if not r[0].startswith("refs/pull/")]
        if matches:
            return 200, [ctx.render.ref(repo, name, sha, otype) for name, sha, otype in ctx.paginate(matches)]
    raise not_found()


def list_refs(ctx: Ctx):
    repo = ctx.repo
    refs = [r for r in repo.git.list_refs("refs/") if not r[0].startswith("refs/pull/")]
    return 200, [ctx.render.ref(repo, name, sha, otype) for name, sha, otype in ctx.paginate(refs)]


def _branch_of(refname: str) -> str | None:
    return refname[len("refs/heads/") :] if refname.startswith("refs/heads/") else None


def post_ref(ctx: Ctx):
    repo = ctx.repo
    body = ctx.json_body()
    refname, sha = body.get("ref"), body.get("sha")
    if not isinstance(refname, str) or not refname.startswith("refs/") or refname.count("/") < 2:
        raise rejected("Reference name is invalid" if isinstance(refname, str) else "Invalid request.\n\n\"ref\" wasn't supplied.")
    ctx.world.require_write(ctx.token, repo, _branch_of(refname))
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}", sha) or repo.git.object_type(sha) is None:
        raise rejected("Object does not exist")
    if repo.git.ref_sha(refname) is not None:
        raise rejected("Reference already exists")
    try:
        repo.git.update_ref(refname, sha, ZERO_SHA)
    except GitError:
        raise rejected("Reference update failed")
    return 201, ctx.render.ref(repo, refname, sha, repo.git.object_type(sha) or "commit")


def patch_ref(ctx: Ctx):
    repo = ctx.repo
    refname = _ref_name(ctx)
    body = ctx.json_body()
    sha = body.get("sha")
    ctx.world.require_write(ctx.token, repo, _branch_of(refname))
    old = repo.git.ref_sha(refname)
    if old is None:
        raise rejected("Reference does not exist")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}", sha) or repo.git.object_type(sha) != "commit":
        raise rejected("Object does not exist")
    if not body.get("force") and old != sha and not repo.git.is_ancestor(old, sha):
        raise rejected("Update is not a fast forward")
    if _branch_of(refname) in repo.protected_branches:
        raise ApiError(422, f"Protected branch update failed for {refname}.", documentation_url=PROTECTED_DOCS)
    try:
        repo.git.update_ref(refname, sha, old)
    except GitError:
        raise rejected("Reference cannot be updated")
    return 200, ctx.render.ref(repo, refname, sha)


def delete_ref(ctx: Ctx):
    repo = ctx.repo
    refname = _ref_name(ctx)
    ctx.world.require_write(ctx.token, repo, _branch_of(refname))
    if repo.git.ref_sha(refname) is None:
        raise rejected("Reference does not exist")
    repo.git.delete_ref(refname)
    return 204, None


# --- pulls ----------------------------------------------------------------------------------


def list_pulls(ctx: Ctx):
    repo = ctx.repo
    state = ctx.query.get("state", "open")
    head = ctx.query.get("head")
    base = ctx.query.get("base")
    pulls = []
    for pull in sorted(repo.pulls.values(), key=lambda p: p.number, reverse=ctx.query.get("direction", "desc") == "desc"):
        ctx.world.refresh_pull(repo, pull)
        if state != "all" and pull.issue.state != state:
            continue
        if base and pull.base_ref != base:
            continue
        if head:
            owner, _, ref = head.partition(":")
            if not ref or owner != pull.head_repo.split("/")[0] or ref != pull.head_ref:
                continue
        pulls.append(pull)
    return 200, [ctx.render.pull(repo, p, ctx.token, full=False) for p in ctx.paginate(pulls)]


def get_pull(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    if "diff" in ctx.accept:
        # application/vnd.github.diff: the PR's unified diff as text.
        base = ctx.world.merge_base(repo, ctx.world.pull_base_sha(repo, pull), pull.head_sha)
        text = repo.git.run("diff", "--no-color", "--no-ext-diff", "-M", base or pull.head_sha, pull.head_sha)
        return 200, RawBody(text, "application/vnd.github.diff; charset=utf-8")
    return 200, ctx.render.pull(repo, pull, ctx.token)


def post_pull(ctx: Ctx):
    repo = ctx.repo
    ctx.world.require_write(ctx.token, repo)
    if ctx.token.login == ACTIONS_LOGIN and not repo.actions_can_create_pulls:
        raise ApiError(403, "GitHub Actions is not permitted to create or approve pull requests.", documentation_url=CREATE_PULL_DOCS)
    body = ctx.json_body()
    if not isinstance(body.get("head"), str):
        raise validation_failed("PullRequest", "head", "missing_field")
    if not isinstance(body.get("base"), str):
        raise validation_failed("PullRequest", "base", "missing_field")
    if not isinstance(body.get("title"), str) and "issue" not in body:
        raise validation_failed("PullRequest", "title", "missing_field")
    pull = ctx.world.create_pull(
        repo,
        body["head"],
        body["base"],
        body.get("title", ""),
        _text(body, "body", "PullRequest"),
        ctx.token.login,
        head_repo=body.get("head_repo"),
        maintainer_can_modify=_as_bool(body.get("maintainer_can_modify"), True),
        draft=_as_bool(body.get("draft")),
    )
    return 201, ctx.render.pull(repo, pull, ctx.token)


def patch_pull(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    issue = pull.issue
    if "title" in body:
        issue.title = _text(body, "title", "PullRequest") or issue.title
    if "body" in body:
        issue.body = _text(body, "body", "PullRequest")
    if "base" in body:
        if ctx.world.branch_sha(repo, str(body["base"])) is None:
            raise validation_failed("PullRequest", "base", "invalid")
        pull.base_ref = str(body["base"])
    if "maintainer_can_modify" in body:
        pull.maintainer_can_modify = bool(body["maintainer_can_modify"]) and pull.head_repo != repo.full_name
    if "state" in body:
        _set_state(issue, body["state"], None)
    issue.updated_at = now_iso()
    return 200, ctx.render.pull(repo, pull, ctx.token)


def _set_state(issue, state, reason) -> None:
    if state not in ("open", "closed"):
        raise validation_failed("Issue", "state", "invalid")
    if state == "closed" and issue.state != "closed":
        issue.closed_at = now_iso()
        issue.state_reason = reason or "completed"
    elif state == "open":
        issue.closed_at = None
        issue.state_reason = "reopened" if issue.state == "closed" else None
    issue.state = state


def pull_merged(ctx: Ctx):
    """GET /pulls/{n}/merge: 204 if merged, 404 otherwise (nothing is ever merged here)."""
    pull = ctx.world.get_pull(ctx.repo, ctx.number())
    if not pull.merged:
        raise not_found()
    return 204, None


def commit_pulls(ctx: Ctx):
    """GET /commits/{sha}/pulls: pull requests whose head history contains the commit."""
    repo = ctx.repo
    sha = ctx.world.resolve_ref(repo, ctx.params["ref"])
    found = []
    for pull in sorted(repo.pulls.values(), key=lambda p: p.number):
        ctx.world.refresh_pull(repo, pull)
        merge_base = ctx.world.merge_base(repo, ctx.world.pull_base_sha(repo, pull), pull.head_sha)
        in_range = repo.git.is_ancestor(sha, pull.head_sha) and not (merge_base and repo.git.is_ancestor(sha, merge_base))
        if in_range:
            found.append(pull)
    return 200, [ctx.render.pull(repo, p, ctx.token, full=False) for p in ctx.paginate(found)]


def list_pull_files(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    files = ctx.world.pull_diff(repo, pull)
    page = ctx.paginate(files, cap=MAX_PR_FILES)
    return 200, [ctx.render.file(repo, pull.head_sha, f) for f in page]


def list_pull_commits(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    base = ctx.world.merge_base(repo, ctx.world.pull_base_sha(repo, pull), pull.head_sha)
    shas = repo.git.rev_list(pull.head_sha, base)[:250]
    return 200, [ctx.render.commit(repo, sha) for sha in ctx.paginate(shas)]


# --- reviews and review comments ---------------------------------------------------------------


def _visible(ctx: Ctx, pull, comment: ReviewComment) -> bool:
    review = next((r for r in pull.reviews if r.id == comment.review_id), None)
    return review is None or review.state != "PENDING" or review.user == ctx.token.login


def post_review(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    event = body.get("event")
    text = body.get("body") or ""
    specs = body.get("comments") or []
    if not isinstance(text, str):
        raise unprocessable(["Invalid request.\n\nFor 'properties/body', is not a string."])
    if event not in (None, "", "COMMENT", "APPROVE", "REQUEST_CHANGES"):
        raise unprocessable([f"Invalid event: {event}"])
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise unprocessable(["Invalid request.\n\nFor 'properties/comments', is not an array of objects."])
    login = ctx.token.login
    if event in ("APPROVE", "REQUEST_CHANGES") and login == pull.issue.user:
        raise unprocessable(
            ["Can not approve your own pull request" if event == "APPROVE" else "Can not request changes on your own pull request"]
        )
    if len(text) > MAX_BODY or any(len(str(spec.get("body", ""))) > MAX_BODY for spec in specs):
        raise unprocessable([f"Body is too long (maximum is {MAX_BODY} characters)"])
    if event in ("COMMENT", "REQUEST_CHANGES") and not text and not specs:
        # GitHub refuses an empty COMMENT/REQUEST_CHANGES review (APPROVE may be empty).
        raise unprocessable([f"Body is required when using event {event}"])
    if not event and any(r.state == "PENDING" and r.user == login for r in pull.reviews):
        raise unprocessable(["User can only have one pending review per pull request"])
    commit_id = ctx.world.review_commit(repo, pull, body.get("commit_id"))
    # All or nothing: every comment must resolve before anything is stored.
    resolved = [ctx.world.resolve_comment(repo, pull, commit_id, spec, review_errors=True) for spec in specs]
    for spec in specs:
        if not isinstance(spec.get("body"), str) or not spec["body"]:
            raise unprocessable(["Body can't be blank"])
    state = {"COMMENT": "COMMENTED", "APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}.get(event or "", "PENDING")
    review = Review(ctx.world.new_id(), pull.number, login, text, state, commit_id, None if state == "PENDING" else now_iso())
    pull.reviews.append(review)
    for spec, (path, line, side, start_line, start_side, position, hunk) in zip(specs, resolved):
        _store_comment(ctx, repo, pull, review.id, spec["body"], path, line, side, start_line, start_side, position, hunk, commit_id, None)
    return 200, ctx.render.review(repo, review)


def _store_comment(ctx, repo, pull, review_id, text, path, line, side, start_line, start_side, position, hunk, commit_id, reply_to):
    stamp = now_iso()
    comment = ReviewComment(
        ctx.world.new_id(), pull.number, review_id, path, line, side, start_line, start_side, position, hunk, text,
        pull.head_sha, commit_id, ctx.token.login, reply_to, stamp, stamp,
    )
    pull.review_comments.append(comment)
    ctx.world.review_comments[comment.id] = (repo.full_name, comment)
    return comment


def list_reviews(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    reviews = [r for r in pull.reviews if r.state != "PENDING" or r.user == ctx.token.login]
    return 200, [ctx.render.review(repo, r) for r in ctx.paginate(reviews)]


def _find_review(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    review = next((r for r in pull.reviews if r.id == ctx.number("review_id")), None)
    if review is None or (review.state == "PENDING" and review.user != ctx.token.login):
        raise not_found()
    return repo, pull, review


def get_review(ctx: Ctx):
    repo, _pull, review = _find_review(ctx)
    return 200, ctx.render.review(repo, review)


def list_review_comments_of_review(ctx: Ctx):
    repo, pull, review = _find_review(ctx)
    comments = [c for c in pull.review_comments if c.review_id == review.id]
    return 200, [ctx.render.review_comment(repo, c) for c in ctx.paginate(comments)]


def submit_review(ctx: Ctx):
    repo, pull, review = _find_review(ctx)
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    event = body.get("event")
    if review.state != "PENDING":
        raise unprocessable(["Can not submit a review that is not pending"])
    states = {"COMMENT": "COMMENTED", "APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}
    if event not in states:
        raise unprocessable([f"Invalid event: {event}"])
    if _text(body, "body", "PullRequestReview"):
        review.body = body["body"]
    review.state = states[event]
    review.submitted_at = now_iso()
    return 200, ctx.render.review(repo, review)


def delete_pending_review(ctx: Ctx):
    repo, pull, review = _find_review(ctx)
    ctx.world.require_write(ctx.token, repo)
    if review.state != "PENDING":
        raise unprocessable(["Can not delete a non-pending review"])
    pull.reviews.remove(review)
    for comment in [c for c in pull.review_comments if c.review_id == review.id]:
        pull.review_comments.remove(comment)
        ctx.world.review_comments.pop(comment.id, None)
    return 200, ctx.render.review(repo, review)


def list_pull_review_comments(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    comments = [c for c in pull.review_comments if _visible(ctx, pull, c)]
    return 200, [ctx.render.review_comment(repo, c) for c in ctx.paginate(comments)]


def post_pull_review_comment(ctx: Ctx):
    """POST /pulls/{n}/comments: a single comment (its own COMMENTED review), or a reply."""
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    if not isinstance(body.get("body"), str) or not body["body"]:
        raise validation_failed("PullRequestReviewComment", "body", "missing_field")
    if body.get("in_reply_to") is not None:
        return _reply(ctx, repo, pull, _int(body["in_reply_to"], -1), body["body"])
    commit_id = ctx.world.review_commit(repo, pull, body.get("commit_id"))
    path, line, side, start_line, start_side, position, hunk = ctx.world.resolve_comment(repo, pull, commit_id, body, review_errors=False)
    review = Review(ctx.world.new_id(), pull.number, ctx.token.login, "", "COMMENTED", commit_id, now_iso())
    pull.reviews.append(review)
    comment = _store_comment(ctx, repo, pull, review.id, body["body"], path, line, side, start_line, start_side, position, hunk, commit_id, None)
    return 201, ctx.render.review_comment(repo, comment)


def _reply(ctx: Ctx, repo, pull, comment_id: int, text: str):
    target = next((c for c in pull.review_comments if c.id == comment_id), None)
    if target is None:
        raise not_found()
    root_id = target.in_reply_to_id or target.id
    review = Review(ctx.world.new_id(), pull.number, ctx.token.login, "", "COMMENTED", pull.head_sha, now_iso())
    pull.reviews.append(review)
    comment = _store_comment(
        ctx, repo, pull, review.id, text, target.path, target.line, target.side, target.start_line, target.start_side,
        target.position, target.diff_hunk, target.original_commit_id, root_id,
    )
    return 201, ctx.render.review_comment(repo, comment)


def post_reply(ctx: Ctx):
    repo = ctx.repo
    pull = ctx.world.get_pull(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    if not isinstance(body.get("body"), str) or not body["body"]:
        raise validation_failed("PullRequestReviewComment", "body", "missing_field")
    return _reply(ctx, repo, pull, ctx.number("comment_id"), body["body"])


def _stored_comment(ctx: Ctx, comments_by_id: dict) -> tuple[Repo, ReviewComment | IssueComment]:
    """The comment named by the URL's comment_id; one of another repository is a 404, as on GitHub."""
    repo = ctx.repo
    entry = comments_by_id.get(ctx.number("comment_id"))
    if entry is None or entry[0] != repo.full_name:
        raise not_found()
    return repo, entry[1]


def _comment_text(body: dict, resource: str, *, blank_ok: bool = False) -> str:
    """A comment's "body" field: a string (non-empty unless blank_ok) of at most MAX_BODY characters."""
    text = body.get("body")
    if not isinstance(text, str) or (not text and not blank_ok):
        raise validation_failed(resource, "body", "missing_field")
    if len(text) > MAX_BODY:
        raise validation_failed(resource, "body", "custom", f"body is too long (maximum is {MAX_BODY} characters)")
    return text


def _edit_stored_comment(ctx: Ctx, comments_by_id: dict, resource: str, *, blank_ok: bool):
    """PATCH of a review or issue comment: a writer replaces its body."""
    repo, comment = _stored_comment(ctx, comments_by_id)
    ctx.world.require_write(ctx.token, repo)
    comment.body = _comment_text(ctx.json_body(), resource, blank_ok=blank_ok)
    comment.updated_at = now_iso()
    return repo, comment


def _delete_stored_comment(ctx: Ctx, comments_by_id: dict, thread_of):
    """DELETE of a review or issue comment: a writer removes it from its thread (thread_of(repo, comment))."""
    repo, comment = _stored_comment(ctx, comments_by_id)
    ctx.world.require_write(ctx.token, repo)
    thread_of(repo, comment).remove(comment)
    del comments_by_id[comment.id]
    return 204, None


def get_review_comment(ctx: Ctx):
    repo, comment = _stored_comment(ctx, ctx.world.review_comments)
    return 200, ctx.render.review_comment(repo, comment)


def patch_review_comment(ctx: Ctx):
    # Kept as it was: a review comment may be edited to a blank body, an issue comment may not.
    repo, comment = _edit_stored_comment(ctx, ctx.world.review_comments, "PullRequestReviewComment", blank_ok=True)
    return 200, ctx.render.review_comment(repo, comment)


def delete_review_comment(ctx: Ctx):
    return _delete_stored_comment(ctx, ctx.world.review_comments, lambda repo, c: repo.pulls[c.number].review_comments)


def list_repo_review_comments(ctx: Ctx):
    repo = ctx.repo
    comments = [c for p in repo.pulls.values() for c in p.review_comments if _visible(ctx, p, c)]
    comments.sort(key=lambda c: c.id)
    return 200, [ctx.render.review_comment(repo, c) for c in ctx.paginate(comments)]


# --- issues and issue comments ---------------------------------------------------------------


def _text(body: dict, key: str, resource: str) -> str | None:
    """An optional string field; anything else is GitHub's 422 "invalid"."""
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise validation_failed(resource, key, "invalid")
    return value


def _label_names(value) -> list[str]:
    """Labels as GitHub accepts them: a list of names or of {"name": ...} objects."""
    if not isinstance(value, list):
        raise validation_failed("Label", "labels", "invalid")
    names = []
    for label in value:
        name = label.get("name") if isinstance(label, dict) else label
        if not isinstance(name, str) or not name:
            raise validation_failed("Label", "name", "invalid")
        names.append(name)
    return list(dict.fromkeys(names))


def list_issues(ctx: Ctx):
    repo = ctx.repo
    state = ctx.query.get("state", "open")
    labels = [label.strip() for label in ctx.query.get("labels", "").split(",") if label.strip()]
    creator = ctx.query.get("creator")
    issues = []
    for issue in repo.issues.values():
        if state != "all" and issue.state != state:
            continue
        if labels and not all(label in issue.labels for label in labels):
            continue
        if creator and issue.user != creator:
            continue
        issues.append(issue)
    issues.sort(key=lambda i: i.number, reverse=ctx.query.get("direction", "desc") == "desc")
    return 200, [ctx.render.issue(repo, i) for i in ctx.paginate(issues)]


def post_issue(ctx: Ctx):
    repo = ctx.repo
    ctx.world.require_write(ctx.token, repo)
    if not repo.has_issues:
        raise ApiError(410, "Issues are disabled for this repo", documentation_url=CREATE_ISSUE_DOCS)
    body = ctx.json_body()
    if not isinstance(body.get("title"), str) or not body["title"]:
        raise validation_failed("Issue", "title", "missing_field")
    names = _label_names(body.get("labels") or [])
    issue = ctx.world.create_issue(repo, body["title"], _text(body, "body", "Issue"), ctx.token.login, names)
    return 201, ctx.render.issue(repo, issue)


def get_issue(ctx: Ctx):
    repo = ctx.repo
    return 200, ctx.render.issue(repo, ctx.world.get_issue(repo, ctx.number()))


def patch_issue(ctx: Ctx):
    repo = ctx.repo
    issue = ctx.world.get_issue(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    if "title" in body:
        issue.title = _text(body, "title", "Issue") or issue.title
    if "body" in body:
        issue.body = _text(body, "body", "Issue")
    if "labels" in body:
        names = _label_names(body["labels"] or [])
        for name in names:
            repo.labels.setdefault(name, ctx.world.new_id())
        issue.labels = names
    if "state" in body:
        _set_state(issue, body["state"], body.get("state_reason"))
    issue.updated_at = now_iso()
    return 200, ctx.render.issue(repo, issue)


def post_issue_labels(ctx: Ctx):
    repo = ctx.repo
    issue = ctx.world.get_issue(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    body = ctx.body
    names = _label_names(body.get("labels", []) if isinstance(body, dict) else body)
    for name in names:
        repo.labels.setdefault(name, ctx.world.new_id())
        if name not in issue.labels:
            issue.labels.append(name)
    return 200, [ctx.render.label(repo, n) for n in issue.labels]


def delete_issue_label(ctx: Ctx):
    repo = ctx.repo
    issue = ctx.world.get_issue(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    name = ctx.params["name"]
    if name not in issue.labels:
        raise not_found("Label does not exist")
    issue.labels.remove(name)
    return 200, [ctx.render.label(repo, n) for n in issue.labels]


def list_issue_comments(ctx: Ctx):
    repo = ctx.repo
    issue = ctx.world.get_issue(repo, ctx.number())
    return 200, [ctx.render.issue_comment(repo, c) for c in ctx.paginate(issue.comments)]


def list_repo_issue_comments(ctx: Ctx):
    repo = ctx.repo
    comments = sorted((c for i in repo.issues.values() for c in i.comments), key=lambda c: c.id)
    return 200, [ctx.render.issue_comment(repo, c) for c in ctx.paginate(comments)]


def post_issue_comment(ctx: Ctx):
    repo = ctx.repo
    issue = ctx.world.get_issue(repo, ctx.number())
    ctx.world.require_write(ctx.token, repo)
    text = _comment_text(ctx.json_body(), "IssueComment")
    stamp = now_iso()
    comment = IssueComment(ctx.world.new_id(), issue.number, text, ctx.token.login, stamp, stamp)
    issue.comments.append(comment)
    ctx.world.issue_comments[comment.id] = (repo.full_name, comment)
    return 201, ctx.render.issue_comment(repo, comment)


def get_issue_comment(ctx: Ctx):
    repo, comment = _stored_comment(ctx, ctx.world.issue_comments)
    return 200, ctx.render.issue_comment(repo, comment)


def patch_issue_comment(ctx: Ctx):
    repo, comment = _edit_stored_comment(ctx, ctx.world.issue_comments, "IssueComment", blank_ok=False)
    return 200, ctx.render.issue_comment(repo, comment)


def delete_issue_comment(ctx: Ctx):
    return _delete_stored_comment(ctx, ctx.world.issue_comments, lambda repo, c: repo.issues[c.number].comments)


def list_labels(ctx: Ctx):
    repo = ctx.repo
    return 200, [ctx.render.label(repo, name) for name in ctx.paginate(sorted(repo.labels))]


def post_label(ctx: Ctx):
    repo = ctx.repo
    ctx.world.require_write(ctx.token, repo)
    body = ctx.json_body()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise validation_failed("Label", "name", "missing_field")
    if name in repo.labels:
        raise validation_failed("Label", "name", "already_exists")
    repo.labels[name] = ctx.world.new_id()
    return 201, ctx.render.label(repo, name)


def list_issue_labels(ctx: Ctx):
    repo = ctx.repo
    issue = ctx.world.get_issue(repo, ctx.number())
    return 200, [ctx.render.label(repo, n) for n in ctx.paginate(issue.labels)]


def rate_limit(ctx: Ctx):
    token = ctx.token
    token.used -= 1  # GitHub does not charge this endpoint
    core = {"limit": token.rate_limit, "used": token.used, "remaining": max(0, token.rate_limit - token.used), "reset": token.reset}
    search = {"limit": 30, "used": 0, "remaining": 30, "reset": int(time.time()) + 60}
    return 200, {"resources": {"core": core, "search": search, "graphql": core}, "rate": core}


# --- routing -----------------------------------------------------------------------------------

R = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
def graphql(ctx: Ctx):
    from .graphql import execute

    return execute(ctx.world, ctx.token, ctx.json_body())


ROUTES = [
    ("GET", r"/user", get_user),
    ("GET", r"/users/(?P<login>[^/]+)", get_named_user),
    ("GET", r"/orgs/(?P<org>[^/]+)/repos", list_org_repos),
    ("GET", R, get_repo),
    ("GET", R + r"/collaborators/(?P<login>[^/]+)/permission", get_collaborator_permission),
    ("GET", R + r"/branches/(?P<branch>.+)", get_branch),
    ("GET", R + r"/commits", list_commits),
    ("GET", R + r"/commits/(?P<ref>[^/]+)", get_commit),
    ("GET", R + r"/compare/(?P<spec>.+)", compare),
    ("GET", R + r"/contents/?(?P<path>.*)", get_contents),
    ("PUT", R + r"/contents/(?P<path>.+)", put_contents),
    ("GET", R + r"/git/trees/(?P<sha>[^/]+)", get_tree),
    ("POST", R + r"/git/trees", post_tree),
    ("GET", R + r"/git/blobs/(?P<sha>[^/]+)", get_blob),
    ("POST", R + r"/git/blobs", post_blob),
    ("GET", R + r"/git/commits/(?P<sha>[^/]+)", get_git_commit),
    ("POST", R + r"/git/commits", post_git_commit),
    ("GET", R + r"/git/refs", list_refs),
    ("GET", R + r"/git/(?P<kind>refs?)/(?P<ref>.+)", get_ref),
    ("POST", R + r"/git/refs", post_ref),
    ("PATCH", R + r"/git/refs/(?P<ref>.+)", patch_ref),
    ("DELETE", R + r"/git/refs/(?P<ref>.+)", delete_ref),
    ("GET", R + r"/pulls", list_pulls),
    ("POST", R + r"/pulls", post_pull),
    ("GET", R + r"/pulls/comments", list_repo_review_comments),
    ("GET", R + r"/pulls/comments/(?P<comment_id>\d+)", get_review_comment),
    ("PATCH", R + r"/pulls/comments/(?P<comment_id>\d+)", patch_review_comment),
    ("DELETE", R + r"/pulls/comments/(?P<comment_id>\d+)", delete_review_comment),
    ("GET", R + r"/pulls/(?P<number>\d+)", get_pull),
    ("PATCH", R + r"/pulls/(?P<number>\d+)", patch_pull),
    ("GET", R + r"/pulls/(?P<number>\d+)/files", list_pull_files),
    ("GET", R + r"/pulls/(?P<number>\d+)/merge", pull_merged),
    ("GET", R + r"/commits/(?P<ref>[^/]+)/pulls", commit_pulls),
    ("GET", R + r"/pulls/(?P<number>\d+)/commits", list_pull_commits),
    ("GET", R + r"/pulls/(?P<number>\d+)/reviews", list_reviews),
    ("POST", R + r"/pulls/(?P<number>\d+)/reviews", post_review),
    ("GET", R + r"/pulls/(?P<number>\d+)/reviews/(?P<review_id>\d+)", get_review),
    ("DELETE", R + r"/pulls/(?P<number>\d+)/reviews/(?P<review_id>\d+)", delete_pending_review),
    ("GET", R + r"/pulls/(?P<number>\d+)/reviews/(?P<review_id>\d+)/comments", list_review_comments_of_review),
    ("POST", R + r"/pulls/(?P<number>\d+)/reviews/(?P<review_id>\d+)/events", submit_review),
    ("GET", R + r"/pulls/(?P<number>\d+)/comments", list_pull_review_comments),
    ("POST", R + r"/pulls/(?P<number>\d+)/comments", post_pull_review_comment),
    ("POST", R + r"/pulls/(?P<number>\d+)/comments/(?P<comment_id>\d+)/replies", post_reply),
    ("GET", r"/rate_limit", rate_limit),
    ("POST", r"/graphql", graphql),
    ("GET", R + r"/labels", list_labels),
    ("POST", R + r"/labels", post_label),
    ("GET", R + r"/issues/(?P<number>\d+)/labels", list_issue_labels),
    ("GET", R + r"/issues", list_issues),
    ("POST", R + r"/issues", post_issue),
    ("GET", R + r"/issues/comments", list_repo_issue_comments),
    ("GET", R + r"/issues/comments/(?P<comment_id>\d+)", get_issue_comment),
    ("PATCH", R + r"/issues/comments/(?P<comment_id>\d+)", patch_issue_comment),
    ("DELETE", R + r"/issues/comments/(?P<comment_id>\d+)", delete_issue_comment),
    ("GET", R + r"/issues/(?P<number>\d+)", get_issue),
    ("PATCH", R + r"/issues/(?P<number>\d+)", patch_issue),
    ("POST", R + r"/issues/(?P<number>\d+)/labels", post_issue_labels),
    ("DELETE", R + r"/issues/(?P<number>\d+)/labels/(?P<name>[^/]+)", delete_issue_label),
    ("GET", R + r"/issues/(?P<number>\d+)/comments", list_issue_comments),
    ("POST", R + r"/issues/(?P<number>\d+)/comments", post_issue_comment),
]
COMPILED = [(method, re.compile(pattern + r"/?$"), handler) for method, pattern, handler in ROUTES]


RAW_ROUTE = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+)/raw/(?P<rest>.+)$")


def _raw_file(world: World, owner: str, repo: str, rest: str) -> RawBody:
    """rest is "{ref}/{path}"; refs may contain slashes, so try the longest ref that resolves."""
    target = world.get_repo(f"{owner}/{repo}")
    parts = rest.split("/")
    for cut in range(len(parts) - 1, 0, -1):
        ref, path = "/".join(parts[:cut]), "/".join(parts[cut:])
        try:
            sha = world.resolve_ref(target, ref)
        except ApiError:
            continue
        entry = world.files_at(target, sha).get(path)
        if entry is not None:
            return RawBody(target.git.read_blob(entry[1]), "text/plain; charset=utf-8")
    raise not_found()


def route(method: str, path: str):
    """(handler, params) for a request; 404 for unknown paths, 405-as-404 for a wrong method (as GitHub)."""
    for route_method, pattern, handler in COMPILED:
        m = pattern.match(path)
        if m and route_method == method:
            return handler, {k: v for k, v in m.groupdict().items() if v is not None}
    raise not_found()
