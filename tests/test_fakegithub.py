"""The fake GitHub speaks the REST API the way PyGithub and GitHub's docs expect, over
real HTTP and real git, and enforces GitHub's rules (diff-bound review lines,
read-only tokens, fork branches, fast-forward refs, rate limits)."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
import time

import github
import pytest
import requests

from tests.fakegithub import FakeGitHub

WRITE = "ghs_write"
READ = "ghs_read"
BOT = "nnrepair-bot[bot]"

MODEL_V1 = "".join(f"line {i}\n" for i in range(1, 41))
# Changes near the top (lines 3-4) and near the bottom (line 37): two separate hunks.
MODEL_V2 = MODEL_V1.replace("line 3\n", "line three\n").replace("line 4\n", "line four\nline 4b\n").replace(
    "line 37\n", "line thirty-seven\n"
)


@pytest.fixture(autouse=True)
def _malformed_requests_allowed(monkeypatch):
    """These tests send malformed requests on purpose (the fake must answer them as GitHub does);
    the OpenAPI check would flag them. The bot's tests keep it on."""
    monkeypatch.setattr(FakeGitHub, "fail_on_openapi_violations", False)


def test_openapi_check_catches_a_violating_request_and_response():
    from tests.fakegithub import openapi_check

    with FakeGitHub() as gh:
        gh.add_token("ghs_t", login="github-actions[bot]")
        gh.create_repo("octo/models", files={"README.md": "x\n"})
        ok = requests.post(f"{gh.api_url}/repos/octo/models/issues", json={"title": "fine"},
                           headers={"Authorization": "token ghs_t"}, timeout=10)
        assert ok.status_code == 201 and gh.openapi_violations == []
        requests.post(f"{gh.api_url}/repos/octo/models/issues", json={"title": "x", "labels": "bug", "milestone": []},
                      headers={"Authorization": "token ghs_t"}, timeout=10)
        [violation, *_] = gh.openapi_violations
        assert "POST /repos/{owner}/{repo}/issues body.labels" in violation
    _, errors = openapi_check.check_request("GET", "/repos/o/r/pulls", {"state": "opened", "per_page": "x"}, None)
    assert any("state" in e for e in errors) and any("per_page" in e for e in errors)
    assert openapi_check.check_response("GET", "/repos/o/r", openapi_check.find_operation("GET", "/repos/o/r")[1], 200,
                                        {"id": "1"}) != []


def client(gh: FakeGitHub, token: str = WRITE, **kwargs) -> github.Github:
    kwargs.setdefault("retry", None)
    return github.Github(
        auth=github.Auth.Token(token), base_url=gh.api_url, seconds_between_requests=None, seconds_between_writes=None, **kwargs
    )


def raw(gh: FakeGitHub, method: str, path: str, token: str | None = WRITE, session=requests, **kwargs) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"token {token}"
    return session.request(method, gh.api_url + path, headers=headers, timeout=10, **kwargs)


