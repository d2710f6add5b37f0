"""Fix commits on a PR branch through the Git Data API (blobs -> tree -> commit -> ref).

Only when the bot may push there: the head branch lives in the same repository, or the
fork allows maintainer edits. Every commit message ends with the trailer
`nnrepair-bot: fix`, and a head commit carrying it is never "fixed" again (no loops).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import FIX_TRAILER, templates
from .github_api import ApiError, is_protected_branch_refusal


@dataclass
class FixResult:
    committed: bool = False
    sha: str | None = None
    files: list[str] = field(default_factory=list)
    note: str | None = None


def changed_texts(fixed_texts: dict[str, str], sources: dict[str, bytes | str]) -> dict[str, str]:
    """Only the files whose repaired text differs from what is on the branch."""
    out = {}
    for path, text in sorted(fixed_texts.items()):
        before = sources.get(path)
        if isinstance(before, bytes):
            before = before.decode("utf-8", "replace")
        if before != text:
            out[path] = text
    return out


def fixed_models(report: dict, paths: set[str] | None = None) -> list[dict]:
    out = []
    for m in report.get("models", []) or []:
        r = m.get("repair")
        if isinstance(r, dict) and (paths is None or m.get("file") in paths):
            why = [e.get("description", "") for e in r.get("edits", []) or [] if e.get("description")]
            out.append({"file": m.get("file", ""), "name": m.get("name", ""), "why": why, "diff": r.get("diff")})
    return out


def commit_message(subject: str, models: list[dict]) -> str:
    return templates.render("fix_commit_message.md.j2", subject=subject, fixed=models, trailer=FIX_TRAILER)


def is_bot_commit(message: str) -> bool:
    return any(line.strip() == FIX_TRAILER for line in (message or "").splitlines())


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def can_push(pull, base_full_name: str) -> tuple[bool, str | None]:
    head_repo = pull.head.repo
    if head_repo is None:
        return False, "The PR's head repository no longer exists; nothing was committed."
    if head_repo.full_name == base_full_name:
        return True, None
    if getattr(pull, "maintainer_can_modify", False):
        return True, None
    return False, (
        "This PR comes from a fork that does not allow edits from maintainers, so nnrepair cannot push a fix; "
        "apply the suggestions instead."
    )


def commit_fix(
    client, base_repo, pull, head_sha: str, files: dict[str, str], message: str, *, dry_run: bool = False, echo=print
) -> FixResult:
    if not files:
        return FixResult(note="Nothing to commit: no repaired file differs from the branch.")
    ok, why = can_push(pull, base_repo.full_name)
    if not ok:
        return FixResult(note=why)
    try:
        head_msg = client.commit_message(base_repo, head_sha)
    except ApiError:
        head_msg = ""
    if is_bot_commit(head_msg):
        return FixResult(note="The head commit is nnrepair's own fix; not committing again.")
    branch = pull.head.ref
    if dry_run:
        echo(f"=== fix commit on {pull.head.repo.full_name}:{branch} ===\n{message}\nfiles: {', '.join(files)}")
        return FixResult(committed=False, files=sorted(files), note="dry run: nothing committed")
    target = base_repo if pull.head.repo.full_name == base_repo.full_name else client.call(lambda: pull.head.repo)
    try:
        sha = client.commit_files(target, branch, head_sha, files, message)
    except ApiError as e:
        if is_protected_branch_refusal(e.status, e.message):
            return FixResult(
                note=f"The branch `{branch}` is protected ({e.status}: {e.message.strip()}); nnrepair cannot push "
                "to it, so nothing was committed. Apply the suggestions, or allow the bot in the branch's rules."
            )
        if e.status == 404:
            return FixResult(note=f"The branch `{branch}` vanished during the run; nothing was committed.")
        if e.status in (409, 422):
            return FixResult(note=f"The branch `{branch}` moved during the run (force-push?); nothing was committed.")
        if e.status in (401, 403):
            return FixResult(note="The token cannot push to the PR branch; nothing was committed.")
        if e.status == 0 or e.status >= 500:  # retried, and the branch checked: not moved
            return FixResult(
                note=f"GitHub kept failing ({e.status or 'network error'}); nothing was committed. Ask again with `/nnrepair fix`."
            )
        raise
    return FixResult(committed=True, sha=sha, files=sorted(files))
