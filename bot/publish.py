"""Publishing on a pull request: one review with suggestions, one sticky summary comment.

Idempotent by hidden markers:
- each inline comment carries `<!-- nnrepair:finding FP -->`; a finding whose comment
  already exists is not posted again; an existing comment whose finding is gone is
  edited to say resolved/outdated (its suggestion withdrawn);
- the summary comment carries `<!-- nnrepair:summary -->` and is edited, never duplicated;
  it is only written when its text changes, and not at all while nothing is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from . import RESOLVED_MARKER, SUMMARY_MARKER, finding_marker, templates
from .github_api import ApiError
from .outputs import model_rows
from .review import ChangedFile, Finding, Plan, plan_review, review_comment

_FINDING_RE = re.compile(r"<!-- nnrepair:finding ([0-9a-f]+) -->")


@dataclass
class PublishResult:
    new_comments: int = 0
    resolved: int = 0
    threads_resolved: int = 0
    review_posted: bool = False
    summary: str = "none"  # none | created | updated | unchanged
    can_write: bool = True
    plan: Plan | None = None
    notes: list[str] = field(default_factory=list)


def inline_body(f: Finding) -> str:
    return templates.render("inline_comment.md.j2", finding=f, marker=finding_marker(f.fingerprint))


def resolved_body(fingerprint: str, old_body: str, sha: str, reason: str = "resolved") -> str:
    title = ""
    for line in old_body.splitlines():
        if line.startswith("**"):
            title = line.strip("*").split("**")[0] if "**" in line.strip("*") else line.strip("*")
            break
    return templates.render(
        "resolved_comment.md.j2",
        marker=finding_marker(fingerprint),
        resolved_marker=RESOLVED_MARKER,
        finding_title=title or "nnrepair finding",
        sha=sha,
        reason=reason,
    )


# GitHub refuses comment bodies over 65536 characters; keep a margin
MAX_BODY = 60000


def summary_body(
    report: dict,
    sha: str,
    inline: list[Finding],
    outside: list[Finding],
    notes: list[str],
    committed: str | None = None,
    inline_mode: bool = True,
) -> str:
    """The sticky summary; shrunk (diffs dropped, then lists cut) to fit GitHub's size limit."""
    body = _summary_body(report, sha, inline, outside, notes, committed, inline_mode)
    if len(body) <= MAX_BODY:
        return body
    bare = [replace(f, diff=None, alternatives=[]) for f in outside]
    notes = notes + [
        "Diffs are omitted here to fit GitHub's comment size limit; the job summary and the SARIF file have them."
    ]
    body = _summary_body(report, sha, inline, bare, notes, committed, inline_mode)
    keep = len(bare)
    while len(body) > MAX_BODY and keep > 0:
        keep //= 2
        cut = notes + [f"Only the first {keep} of {len(bare)} findings are listed (comment size limit)."]
        body = _summary_body(report, sha, inline[:keep], bare[:keep], cut, committed, inline_mode)
    return body


def _summary_body(
    report: dict,
    sha: str,
    inline: list[Finding],
    outside: list[Finding],
    notes: list[str],
    committed: str | None,
    inline_mode: bool,
) -> str:
    models = model_rows(report)
    if len(models) > 500:  # the table alone could exceed the limit
        notes = notes + [f"The table lists 500 of {len(models)} checked models."]
        models = sorted(models, key=lambda m: m["status"] != "invalid")[:500]
    invalid = sum(1 for m in models if m["status"] == "invalid")
    return templates.render(
        "summary_comment.md.j2",
        marker=SUMMARY_MARKER,
        sha=sha,
        models=models,
        invalid=invalid,
        findings_total=len(inline) + len(outside),
        inline=inline,
        outside=outside,
        notes=notes,
        committed=committed,
        repaired=sum(1 for m in report.get("models", []) or [] if isinstance(m.get("repair"), dict)),
        inline_mode=inline_mode,
    )


def find_summary(comments, ours=lambda c: True):
    for c in comments:
        if SUMMARY_MARKER in (c.body or "") and ours(c):
            return c
    return None


def _post_summary(client, issue, body: str):
    """The first summary comment; a 5xx that hid its creation must not give a second one."""
    return client.create_issue_comment(issue, body, find=lambda: find_summary(issue.get_comments(), client.is_ours))


def _resolve_threads(client, repo, pull, comment_ids: set[int], res: PublishResult) -> None:
    try:
        res.threads_resolved = client.resolve_threads(repo.full_name, pull.number, comment_ids)
    except ApiError as e:  # a token without GraphQL access, an old GHES: the edit already says resolved
        res.notes.append(f"Could not resolve the old suggestions' review threads ({e.status}: {e.message}).")