def git(gh: FakeGitHub, repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", gh.git_dir(repo), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def gh():
    with FakeGitHub() as fake:
        fake.add_token(WRITE, login=BOT, permissions="write")
        fake.add_token(READ, login=BOT, permissions="read")
        yield fake
        assert fake.server_errors == [], fake.server_errors[0]


@pytest.fixture
def pr(gh):
    gh.create_repo("octo/models", files={"model.py": MODEL_V1, "README.md": "# models\n"})
    gh.commit("octo/models", "feature", {"model.py": MODEL_V2, "layers/new.py": "x = 1\n"}, message="Change model")
    return gh.create_pull("octo/models", head="feature", base="main", user="alice")


# --- reading through PyGithub ---------------------------------------------------------------


def test_pygithub_reads_repo_pull_files_and_contents(gh, pr):
    repo = client(gh).get_repo("octo/models")
    assert repo.full_name == "octo/models" and repo.default_branch == "main" and repo.fork is False
    assert repo.owner.login == "octo"
    assert repo.permissions.push is True and repo.permissions.admin is False

    pull = repo.get_pull(pr)
    head_sha = git(gh, "octo/models", "rev-parse", "refs/heads/feature").strip()
    assert (pull.number, pull.state, pull.user.login) == (pr, "open", "alice")
    assert pull.head.ref == "feature" and pull.head.sha == head_sha
    assert pull.head.repo.full_name == "octo/models" and pull.base.ref == "main"
    assert pull.maintainer_can_modify is False and pull.changed_files == 2

    files = {f.filename: f for f in pull.get_files()}
    assert set(files) == {"model.py", "layers/new.py"}
    model = files["model.py"]
    assert model.status == "modified" and (model.additions, model.deletions) == (4, 3)
    # The patch is the real git diff, hunks only.
    git_patch = git(gh, "octo/models", "diff", "main...feature", "--", "model.py")
    assert model.patch == git_patch[git_patch.index("@@") :].rstrip("\n")
    assert model.patch.count("\n@@ ") == 1  # two hunks
    assert files["layers/new.py"].status == "added" and files["layers/new.py"].patch == "@@ -0,0 +1 @@\n+x = 1"
    assert model.sha == git(gh, "octo/models", "rev-parse", "feature:model.py").strip()

    content = repo.get_contents("model.py", ref=pull.head.sha)
    assert content.decoded_content.decode() == MODEL_V2 and content.sha == model.sha
    assert [c.path for c in repo.get_contents("layers", ref="feature")] == ["layers/new.py"]
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("missing.py", ref="feature")

    tree = repo.get_git_tree(pull.head.sha, recursive=True)
    assert {e.path for e in tree.tree} == {"README.md", "layers", "layers/new.py", "model.py"}
    assert repo.get_git_blob(model.sha).content.replace("\n", "") == base64.b64encode(MODEL_V2.encode()).decode()
    commit = repo.get_commit(pull.head.sha)
    assert commit.commit.message == "Change model" and [f.filename for f in commit.files] == ["layers/new.py", "model.py"]
    assert repo.compare("main", "feature").ahead_by == 1


def test_patch_absent_for_binary_and_oversized_files():
    with FakeGitHub(patch_max_bytes=2000) as gh:
        gh.add_token(WRITE, login=BOT)
        gh.create_repo("octo/models", files={"README.md": "x\n"})
        gh.commit("octo/models", "feature", {"weights.h5": b"\x89HDF\r\n\x1a\n\x00\x01\x02", "big.py": "y = 2\n" * 1000, "small.py": "z\n"})
        n = gh.create_pull("octo/models", head="feature")
        files = raw(gh, "GET", f"/repos/octo/models/pulls/{n}/files").json()
        by_name = {f["filename"]: f for f in files}
        assert "patch" not in by_name["weights.h5"] and (by_name["weights.h5"]["additions"], by_name["weights.h5"]["changes"]) == (0, 0)
        assert "patch" not in by_name["big.py"] and by_name["big.py"]["additions"] == 1000
        assert by_name["small.py"]["patch"] == "@@ -0,0 +1 @@\n+z"
        for f in files:
            assert {"sha", "filename", "status", "additions", "deletions", "changes", "blob_url", "raw_url", "contents_url"} <= set(f)


# --- pagination ----------------------------------------------------------------------------------


def _links(response: requests.Response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", ""))}


def test_pull_files_paginate_with_link_headers_over_300_files(gh):
    gh.create_repo("octo/models", files={"README.md": "x\n"})
    names = {f"models/m{i:03d}.py": f"value = {i}\n" for i in range(305)}
    gh.commit("octo/models", "many", names)
    n = gh.create_pull("octo/models", head="many")
    path = f"/repos/octo/models/pulls/{n}/files"

    first = raw(gh, "GET", path)
    assert first.status_code == 200 and len(first.json()) == 30  # GitHub's default page size
    links = _links(first)
    assert set(links) == {"next", "last"}
    assert links["next"] == f"{gh.api_url}{path}?page=2" and links["last"] == f"{gh.api_url}{path}?page=11"

    seen, url, pages = [], f"{gh.api_url}{path}?per_page=100", 0
    while url:
        page = requests.get(url, headers={"Authorization": f"token {WRITE}"}, timeout=10)
        seen += [f["filename"] for f in page.json()]
        pages += 1
        links = _links(page)
        if pages > 1:
            assert links["first"].endswith("page=1") and "prev" in links
        url = links.get("next")
    assert pages == 4 and sorted(seen) == sorted(names) and len(seen) == 305

    assert len(raw(gh, "GET", path, params={"per_page": 1000}).json()) == 100  # capped at 100
    assert raw(gh, "GET", path, params={"page": 99}).json() == []

    pull = client(gh).get_repo("octo/models").get_pull(n)
    assert pull.get_files().totalCount == 305
    assert sorted(f.filename for f in pull.get_files()) == sorted(names)


def test_pull_files_capped_at_3000(gh):
    gh.create_repo("octo/models", files={"README.md": "x\n"})
    gh.commit("octo/models", "huge", {f"f/{i:04d}.txt": f"{i}\n" for i in range(3005)})
    n = gh.create_pull("octo/models", head="huge")
    last = raw(gh, "GET", f"/repos/octo/models/pulls/{n}/files", params={"per_page": 100, "page": 30})
    assert len(last.json()) == 100 and "next" not in _links(last) and _links(last)["prev"].endswith("page=29")
    assert raw(gh, "GET", f"/repos/octo/models/pulls/{n}/files", params={"per_page": 100, "page": 31}).json() == []
    assert raw(gh, "GET", f"/repos/octo/models/pulls/{n}").json()["changed_files"] == 3005


def test_issue_comments_paginate_and_edit_in_place(gh, pr):
    pull = client(gh).get_repo("octo/models").get_pull(pr)
    created = [pull.create_issue_comment(f"comment {i}") for i in range(35)]
    assert [c.body for c in pull.get_issue_comments()] == [f"comment {i}" for i in range(35)]
    page2 = raw(gh, "GET", f"/repos/octo/models/issues/{pr}/comments", params={"page": 2})
    assert len(page2.json()) == 5 and set(_links(page2)) == {"prev", "first"}

    created[0].edit("sticky summary v2")
    assert gh.issue_comments("octo/models", pr)[0]["body"] == "sticky summary v2"
    assert len(gh.issue_comments("octo/models", pr)) == 35  # updated, not duplicated
    created[1].delete()
    assert raw(gh, "GET", f"/repos/octo/models/issues/comments/{created[1].id}").status_code == 404
    assert raw(gh, "GET", f"/repos/octo/models/issues/comments/{created[0].id}").json()["user"]["login"] == BOT


# --- reviews: lines must be in the diff --------------------------------------------------------------


def test_review_comment_outside_diff_is_422_and_nothing_is_posted(gh, pr):
    pull = client(gh).get_repo("octo/models").get_pull(pr)
    good = {"path": "model.py", "line": 4, "side": "RIGHT", "body": "ok"}
    outside = {"path": "model.py", "line": 20, "side": "RIGHT", "body": "line 20 is not in any hunk"}
    with pytest.raises(github.GithubException) as err:
        pull.create_review(body="review", event="COMMENT", comments=[good, outside])
    assert err.value.status == 422
    assert err.value.data["message"] == "Unprocessable Entity"
    assert err.value.data["errors"] == ["Line could not be resolved"]
    assert gh.reviews("octo/models", pr) == [] and gh.review_comments("octo/models", pr) == []  # all or nothing

    cases = [
        ({"path": "README.md", "line": 1, "body": "file not in the PR"}, "Path could not be resolved"),
        ({"path": "model.py", "line": 3, "side": "LEFT", "body": "old line 3 was deleted"}, None),
        ({"path": "model.py", "line": 4, "side": "LEFT", "body": "LEFT line 4 deleted too"}, None),
        ({"path": "model.py", "line": 45, "side": "RIGHT", "body": "past the end"}, "Line could not be resolved"),
        ({"path": "model.py", "line": 37, "start_line": 4, "body": "spans two hunks"},
         "Pull request review thread start line must be part of the same hunk as the line."),
        ({"path": "model.py", "line": 4, "start_line": 5, "body": "backwards"},
         "Pull request review thread start line must precede the end line."),
    ]
    for spec, error in cases:
        response = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews", json={"event": "COMMENT", "body": "b", "comments": [spec]})
        if error is None:
            assert response.status_code == 200, response.text
        else:
            assert response.status_code == 422 and response.json()["errors"] == [error], (spec, response.text)


def test_multiline_suggestion_inside_diff_succeeds(gh, pr):
    pull = client(gh).get_repo("octo/models").get_pull(pr)
    # New-file lines 1..7 are the first hunk (context 1-2, changed 3-5, context 6-8).
    suggestion = "```suggestion\nline 3\nline 4\n```"
    review = pull.create_review(
        commit=pull.get_commits().reversed[0],
        body="nnrepair found a repair",
        event="COMMENT",
        comments=[
            {"path": "model.py", "line": 5, "side": "RIGHT", "start_line": 3, "start_side": "RIGHT", "body": suggestion},
            {"path": "model.py", "line": 8, "side": "RIGHT", "body": "context line is commentable"},
            {"path": "layers/new.py", "position": 1, "body": "legacy position"},
        ],
    )
    assert review.state == "COMMENTED" and review.commit_id == pull.head.sha
    comments = pull.get_review_comments()
    got = [(c.path, c.start_line, c.line, c.side, c.body) for c in comments]
    assert got == [
        ("model.py", 3, 5, "RIGHT", suggestion),
        ("model.py", None, 8, "RIGHT", "context line is commentable"),
        ("layers/new.py", None, 1, "RIGHT", "legacy position"),
    ]
    first = comments[0]
    assert first.pull_request_review_id == review.id and first.commit_id == pull.head.sha
    assert first.diff_hunk.startswith("@@ -1,") and first.diff_hunk.endswith("+line 4b")
    assert first.user.login == BOT and first.original_commit_id == pull.head.sha
    assert [r.state for r in pull.get_reviews()] == ["COMMENTED"]

    reply = pull.create_review_comment_reply(first.id, "thanks")
    assert reply.in_reply_to_id == first.id and reply.path == "model.py"
    first.edit("updated suggestion")
    assert gh.review_comments("octo/models", pr)[0]["body"] == "updated suggestion"
    first.delete()
    assert [c["body"] for c in gh.review_comments("octo/models", pr)][0] == "context line is commentable"


def test_review_rules_own_pull_and_unknown_commit(gh, pr):
    gh.add_token("alice_token", login="alice")
    own = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews", token="alice_token", json={"event": "APPROVE"})
    assert own.status_code == 422 and own.json()["errors"] == ["Can not approve your own pull request"]
    bad_commit = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews", json={"event": "COMMENT", "body": "x", "commit_id": "f" * 40})
    assert bad_commit.status_code == 422
    gh.commit("octo/models", "main", {"README.md": "moved on\n"})  # a commit outside the PR
    off_pr = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews",
                 json={"event": "COMMENT", "body": "x", "commit_id": gh.branch_sha("octo/models", "main")})
    assert off_pr.status_code == 422 and off_pr.json()["errors"] == ["The commitOID is not part of the pull request"]
    pending = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews", json={"body": "draft"})
    assert pending.json()["state"] == "PENDING"
    assert raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews", json={"body": "again"}).status_code == 422
    assert raw(gh, "GET", f"/repos/octo/models/pulls/{pr}/reviews", token="alice_token").json() == []  # pending is private


# --- permissions ---------------------------------------------------------------------------------------


def test_read_only_token_gets_403_on_every_write(gh, pr):
    repo = client(gh, READ).get_repo("octo/models")
    pull = repo.get_pull(pr)  # reads work
    assert pull.title and repo.permissions.push is False
    attempts = [
        lambda: pull.create_issue_comment("hi"),
        lambda: pull.create_review(body="x", event="COMMENT"),
        lambda: repo.create_git_blob("x", "utf-8"),
        lambda: repo.get_git_ref("heads/feature").edit(pull.base.sha, force=True),
        lambda: repo.create_issue("scan results"),
        lambda: pull.edit(title="renamed"),
    ]
    for attempt in attempts:
        with pytest.raises(github.GithubException) as err:
            attempt()
        assert err.value.status == 403
        assert err.value.data["message"] == "Resource not accessible by integration"
    assert gh.issue_comments("octo/models", pr) == [] and gh.reviews("octo/models", pr) == []
    assert gh.pull("octo/models", pr)["title"] == "Update model"


def test_authentication_required(gh, pr):
    assert raw(gh, "GET", "/repos/octo/models", token=None).status_code == 401
    with pytest.raises(github.BadCredentialsException):
        client(gh, "ghs_unknown").get_repo("octo/models")
    bearer = raw(gh, "GET", "/repos/octo/models", token=None, headers={"Authorization": f"Bearer {WRITE}"})
    assert bearer.status_code == 200 and bearer.headers["Content-Type"].startswith("application/json")
    assert raw(gh, "GET", "/user").status_code == 403  # an installation token has no user
    gh.add_token("pat", login="alice")
    assert client(gh, "pat").get_user().login == "alice"


def test_collaborator_permission(gh, pr):
    gh.set_permission("octo/models", "alice", "write")
    gh.set_permission("octo/models", "mallory", "none")
    repo = client(gh).get_repo("octo/models")
    assert repo.get_collaborator_permission("alice") == "write"
    assert repo.get_collaborator_permission("octo") == "admin"
    assert repo.get_collaborator_permission("mallory") == "none"
    assert raw(gh, "GET", "/repos/octo/models/collaborators/nobody-at-all/permission").status_code == 404


def test_fork_branch_writable_only_with_maintainer_can_modify(gh):
    gh.create_repo("octo/models", files={"model.py": MODEL_V1})
    fork = gh.create_fork("octo/models", owner="stranger")
    assert fork["fork"] is True and fork["full_name"] == "stranger/models"
    gh.commit("stranger/models", "patch-1", {"model.py": MODEL_V2})
    gh.commit("stranger/models", "other", {"other.py": "o\n"})
    n = gh.create_pull("octo/models", head="stranger:patch-1", base="main", head_repo="stranger/models", user="stranger")
    g = client(gh)
    pull = g.get_repo("octo/models").get_pull(n)
    assert pull.head.repo.full_name == "stranger/models" and pull.head.repo.fork is True
    assert [f.filename for f in pull.get_files()] == ["model.py"]  # diff across the fork, like refs/pull/N/head
    fork_repo = g.get_repo("stranger/models")
    assert fork_repo.parent.full_name == "octo/models"

    def push_fix(branch: str) -> int:
        head = fork_repo.get_branch(branch).commit.sha
        body = {"tree": [{"path": "model.py", "mode": "100644", "type": "blob", "content": "fixed\n"}], "base_tree": head}
        tree = raw(gh, "POST", "/repos/stranger/models/git/trees", json=body)
        if tree.status_code != 201:
            return tree.status_code
        commit = raw(gh, "POST", "/repos/stranger/models/git/commits", json={"message": "fix", "tree": tree.json()["sha"], "parents": [head]})
        return raw(gh, "PATCH", f"/repos/stranger/models/git/refs/heads/{branch}", json={"sha": commit.json()["sha"]}).status_code

    assert push_fix("patch-1") == 403
    pull.edit(maintainer_can_modify=True)
    assert push_fix("other") == 403  # only the PR's head branch
    assert push_fix("patch-1") == 200
    assert gh.file_at("stranger/models", "patch-1", "model.py") == "fixed\n"
    assert g.get_repo("octo/models").get_pull(n).head.sha == gh.branch_sha("stranger/models", "patch-1")


# --- branches and the git data API ------------------------------------------------------------------------


def test_deleted_branch_is_404(gh, pr):
    repo = client(gh).get_repo("octo/models")
    head_sha = repo.get_pull(pr).head.sha
    gh.delete_branch("octo/models", "feature")
    for call in (
        lambda: repo.get_branch("feature"),
        lambda: repo.get_git_ref("heads/feature").object,
        lambda: repo.get_contents("model.py", ref="feature"),
    ):
        with pytest.raises(github.GithubException) as err:
            call()
        assert err.value.status == 404
    patch = raw(gh, "PATCH", "/repos/octo/models/git/refs/heads/feature", json={"sha": head_sha})
    assert patch.status_code == 422 and patch.json()["message"] == "Reference does not exist"
    assert repo.get_pull(pr).head.sha == head_sha  # the PR keeps its last head
    assert gh.file_at("octo/models", "feature", "model.py") is None
    assert gh.file_at("octo/models", head_sha, "model.py") == MODEL_V2


def test_fix_commit_through_git_data_api_is_a_real_commit(gh, pr):
    repo = client(gh).get_repo("octo/models")
    pull = repo.get_pull(pr)
    fixed = MODEL_V2.replace("line three", "line 3 (repaired)")
    ref = repo.get_git_ref("heads/feature")
    assert ref.object.sha == pull.head.sha
    base_commit = repo.get_git_commit(pull.head.sha)
    blob = repo.create_git_blob(base64.b64encode(fixed.encode()).decode(), "base64")
    tree = repo.create_git_tree(
        [github.InputGitTreeElement("model.py", "100644", "blob", sha=blob.sha),
         github.InputGitTreeElement("layers/new.py", "100644", "blob", sha=None)],
        base_commit.tree,
    )
    commit = repo.create_git_commit("nnrepair: repair model.py", tree, [base_commit])
    assert commit.verification.verified is True and commit.parents[0].sha == pull.head.sha
    assert commit.author.name == BOT
    ref.edit(commit.sha)

    # Real git objects: the branch moved and the tree holds the new content.
    assert git(gh, "octo/models", "rev-parse", "refs/heads/feature").strip() == commit.sha
    assert git(gh, "octo/models", "show", f"{commit.sha}:model.py") == fixed
    assert git(gh, "octo/models", "ls-tree", "-r", "--name-only", commit.sha).split() == ["README.md", "model.py"]
    assert git(gh, "octo/models", "log", "-1", "--format=%s", "feature").strip() == "nnrepair: repair model.py"
    subprocess.run(["git", "--git-dir", gh.git_dir("octo/models"), "fsck", "--strict"], check=True, capture_output=True)
    assert gh.file_at("octo/models", "feature", "model.py") == fixed

    # The PR follows its branch; the review diff is recomputed.
    pull = repo.get_pull(pr)
    assert pull.head.sha == commit.sha and [f.filename for f in pull.get_files()] == ["model.py"]

    # A stale parent is not a fast forward.
    stale = repo.create_git_commit("stale", tree, [base_commit])
    with pytest.raises(github.GithubException) as err:
        ref.edit(stale.sha)
    assert err.value.status == 422 and err.value.data["message"] == "Update is not a fast forward"
    ref.edit(stale.sha, force=True)
    assert gh.branch_sha("octo/models", "feature") == stale.sha


def test_refs_create_list_delete(gh, pr):
    repo = client(gh).get_repo("octo/models")
    main_sha = repo.get_branch("main").commit.sha
    created = repo.create_git_ref("refs/heads/nnrepair/fix-1", main_sha)
    assert created.ref == "refs/heads/nnrepair/fix-1" and created.object.sha == main_sha
    again = raw(gh, "POST", "/repos/octo/models/git/refs", json={"ref": "refs/heads/nnrepair/fix-1", "sha": main_sha})
    assert again.status_code == 422 and again.json()["message"] == "Reference already exists"
    assert {r.ref for r in repo.get_git_refs()} == {"refs/heads/main", "refs/heads/feature", "refs/heads/nnrepair/fix-1"}
    matching = raw(gh, "GET", "/repos/octo/models/git/refs/heads/nnrepair").json()
    assert [r["ref"] for r in matching] == ["refs/heads/nnrepair/fix-1"]
    created.delete()
    assert raw(gh, "GET", "/repos/octo/models/git/ref/heads/nnrepair/fix-1").status_code == 404


def test_contents_put_creates_and_updates_files(gh, pr):
    repo = client(gh).get_repo("octo/models")
    result = repo.create_file("docs/nnrepair.md", "add report", "# report\n", branch="feature")
    assert result["commit"].sha == gh.branch_sha("octo/models", "feature")
    current = repo.get_contents("docs/nnrepair.md", ref="feature")
    repo.update_file("docs/nnrepair.md", "update report", "# report v2\n", current.sha, branch="feature")
    assert gh.file_at("octo/models", "feature", "docs/nnrepair.md") == "# report v2\n"
    with pytest.raises(github.GithubException) as err:
        repo.update_file("docs/nnrepair.md", "stale", "x", current.sha, branch="feature")
    assert err.value.status == 409


def test_force_push_moves_pull_head(gh, pr):
    old = gh.pull("octo/models", pr)["head"]["sha"]
    new = gh.force_push("octo/models", "feature", files={"model.py": "rewritten\n"})
    assert new != old and subprocess.run(
        ["git", "--git-dir", gh.git_dir("octo/models"), "merge-base", "--is-ancestor", old, new]
    ).returncode == 1
    pull = client(gh).get_repo("octo/models").get_pull(pr)
    assert pull.head.sha == new
    assert {f.filename: f.patch for f in pull.get_files()}["model.py"].endswith("+rewritten")


# --- pulls and issues -----------------------------------------------------------------------------------------


def test_pulls_list_create_and_issues_view(gh, pr):
    repo = client(gh).get_repo("octo/models")
    assert [p.number for p in repo.get_pulls(state="open", head="octo:feature")] == [pr]
    assert list(repo.get_pulls(head="octo:nope")) == []
    gh.commit("octo/models", "nnrepair/scan", {"model.py": MODEL_V1 + "# fixed\n"})
    created = repo.create_pull(title="nnrepair: repairs", body="scan", head="nnrepair/scan", base="main")
    assert created.user.login == BOT and created.number == pr + 1
    dup = raw(gh, "POST", "/repos/octo/models/pulls", json={"title": "t", "head": "nnrepair/scan", "base": "main"})
    assert dup.status_code == 422
    assert raw(gh, "POST", "/repos/octo/models/pulls", json={"title": "t", "head": "missing", "base": "main"}).status_code == 422

    issue = repo.create_issue("nnrepair: 2 invalid models", body="details", labels=["nnrepair"])
    repo.create_issue("unrelated")
    listed = list(repo.get_issues(state="open", labels=["nnrepair"]))
    assert [i.number for i in listed] == [issue.number]
    everything = raw(gh, "GET", "/repos/octo/models/issues", params={"state": "all"}).json()
    assert {i["number"] for i in everything if "pull_request" in i} == {pr, created.number}  # PRs are issues too
    assert [i.number for i in repo.get_issues(creator="alice")] == [pr]
    issue.edit(state="closed")
    assert gh.issues("octo/models")[0]["state"] == "closed"
    assert [i.number for i in repo.get_issues(state="closed")] == [issue.number]
    assert raw(gh, "GET", "/repos/octo/models/issues/999").status_code == 404
    assert raw(gh, "GET", "/repos/octo/nothing").status_code == 404


# --- failures on demand -----------------------------------------------------------------------------------------


def test_injected_429_has_retry_after_and_secondary_rate_limit_body(gh, pr):
    gh.inject(status=429, count=1, retry_after=7, path_regex=r"/pulls/\d+/reviews$", method="POST")
    assert raw(gh, "GET", f"/repos/octo/models/pulls/{pr}").status_code == 200  # does not match
    limited = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews", json={"event": "COMMENT", "body": "x"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews", json={"event": "COMMENT", "body": "x"}).status_code == 200
    assert [r[2] for r in gh.requests if r[1].endswith("/reviews")] == [429, 200]


