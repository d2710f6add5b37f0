"""Organisation-wide scans (the reusable workflow .github/workflows/nnrepair-org-scan.yml).

`org-list` lists the organisation's repositories through the API (archived, disabled and,
unless asked, forked ones left out) for the workflow's matrix; each matrix job then runs an
ordinary scan of one repository (input `repository`), which keeps that repository's own
scan issue. `org-summary` reads every repository's scan issue back and writes one table:
in the job summary, and with `summary-issue: true` in ONE issue of the calling repository
(found by its marker, edited only when its text changes). Both are idempotent across runs."""

from __future__ import annotations

from dataclasses import dataclass

from github.PaginatedList import PaginatedList
from github.Repository import Repository

from .github_api import ApiError
from .scan import find_scan_issue

ORG_MARKER = "<!-- nnrepair:org-summary -->"
ORG_TITLE = "nnrepair: model definitions across {org}"


@dataclass
class RepoState:
    name: str
    state: str  # "invalid models" | "clean" | "issues disabled" | "unreadable"
    link: str = ""


def org_repositories(client, org: str, include_forks: bool = False) -> list[str]:
    """Full names of the organisation's active repositories, sorted."""
    # GET /orgs/{org}/repos directly: PyGithub's get_organization() would cost a GET /orgs/{org} first
    listing = PaginatedList(Repository, client.gh.requester, f"/orgs/{org}/repos", {"type": "all", "per_page": 100})
    repos = client.all(listing)
    keep = [r for r in repos if not r.archived and not getattr(r, "disabled", False)]
    return sorted(r.full_name for r in keep if include_forks or not r.fork)


def repo_states(client, names: list[str]) -> list[RepoState]:
    out = []
    for name in names:
        try:
            repo = client.repo(name)
            if repo.has_issues is False:
                out.append(RepoState(name, "issues disabled"))
                continue
            issue = find_scan_issue(client, repo)
        except ApiError as e:
            out.append(RepoState(name, f"unreadable ({e.status})"))
            continue
        if issue is None:
            out.append(RepoState(name, "clean"))
        else:
            out.append(RepoState(name, "invalid models", issue.html_url or f"{name}#{issue.number}"))
    return out


def summary_markdown(org: str, states: list[RepoState]) -> str:
    bad = [s for s in states if s.state == "invalid models"]
    lines = [
        ORG_MARKER,
        f"## nnrepair across `{org}`: {len(bad)} of {len(states)} repositories with invalid models",
        "",
        "| repository | state |",
        "| --- | --- |",
    ]
    for s in states:
        state = f"[{s.state}]({s.link})" if s.link else s.state
        lines.append(f"| `{s.name}` | {state} |")
    lines += [
        "",
        "<sub>Each repository's scan issue lists its models and fixes; this table is rebuilt on every org scan.</sub>",
    ]
    return "\n".join(lines) + "\n"


def publish_summary_issue(client, repo, org: str, body: str, dry_run: bool = False, echo=print) -> str:
    """Create or update the one org summary issue of `repo`. Returns the action taken."""
    issues = client.all(repo.get_issues(state="open"))
    mine = next((i for i in issues if ORG_MARKER in (i.body or "") and client.is_ours(i)), None)
    if dry_run:
        echo(f"=== org summary issue ({'update' if mine else 'new'}) ===\n{body}")
        return "dry-run"
    if mine is None:

        def find():
            return next(
                (i for i in repo.get_issues(state="open") if ORG_MARKER in (i.body or "") and client.is_ours(i)), None
            )

        client.write_once(repo.create_issue, title=ORG_TITLE.format(org=org), body=body, find=find)
        return "created"
    if (mine.body or "").strip() == body.strip():
        return "unchanged"
    client.edit(mine, body=body)
    return "updated"
