"""Scheduled scans of the default branch: ONE issue (found by its hidden marker) that
lists every invalid model with its fix, updated on each scan and closed when all is
clean; optionally ONE pull request from the branch `nnrepair/fixes`."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import FIX_BRANCH, SCAN_MARKER, templates
from .fixcommit import commit_message, fixed_models, git_blob_sha
from .github_api import ApiError
from .outputs import model_rows

ISSUE_TITLE = "nnrepair: invalid model definitions on {branch}"
PR_TITLE = "nnrepair: repair invalid model definitions"


@dataclass
class ScanResult:
    issue_number: int | None = None
    issue_action: str = "none"  # none | created | updated | unchanged | closed | disabled
    pr_number: int | None = None
    pr_action: str = "none"  # none | created | updated | unchanged | closed | refused
    notes: list[str] = field(default_factory=list)


def invalid_models(report: dict) -> list[dict]:
    out = []
    for m in report.get("models", []) or []:
        if m.get("status") != "invalid":
            continue
        r = m.get("repair") if isinstance(m.get("repair"), dict) else None
        out.append(
            {
                "file": m.get("file", ""),
                "name": m.get("name", ""),
                "diagnostics": m.get("diagnostics", []) or [],
                "diff": (r or {}).get("diff"),
                "why": [e.get("description", "") for e in (r or {}).get("edits", []) or [] if e.get("description")],
            }
        )
    return out


MAX_BODY = 60000  # GitHub's issue body limit is 65536 characters


PR_REFUSED = "not permitted to create or approve pull requests"


def issue_body(
    report: dict,
    branch: str,
    sha: str,
    pr_url: str | None,
    *,
    branch_url: str | None = None,
    pr_refused: str | None = None,
    upgrade: list | None = None,
) -> str:
    rows, invalid = model_rows(report), invalid_models(report)

    def render(models, bad):
        return templates.render(
            "scan_issue.md.j2",
            marker=SCAN_MARKER,
            branch=branch,
            sha=sha,
            models=models,
            invalid=bad,
            pr_url=pr_url,
            branch_url=branch_url,
            pr_refused=pr_refused,
            fix_branch=FIX_BRANCH,
            total_invalid=len(invalid),
            upgrade=upgrade_rows(upgrade or []),
        )

    body = render(rows, invalid)
    if len(body) > MAX_BODY:  # list only the invalid models, then fewer of them
        rows = [r for r in rows if r["status"] == "invalid"]
        keep = len(invalid)
        body = render(rows, invalid)
        while len(body) > MAX_BODY and keep > 1:
            keep //= 2
            body = render(rows[:keep], invalid[:keep])
    return body


def upgrade_rows(items: list) -> list[dict]:
    """The "upgrade to Keras 3" section: each finding Keras 3 adds, with its fix (migration.migration_items)."""
    return [
        {
            "file": it.get("file", ""),
            "line": it.get("line"),
            "code": it.get("code", ""),
            "severity": it.get("severity", "error"),
            "message": it.get("message", ""),
            "repair": [r for r in it.get("repair", []) or [] if r],
        }
        for it in items
    ]


def find_scan_issue(client, repo, retry: bool = True):
    """The open scan issue by the bot's marker. retry=False inside a write's own retry loop."""
    issues = client.all(repo.get_issues(state="open")) if retry else list(repo.get_issues(state="open"))
    for issue in issues:
        if getattr(issue, "pull_request", None) is None and SCAN_MARKER in (issue.body or "") and client.is_ours(issue):
            return issue
    return None


def find_fix_pull(client, repo, retry: bool = True):
    owner = repo.full_name.split("/")[0]
    pulls = repo.get_pulls(state="open", head=f"{owner}:{FIX_BRANCH}")
    for p in client.all(pulls) if retry else list(pulls):
        if p.head.ref == FIX_BRANCH:
            return p
    return None


def _branch_matches(client, repo, base_sha: str, files: dict[str, str]) -> bool:
    """True when nnrepair/fixes already holds exactly these files on top of base_sha."""
    try:
        ref = client.call(repo.get_git_ref, f"heads/{FIX_BRANCH}")
    except ApiError as e:
        if e.status == 404:
            return False
        raise
    commit = client.call(repo.get_git_commit, ref.object.sha)
    if [p.sha for p in commit.parents] != [base_sha]:
        return False
    blobs = {path: sha for path, sha, _ in client.tree_files(repo, commit.sha)}
    return all(blobs.get(p) == git_blob_sha(t.encode("utf-8")) for p, t in files.items())


def update_fix_branch(client, repo, base_sha: str, files: dict[str, str], message: str) -> str:
    """(Re)build nnrepair/fixes as one commit on the default branch head. Returns the action."""
    if _branch_matches(client, repo, base_sha, files):
        return "unchanged"
    try:
        client.call(repo.get_git_ref, f"heads/{FIX_BRANCH}")
        exists = True
    except ApiError as e:
        if e.status != 404:
            raise
        exists = False
    client.commit_files(repo, FIX_BRANCH, base_sha, files, message, force=True, create=not exists)
    return "updated" if exists else "created"


def publish_scan(
    client,
    repo,
    report: dict,
    fixed_texts: dict[str, str],
    sources: dict,
    *,
    branch: str,
    sha: str,
    open_pr: bool,
    dry_run: bool = False,
    echo=print,
    upgrade: list | None = None,
) -> ScanResult:
    res = ScanResult()
    issue = find_scan_issue(client, repo)
    bad = invalid_models(report)
    pull = find_fix_pull(client, repo) if open_pr else None

    if not bad and upgrade:  # valid on the Keras it runs, but breaks on Keras 3: the issue says what
        body = issue_body(report, branch, sha, None, upgrade=upgrade)
        _write_issue(client, repo, res, issue, body, branch, dry_run, echo)
        if pull is not None and not dry_run:
            client.edit(pull, state="closed")
            res.pr_number, res.pr_action = pull.number, "closed"
        return res
    if not bad:
        if issue is not None:
            if dry_run:
                echo(f"=== close issue #{issue.number} ===")
            else:
                closing = f"{SCAN_MARKER}\nThe scan of `{branch}` at `{sha[:7]}` finds every model valid. Closing."
                client.create_issue_comment(issue, closing)  # guarded: the exact text by the bot counts as posted
                client.edit(issue, state="closed")
            res.issue_number, res.issue_action = issue.number, "closed"
        if pull is not None and not dry_run:
            client.edit(pull, state="closed")
            res.pr_number, res.pr_action = pull.number, "closed"
        return res

    files = {}
    for p, t in fixed_texts.items():
        before = sources.get(p)
        before = before.decode("utf-8", "replace") if isinstance(before, bytes) else before
        if before != t:
            files[p] = t
    pr_url = (pull.html_url or f"#{pull.number}") if pull is not None else None
    with_pr = open_pr and bool(files)
    # 1. the issue, first and on its own: whatever happens to the branch or the PR, the findings are
    # there. (An existing issue is updated once, below, with the PR's fate: no edit back and forth.)
    if issue is None or not with_pr or dry_run:
        issue = _write_issue(
            client, repo, res, issue, issue_body(report, branch, sha, pr_url, upgrade=upgrade), branch, dry_run, echo
        )
    if not with_pr:
        return res
    # 2. the branch and the PR; the issue then points at them (or says why there is no PR)
    models = fixed_models(report, set(files))
    msg = commit_message(PR_TITLE, models)
    if dry_run:
        echo(f"=== branch {FIX_BRANCH} ===\n{msg}")
        return res
    refused = None
    try:
        action = update_fix_branch(client, repo, sha, files, msg)
        body = templates.render("scan_pr_body.md.j2", marker=SCAN_MARKER, branch=branch, sha=sha, fixed=models)
        pull = _write_pull(client, repo, res, pull, body, branch, action)
    except ApiError as e:
        if e.status != 403 or PR_REFUSED not in e.message:
            # the findings still reach the issue; the failure is the run's to report
            body = issue_body(report, branch, sha, None, upgrade=upgrade)
            _write_issue(client, repo, res, issue, body, branch, dry_run, echo)
            raise
        refused = e.message.strip()
        res.pr_action = "refused"
        res.notes.append(
            f"GitHub refused to open the fix PR ({refused}); the issue links the branch `{FIX_BRANCH}` "
            'and says how to allow it (Settings > Actions > General > "Allow GitHub Actions to create and approve pull requests").'
        )
    pr_url = (pull.html_url or f"#{pull.number}") if pull is not None and refused is None else None
    branch_url = f"{repo.html_url}/compare/{branch}...{FIX_BRANCH}?expand=1"
    final = issue_body(report, branch, sha, pr_url, branch_url=branch_url, pr_refused=refused, upgrade=upgrade)
    _write_issue(client, repo, res, issue, final, branch, dry_run, echo, first=False)
    return res


def _write_pull(client, repo, res: ScanResult, pull, body: str, branch: str, branch_action: str):
    if pull is None:
        pull = client.write_once(
            repo.create_pull,
            title=PR_TITLE,
            body=body,
            head=FIX_BRANCH,
            base=branch,
            find=lambda: find_fix_pull(client, repo, retry=False),
        )
        res.pr_action = "created"
    elif (pull.body or "").strip() != body.strip():
        client.edit(pull, body=body)
        res.pr_action = "updated"
    else:
        res.pr_action = "unchanged" if branch_action == "unchanged" else "updated"
    res.pr_number = pull.number
    return pull


def _write_issue(client, repo, res: ScanResult, issue, body: str, branch: str, dry_run: bool, echo, first=True):
    """Create or update the scan issue; a repository without issues (410) is reported, not fatal."""
    title = ISSUE_TITLE.format(branch=branch)
    if dry_run:
        echo(f"=== scan issue ({f'update #{issue.number}' if issue else 'new'}) ===\n{body}")
        res.issue_action = "updated" if issue else "created"
        return issue
    if getattr(repo, "has_issues", True) is False:
        _issues_disabled(res, repo)
        return None
    try:
        if issue is None:
            issue = client.write_once(
                repo.create_issue, title=title, body=body, find=lambda: find_scan_issue(client, repo, retry=False)
            )
            res.issue_action = "created"
        elif (issue.body or "").strip() != body.strip():
            client.edit(issue, body=body)
            if first or res.issue_action in ("none", "unchanged"):
                res.issue_action = "updated"
        elif first:
            res.issue_action = "unchanged"
    except ApiError as e:
        if e.status != 410:
            raise
        _issues_disabled(res, repo)
        return None
    res.issue_number = issue.number if issue else None
    return issue


def _issues_disabled(res: ScanResult, repo) -> None:
    res.issue_action = "disabled"
    note = (
        f"Issues are disabled in {repo.full_name}: the scan's findings are only in this job summary, "
        "the annotations and the SARIF file (enable Issues in the repository settings to get the scan issue)."
    )
    if note not in res.notes:
        res.notes.append(note)