def test_pygithub_sees_rate_limits_and_retries(gh, pr):
    gh.inject(status=403, count=1, retry_after=1)
    with pytest.raises(github.RateLimitExceededException) as err:
        client(gh).get_repo("octo/models")
    assert err.value.headers["retry-after"] == "1"

    # PyGithub's own retry honours Retry-After (0 s here) and then succeeds.
    gh.inject(status=429, count=2, retry_after=0)
    start = time.monotonic()
    assert client(gh, retry=github.GithubRetry(total=3, backoff_factor=0)).get_repo("octo/models").full_name == "octo/models"
    assert time.monotonic() - start < 5
    assert [status for _m, _p, status in gh.requests[-3:]] == [429, 429, 200]

    gh.inject(status=502, count=1, retry_after=None)
    with pytest.raises(github.GithubException) as err:
        client(gh).get_repo("octo/models")
    assert err.value.status == 502 and "retry-after" not in err.value.headers


# --- the server itself ---------------------------------------------------------------------------------------------


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def test_concurrent_clients_and_clean_shutdown():
    before = threading.active_count()
    fds_before = _open_fds()
    with FakeGitHub() as gh:
        gh.add_token(WRITE, login=BOT)
        gh.create_repo("octo/models", files={"model.py": MODEL_V1})
        gh.commit("octo/models", "feature", {"model.py": MODEL_V2})
        n = gh.create_pull("octo/models", head="feature")
        url, root = gh.api_url, gh._world.root
        results: list[int] = []

        def worker():
            session = requests.Session()  # keep-alive connections left open on purpose
            for _ in range(5):
                r = session.post(f"{url}/repos/octo/models/issues/{n}/comments", json={"body": "hi"}, headers={"Authorization": f"token {WRITE}"})
                results.append(r.status_code)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [201] * 30 and len(gh.issue_comments("octo/models", n)) == 30
        assert len({c["id"] for c in gh.issue_comments("octo/models", n)}) == 30
        assert os.path.isdir(root)
    assert not os.path.exists(root)  # temp git repos removed
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/repos/octo/models", timeout=2)
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before
    assert _open_fds() <= fds_before  # sockets and pipes closed