def publish_pull(
    client,
    repo,
    pull,
    head_sha: str,
    report: dict,
    findings: list[Finding],
    changed: dict[str, ChangedFile],
    *,
    filter_mode: str,
    max_comments: int,
    inline_allowed: bool = True,
    summary_policy: str = "findings",
    extra_notes: list[str] | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
    committed: str | None = None,
) -> PublishResult:
    res = PublishResult()
    plan = plan_review(findings, changed, filter_mode, max_comments if inline_allowed else 0)
    if not inline_allowed:  # comment mode: everything in the summary
        plan.summary = sorted(plan.inline + plan.summary, key=lambda f: (f.file, f.line or 0))
        plan.inline = []
        plan.capped = 0
    res.plan = plan
    notes = list(extra_notes or [])
    if plan.capped:
        notes.append(
            f"{plan.capped} more suggestion(s) were moved here: at most {max_comments} inline comments per run."
        )

    review_comments = client.review_comments(pull)
    current = {f.fingerprint for f in findings}
    active: dict[str, Any] = {}
    moved: list[tuple[str, Any]] = []  # GitHub outdated them (their file changed): re-post at the new place
    for c in review_comments:
        m = _FINDING_RE.search(c.body or "")
        if not m or RESOLVED_MARKER in (c.body or "") or not client.is_ours(c):
            continue
        if getattr(c, "line", 0) is None and m.group(1) in current:
            moved.append((m.group(1), c))
        else:
            active[m.group(1)] = c
    stale = {fp: c for fp, c in active.items() if fp not in current}

    new_inline = [f for f in plan.inline if f.fingerprint not in active]
    already = [f for f in plan.inline if f.fingerprint in active]

    writable = True

    def write(action: str, fn, *args) -> bool:
        """Run one write; False when refused. A 401/403 turns the rest of the run read-only."""
        nonlocal writable
        if not writable:
            return False
        try:
            fn(*args)
            return True
        except ApiError as e:
            if e.status in (401, 403):
                writable = False
                res.can_write = False
                res.notes.append(
                    "The token cannot write to this repository (a fork PR or a read-only token): "
                    "results are in the annotations and the job summary only."
                )
                return False
            if e.status in (404, 409, 422):
                res.notes.append(
                    f"Could not {action} ({e.status}: {e.message}); the PR may have changed during the run."
                )
                return False
            if e.status == 0 or e.status >= 500:  # retried and looked for: it did not happen
                res.notes.append(f"Could not {action}: {e}; the next run tries again.")
                return False
            raise

    # 1. one review with every new inline suggestion
    if new_inline:
        body = templates.render(
            "review_body.md.j2",
            checked=len(report.get("models", []) or []),
            sha=head_sha,
            count=len(new_inline),
            summary_count=len(plan.summary),
        )
        comments = [review_comment(f, inline_body(f)) for f in new_inline]
        if dry_run:
            echo("=== review (COMMENT) ===\n" + body)
            for c in comments:
                where = f"{c['path']}:{c.get('start_line', c['line'])}-{c['line']}"
                echo(f"--- inline comment {where} ---\n{c['body']}")
            res.review_posted = True
            res.new_comments = len(comments)
        else:
            if write("post the review", client.create_review, repo, pull, head_sha, body, comments):
                res.review_posted = True
                res.new_comments = len(comments)
            elif writable:  # refused (e.g. 422 line outside the diff): keep the findings visible
                plan.summary = new_inline + plan.summary
                new_inline = []

    # 2. withdraw suggestions whose finding is gone (or that GitHub outdated and we re-posted),
    # and resolve their review threads
    withdrawn: set[int] = set()
    for fp, c, reason in [(fp, c, "resolved") for fp, c in stale.items()] + [(fp, c, "moved") for fp, c in moved]:
        if reason == "moved" and not any(f.fingerprint == fp for f in new_inline):
            continue  # not re-posted (e.g. now outside the diff): leave the old one alone
        body = resolved_body(fp, c.body or "", head_sha, reason)
        if dry_run:
            echo(f"=== mark comment {getattr(c, 'id', '?')} resolved ===\n{body}")
            res.resolved += 1
        elif write("mark an old suggestion resolved", client.edit, c, body):
            res.resolved += 1
            withdrawn.add(c.id)
    if withdrawn and writable:
        _resolve_threads(client, repo, pull, withdrawn, res)

    # 3. the sticky summary
    issue = client.call(pull.as_issue)
    issue_comments = client.issue_comments(issue)
    summary = find_summary(issue_comments, client.is_ours)
    inline_listed = [f for f in plan.inline if f in new_inline or f in already]
    body = summary_body(report, head_sha, inline_listed, plan.summary, notes + res.notes, committed, inline_allowed)
    has_findings = bool(inline_listed or plan.summary or committed)
    if summary is None and not has_findings and summary_policy != "always":
        res.summary = "none"
    elif summary is not None and (summary.body or "").strip() == body.strip():
        res.summary = "unchanged"
    elif dry_run:
        echo("=== summary comment ===\n" + body)
        res.summary = "updated" if summary is not None else "created"
    elif summary is not None:
        if write("update the summary comment", client.edit, summary, body):
            res.summary = "updated"
    elif write("post the summary comment", _post_summary, client, issue, body):
        res.summary = "created"
    return res