def test_review_comment_follows_pushes_until_outdated(gh, pr):
    pull = client(gh).get_repo("octo/models").get_pull(pr)
    first_head = pull.head.sha
    pull.create_review(event="COMMENT", body="b", comments=[
        {"path": "model.py", "line": 4, "body": "on model.py"},
        {"path": "layers/new.py", "line": 1, "body": "on new.py"},
    ])
    # A push that leaves model.py alone keeps its comment current; new.py's goes outdated.
    second_head = gh.commit("octo/models", "feature", {"layers/new.py": "x = 2\n"})
    by_path = {c["path"]: c for c in raw(gh, "GET", f"/repos/octo/models/pulls/{pr}/comments").json()}
    assert (by_path["model.py"]["line"], by_path["model.py"]["commit_id"]) == (4, second_head)
    assert by_path["model.py"]["original_commit_id"] == first_head
    outdated = by_path["layers/new.py"]
    assert outdated["line"] is None and outdated["position"] is None
    assert (outdated["original_line"], outdated["commit_id"]) == (1, first_head)


def test_http_details_etag_commits_and_errors(gh, pr):
    first = raw(gh, "GET", "/repos/octo/models")
    etag = first.headers["ETag"]
    assert first.headers["X-RateLimit-Limit"] == "5000" and "X-GitHub-Request-Id" in first.headers
    again = raw(gh, "GET", "/repos/octo/models", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""

    commits = raw(gh, "GET", "/repos/octo/models/commits", params={"sha": "feature", "per_page": 1})
    assert [c["commit"]["message"] for c in commits.json()] == ["Change model"]
    assert _links(commits)["last"].endswith("page=2")
    assert raw(gh, "GET", "/repos/octo/models/commits", params={"sha": "feature", "path": "README.md"}).json()[0]["commit"]["message"] == "Initial commit"

    chunked = raw(gh, "POST", f"/repos/octo/models/issues/{pr}/comments", data=iter([b'{"body": ', b'"sent in chunks"}']))
    assert chunked.status_code == 201 and chunked.json()["body"] == "sent in chunks"
    bad_json = raw(gh, "POST", f"/repos/octo/models/issues/{pr}/comments", data=b"{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["message"] == "Problems parsing JSON"
    assert raw(gh, "GET", "/repos/octo/models/no/such/endpoint").status_code == 404
    assert raw(gh, "GET", f"/repos/octo/models/pulls/{pr + 50}").json()["message"] == "Not Found"
    assert ("POST", f"/repos/octo/models/issues/{pr}/comments", 400) in gh.requests


def test_contents_put_on_fork_branch_without_permission_is_403(gh):
    gh.create_repo("octo/models", files={"model.py": MODEL_V1})
    gh.create_fork("octo/models", owner="stranger")
    gh.commit("stranger/models", "patch-1", {"model.py": MODEL_V2})
    gh.create_pull("octo/models", head="stranger:patch-1", head_repo="stranger/models", user="stranger")
    repo = client(gh).get_repo("stranger/models")
    assert repo.permissions.push is False
    current = repo.get_contents("model.py", ref="patch-1")
    with pytest.raises(github.GithubException) as err:
        repo.update_file("model.py", "fix", "fixed\n", current.sha, branch="patch-1")
    assert err.value.status == 403
    assert gh.file_at("stranger/models", "patch-1", "model.py") == MODEL_V2


def test_large_file_contents_come_through_the_blob_api(gh):
    big = "w = 0\n" * 200_000  # 1.2 MB: the contents API stops inlining at 1 MB
    gh.create_repo("octo/models", files={"weights.py": big})
    repo = client(gh).get_repo("octo/models")
    content = repo.get_contents("weights.py")
    assert content.encoding == "none" and content.content == "" and content.size == len(big)
    blob = repo.get_git_blob(content.sha)
    assert base64.b64decode(blob.content).decode() == big and blob.size == len(big)


def test_legacy_position_counts_lines_across_hunks(gh, pr):
    patch = {f["filename"]: f["patch"] for f in raw(gh, "GET", f"/repos/octo/models/pulls/{pr}/files").json()}["model.py"]
    lines = patch.split("\n")
    second_hunk = next(i for i, text in enumerate(lines) if i > 0 and text.startswith("@@"))
    position = lines.index("+line thirty-seven")  # position = lines below the first @@ header
    assert position > second_hunk
    response = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews",
                   json={"event": "COMMENT", "comments": [{"path": "model.py", "position": position, "body": "p"}]})
    assert response.status_code == 200, response.text
    [comment] = gh.review_comments("octo/models", pr)
    assert (comment["line"], comment["side"], comment["position"]) == (38, "RIGHT", position)
    at_header = raw(gh, "POST", f"/repos/octo/models/pulls/{pr}/reviews",
                    json={"event": "COMMENT", "comments": [{"path": "model.py", "position": second_hunk, "body": "p"}]})
    assert at_header.status_code == 422


def test_raw_urls_diff_media_type_labels_and_rate_limit(gh, pr):
    files = raw(gh, "GET", f"/repos/octo/models/pulls/{pr}/files").json()
    model = next(f for f in files if f["filename"] == "model.py")
    assert requests.get(model["raw_url"], timeout=10).text == MODEL_V2
    assert requests.get(f"{gh.api_url}/octo/models/raw/main/model.py", timeout=10).text == MODEL_V1
    contents = raw(gh, "GET", model["contents_url"].replace(gh.api_url, "")).json()
    assert base64.b64decode(contents["content"]).decode() == MODEL_V2

    diff = raw(gh, "GET", f"/repos/octo/models/pulls/{pr}", headers={"Accept": "application/vnd.github.diff"})
    assert diff.headers["Content-Type"].startswith("application/vnd.github.diff")
    assert diff.text == git(gh, "octo/models", "diff", "-M", "main...feature")

    repo = client(gh).get_repo("octo/models")
    repo.create_label("nnrepair", "ededed")
    assert [label.name for label in repo.get_labels()] == ["nnrepair"]
    issue = repo.create_issue("scan", labels=["nnrepair"])
    issue.add_to_labels("models")
    assert [label.name for label in issue.get_labels()] == ["nnrepair", "models"]
    issue.remove_from_labels("nnrepair")
    assert [label["name"] for label in gh.issues("octo/models")[0]["labels"]] == ["models"]
    limits = client(gh).get_rate_limit().resources.core
    assert limits.limit == 5000 and 0 < limits.remaining < 5000


def test_injected_delay_stalls_only_matching_requests(gh, pr):
    gh.inject(status=None, delay=1.0, path_regex=r"/files$")
    results: dict[str, float] = {}

    def slow():
        start = time.monotonic()
        assert raw(gh, "GET", f"/repos/octo/models/pulls/{pr}/files").status_code == 200
        results["slow"] = time.monotonic() - start

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.1)
    assert raw(gh, "GET", "/repos/octo/models").status_code == 200
    assert thread.is_alive()  # answered while the stalled request still waits: the lock is not held
    thread.join()
    assert results["slow"] >= 1.0

    gh.inject(status=None, delay=0.6)
    with pytest.raises(requests.Timeout):
        requests.get(f"{gh.api_url}/repos/octo/models", headers={"Authorization": f"token {WRITE}"}, timeout=0.2)


def test_objects_carry_every_field_pygithub_reads_without_lazy_requests(gh, pr):
    """A field missing from a JSON shape makes PyGithub fetch the object again (lazy completion):
    reading everything a bot looks at must cost no request beyond the listings."""
    repo = client(gh).get_repo("octo/models")
    pull = repo.get_pull(pr)
    pull.create_review(event="COMMENT", body="r", comments=[{"path": "model.py", "line": 4, "body": "c"}])
    pull.create_issue_comment("summary")
    listed = [list(pull.get_review_comments()), list(pull.get_issue_comments()), list(pull.get_files()), list(pull.get_reviews())]
    issues = list(repo.get_issues(state="all"))
    before = len(gh.requests)
    [comment], [issue_comment], files, [review] = listed
    seen = [
        (comment.id, comment.path, comment.line, comment.start_line, comment.side, comment.body, comment.commit_id,
         comment.original_commit_id, comment.original_line, comment.position, comment.pull_request_review_id,
         comment.diff_hunk, comment.html_url, comment.created_at, comment.updated_at, comment.user.login, comment.user.type),
        (issue_comment.id, issue_comment.body, issue_comment.user.login, issue_comment.user.type, issue_comment.html_url,
         issue_comment.created_at, issue_comment.updated_at, issue_comment.url),
        [(f.filename, f.status, f.sha, f.patch, f.additions, f.deletions, f.changes, f.blob_url, f.raw_url) for f in files],
        (review.id, review.state, review.body, review.user.login, review.commit_id, review.submitted_at, review.html_url),
        [(i.number, i.title, i.state, i.body, i.user.login, [label.name for label in i.labels], i.pull_request is not None,
          i.created_at, i.comments) for i in issues],
        (pull.head.repo.full_name, pull.head.repo.fork, pull.head.ref, pull.head.sha, pull.base.repo.default_branch,
         pull.base.sha, pull.maintainer_can_modify, pull.user.login, pull.user.type, pull.draft, pull.state, pull.title,
         pull.body, pull.html_url, pull.merged, pull.mergeable_state, pull.changed_files, pull.commits,
         pull.head.repo.permissions.push, pull.base.repo.owner.login),
    ]
    assert len(gh.requests) == before, gh.requests[before:]
    assert seen[0][1:3] == ("model.py", 4) and seen[4][0][6] is True


def test_pull_files_statuses_renames_and_odd_names_match_git(gh):
    body = "".join(f"row {i}\n" for i in range(30))
    gh.create_repo("octo/models", files={"old name.py": body, "gone.py": "bye\n", "keep.py": "k\n", "café/ü.py": "u\n"})
    gh.commit("octo/models", "feature", {
        "old name.py": None, "new näme.py": body.replace("row 5\n", "row five\n"),  # a rename with an edit
        "gone.py": None, "café/ü.py": "u2\n", "tab\tname.py": "t\n",
    })
    n = gh.create_pull("octo/models", head="feature")
    files = {f["filename"]: f for f in raw(gh, "GET", f"/repos/octo/models/pulls/{n}/files").json()}
    assert {name: f["status"] for name, f in files.items()} == {
        "new näme.py": "renamed", "gone.py": "removed", "café/ü.py": "modified", "tab\tname.py": "added",
    }
    assert files["new näme.py"]["previous_filename"] == "old name.py"
    assert files["new näme.py"]["patch"] == "@@ -3,7 +3,7 @@ row 1\n row 2\n row 3\n row 4\n-row 5\n+row five\n row 6\n row 7\n row 8"
    assert files["gone.py"]["patch"] == "@@ -1 +0,0 @@\n-bye" and files["gone.py"]["deletions"] == 1
    assert files["café/ü.py"]["patch"] == "@@ -1 +1 @@\n-u\n+u2"
    review = {"event": "COMMENT", "comments": [{"path": "new näme.py", "line": 6, "body": "on a renamed file"}]}
    assert raw(gh, "POST", f"/repos/octo/models/pulls/{n}/reviews", json=review).status_code == 200
    removed_right = {"event": "COMMENT", "comments": [{"path": "gone.py", "line": 1, "body": "no right side"}]}
    assert raw(gh, "POST", f"/repos/octo/models/pulls/{n}/reviews", json=removed_right).status_code == 422


def test_git_trees_replace_files_and_directories(gh):
    gh.create_repo("octo/models", files={"a": "file a\n", "dir/x.py": "x\n", "dir/sub/y.py": "y\n"})
    head = gh.branch_sha("octo/models", "main")
    tree = raw(gh, "POST", "/repos/octo/models/git/trees", json={"base_tree": raw(gh, "GET", f"/repos/octo/models/git/commits/{head}").json()["tree"]["sha"], "tree": [
        {"path": "a/inside.py", "mode": "100644", "type": "blob", "content": "now a directory\n"},
        {"path": "dir", "mode": "100644", "type": "blob", "content": "now a file\n"},
    ]})
    assert tree.status_code == 201
    listing = raw(gh, "GET", f"/repos/octo/models/git/trees/{tree.json()['sha']}", params={"recursive": "1"}).json()["tree"]
    assert [(e["path"], e["type"]) for e in listing] == [("a", "tree"), ("a/inside.py", "blob"), ("dir", "blob")]
    subprocess.run(["git", "--git-dir", gh.git_dir("octo/models"), "fsck", "--strict", "--no-dangling"], check=True, capture_output=True)
    sub = raw(gh, "GET", "/repos/octo/models/contents/dir/sub").json()
    assert [(e["path"], e["name"], e["type"]) for e in sub] == [("dir/sub/y.py", "y.py", "file")]


def test_malformed_requests_get_4xx_never_500(gh, pr):
    """Bad input never crashes the fake: every odd body answers 4xx (or success), no 500."""
    comment_id = raw(gh, "POST", f"/repos/octo/models/issues/{pr}/comments", json={"body": "x"}).json()["id"]
    reviews, comments = f"/repos/octo/models/pulls/{pr}/reviews", f"/repos/octo/models/pulls/{pr}/comments"
    review_comments = [
        {"comments": "x"}, {"comments": [1]}, {"event": 1, "body": "b"},
        {"comments": [{"path": 3, "line": "4", "body": "b"}]},
        {"comments": [{"path": "model.py", "line": 4, "start_line": "x", "body": "b"}]},
        {"comments": [{"path": "model.py", "position": "2", "body": "b"}]},
        {"comments": [{"path": "model.py", "line": 4, "side": "MIDDLE", "body": "b"}]},
        {"comments": [{"path": "model.py", "line": 4, "body": None}]},
    ]
    specific = {
        ("POST", reviews): review_comments,
        ("POST", comments): [c["comments"][0] for c in review_comments if isinstance(c.get("comments"), list)] + [{"body": "r", "in_reply_to": "x"}],
        ("POST", "/repos/octo/models/git/blobs"): [{"content": "x", "encoding": "rot13"}, {"content": "%%%", "encoding": "base64"}],
        ("POST", "/repos/octo/models/git/trees"): [
            {"tree": [1]}, {"tree": [{"path": "a", "sha": 5}]}, {"tree": "x"}, {"base_tree": 12, "tree": []},
            {"tree": [{"path": "a", "type": "tree", "mode": "040000", "sha": "0" * 40}]}, {"tree": [{"path": "a", "mode": "777", "content": "x"}]},
        ],
        ("POST", "/repos/octo/models/git/commits"): [
            {"message": 1, "tree": "x", "parents": "y"}, {"message": "m", "tree": "0" * 40, "parents": [None]},
            {"message": "m", "tree": "--help", "parents": []},
        ],
        ("POST", "/repos/octo/models/git/refs"): [{"ref": 5, "sha": 6}, {"ref": "refs/heads/x", "sha": "nope"}, {"ref": "heads/x", "sha": "0" * 40}],
        ("PATCH", "/repos/octo/models/git/refs/heads/feature"): [{"sha": None, "force": "yes"}, {"sha": "-p"}],
        ("POST", "/repos/octo/models/pulls"): [{"title": 5, "head": 5, "base": None}, {"head": "ghost:branch", "base": "main", "title": "t"}],
        ("PATCH", f"/repos/octo/models/pulls/{pr}"): [{"state": "merged"}, {"base": 5}],
        ("PATCH", f"/repos/octo/models/issues/{pr}"): [{"state": "merged"}, {"labels": "notalist"}],
        ("POST", f"/repos/octo/models/issues/{pr}/comments"): [{"body": ""}, {"body": "x" * 70000}],
        ("PATCH", f"/repos/octo/models/issues/comments/{comment_id}"): [{"body": None}],
        ("POST", f"/repos/octo/models/issues/{pr}/labels"): [{"labels": "x"}, ["ok", 5]],
        ("PUT", "/repos/octo/models/contents/new.py"): [
            {"content": "!!notbase64!!", "message": "m"}, {"content": 5, "message": "m"}, {"message": "m", "content": "eA==", "branch": 7},
        ],
        ("POST", "/repos/octo/models/issues"): [{"title": ""}],
        ("POST", "/repos/octo/models/labels"): [{"name": 3}],
    }
    common = [None, [], "text", 7, {}, {"body": 5}, {"title": ["x"]}, {"labels": [5, None]}]
    statuses = set()
    with requests.Session() as session:
        for (method, path), bodies in specific.items():
            for body in common + bodies:
                response = raw(gh, method, path, json=body, session=session)
                statuses.add(response.status_code)
                assert response.status_code < 500, (method, path, body, response.text)
    assert gh.server_errors == []
    assert {400, 422} <= statuses


def test_odd_queries_and_paths_are_4xx_not_500(gh, pr):
    paths = [
        "/repos/octo/models/contents/../../../etc/passwd", "/repos/octo/models/contents/model.py?ref=--output=/tmp/x",
        "/repos/octo/models/contents/model.py?ref=refs/heads/../../../config", "/repos/octo/models/contents/model.py?ref=main~1",
        "/repos/octo/models/git/trees/--help", "/repos/octo/models/git/trees/HEAD", "/repos/octo/models/git/blobs/zz",
        "/repos/octo/models/git/commits/-p", "/repos/octo/models/git/ref/heads/..%2F..%2Fconfig", "/repos/octo/models/commits/-n1",
        "/repos/octo/models/compare/main...--all", "/repos/octo/models/compare/nothing", "/repos/octo/models/branches/..%2Fpacked-refs",
        f"/repos/octo/models/pulls/{pr}/files?per_page=-5&page=abc", f"/repos/octo/models/pulls/{pr}/files?per_page=0&page=-1",
        "/repos/octo/models/issues?state=bogus&labels=,,,", "/repos/octo/models/pulls?head=:&base=", "/repos/%2E%2E/models",
        "/repos/octo/models/commits?sha=--all", "/repos/octo/models/commits?path=--output=x", "/octo/models/raw/main/../../x",
    ]
    for path in paths:
        response = requests.get(gh.api_url + path, headers={"Authorization": f"token {WRITE}"}, timeout=10)
        assert response.status_code < 500, (path, response.text)
        assert "root:" not in response.text and "[core]" not in response.text, path
    assert gh.server_errors == []
    page = raw(gh, "GET", f"/repos/octo/models/pulls/{pr}/files?per_page=-5&page=abc").json()
    assert len(page) == 2  # nonsense paging falls back to the first page


def test_primary_rate_limit_per_token_and_secondary_content_limit():
    with FakeGitHub(content_per_minute=3) as gh:
        gh.add_token(WRITE, login=BOT, rate_limit=5)
        gh.create_repo("octo/models")
        n = gh.create_issue("octo/models", "tracking")
        first = raw(gh, "GET", "/repos/octo/models")
        assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("5", "4")
        assert raw(gh, "GET", "/repos/octo/models", headers={"If-None-Match": first.headers["ETag"]}).headers["X-RateLimit-Remaining"] == "4"
        statuses = [raw(gh, "POST", f"/repos/octo/models/issues/{n}/comments", json={"body": f"c{i}"}).status_code for i in range(4)]
        assert statuses == [201, 201, 201, 403]  # the 4th content creation within a minute
        blocked = raw(gh, "GET", "/repos/octo/models")
        assert blocked.status_code == 403 and blocked.json()["message"].startswith("API rate limit exceeded")
        assert blocked.headers["X-RateLimit-Remaining"] == "0" and int(blocked.headers["X-RateLimit-Reset"]) > time.time()
        with pytest.raises(github.RateLimitExceededException):
            client(gh).get_repo("octo/models")
        assert len(gh.issue_comments("octo/models", n)) == 3


def test_secondary_content_limit_message_is_retryable_for_pygithub():
    with FakeGitHub(content_per_minute=1) as gh:
        gh.add_token(WRITE, login=BOT)
        gh.create_repo("octo/models")
        n = gh.create_issue("octo/models", "tracking")
        issue = client(gh).get_repo("octo/models").get_issue(n)
        issue.create_comment("one")
        with pytest.raises(github.RateLimitExceededException) as err:
            issue.create_comment("two")
        assert 1 <= int(err.value.headers["retry-after"]) <= 61


def test_deleting_head_branch_closes_pull_when_asked():
    with FakeGitHub(close_pulls_on_branch_delete=True) as gh:
        gh.add_token(WRITE, login=BOT)
        gh.create_repo("octo/models", files={"model.py": MODEL_V1})
        head = gh.commit("octo/models", "feature", {"model.py": MODEL_V2})
        n = gh.create_pull("octo/models", head="feature")
        assert raw(gh, "DELETE", "/repos/octo/models/git/refs/heads/feature").status_code == 204
        pull = raw(gh, "GET", f"/repos/octo/models/pulls/{n}").json()
        assert (pull["state"], pull["head"]["sha"]) == ("closed", head) and pull["closed_at"]
        assert [p["number"] for p in raw(gh, "GET", "/repos/octo/models/pulls").json()] == []


def test_single_review_comment_endpoint_uses_validation_failed_form(gh, pr):
    pull = client(gh).get_repo("octo/models").get_pull(pr)
    commit = pull.get_commits().reversed[0]
    with pytest.raises(github.GithubException) as err:
        pull.create_review_comment("outside", commit, "model.py", line=20, side="RIGHT")
    assert err.value.status == 422 and err.value.data["message"] == "Validation Failed"
    assert err.value.data["errors"] == [{"resource": "PullRequestReviewComment", "code": "custom",
                                         "field": "pull_request_review_thread.line", "message": "could not be resolved"}]
    made = pull.create_review_comment("inside", commit, "model.py", line=5, side="RIGHT", start_line=3, start_side="RIGHT")
    assert (made.start_line, made.line, made.commit_id) == (3, 5, pull.head.sha)
    assert [r["state"] for r in gh.reviews("octo/models", pr)] == ["COMMENTED"]  # each single comment is its own review


def test_commit_pulls_merge_status_and_raw_contents(gh, pr):
    head = gh.branch_sha("octo/models", "feature")
    assert [p["number"] for p in raw(gh, "GET", f"/repos/octo/models/commits/{head}/pulls").json()] == [pr]
    main = gh.branch_sha("octo/models", "main")
    assert raw(gh, "GET", f"/repos/octo/models/commits/{main}/pulls").json() == []  # already on the base
    assert client(gh).get_repo("octo/models").get_pull(pr).is_merged() is False
    contents = raw(gh, "GET", "/repos/octo/models/contents/model.py?ref=feature", headers={"Accept": "application/vnd.github.raw"})
    assert contents.text == MODEL_V2 and contents.headers["Content-Type"].startswith("application/vnd.github.raw")
