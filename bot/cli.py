"""`nnrepair github [--mode review|comment|commit|scan|check] [--config FILE] [--dry-run]`.

Reads the GitHub Actions environment, runs the engine on the right files and
publishes. Whatever happens (no token, read-only token, vanished branch, API
outage) it still writes annotations, the job summary, the SARIF file and the step
outputs, and exits by the fail-on rule (2 only for usage errors and internal errors).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from typing import IO

from . import FIX_TRAILER, MARKER_PREFIX, REPLY_MARKER, artifact, engine, outputs, templates
from . import org as org_mod
from .env import MODES, ActionEnv, Settings, from_environ, settings_from
from .fixcommit import changed_texts, commit_fix, commit_message, fixed_models
from .github_api import DEFAULT_REQUEST_BUDGET, WRITE_PERMISSIONS, ApiError, BudgetSpent, GitHubClient
from .publish import publish_pull
from .review import ChangedFile, build_findings
from .scan import publish_scan

PR_EVENTS = ("pull_request", "pull_request_target")
FIX_COMMAND = "/nnrepair fix"
FIX_COMMAND_RE = re.compile(r"^/nnrepair\s+fix\b(?!-)", re.I)
CONFIG_NAMES = (".nnrepair.yml", ".nnrepair.yaml")
GITHUB_MAX_PR_FILES = 3000


@dataclass
class Run:
    """Everything one invocation gathers before writing its outputs."""

    env: ActionEnv
    settings: Settings
    out: IO[str]
    err: IO[str]
    client: GitHubClient
    config: object = None
    report: dict = field(default_factory=engine.empty_report)
    sources: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fixed: int | None = None
    fixed_texts: dict = field(default_factory=dict)
    config_arg: str | None = None
    extra_outputs: dict = field(default_factory=dict)  # step outputs beyond findings/fixed/sarif-file
    extra_summary: str = ""  # markdown appended to the job summary
    status: int | None = None  # forced exit status (usage/validation errors)

    def log(self, text: str) -> None:
        print(self.client.redact(text), file=self.err)

    def note(self, text: str) -> None:
        if text and text not in self.notes:
            self.notes.append(text)
            self.log(f"nnrepair: {text}")

    def echo(self, text: str) -> None:
        print(text, file=self.out)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="nnrepair github", description="Run nnrepair as a GitHub bot (Actions step).")
    p.add_argument("--mode", choices=MODES, help="default: from the event (PR -> review, schedule -> scan, ...)")
    p.add_argument("--config", help="path of .nnrepair.yml (default: the repository's)")
    p.add_argument("--dry-run", action="store_true", help="post nothing; print what would be posted")
    p.add_argument("--results", help="two-phase setup: results artifact to write (pull_request) or read (workflow_run)")
    return p.parse_args(argv)


# --- sources ----------------------------------------------------------------------------


def _selected(run: Run, path: str, size: int | None = None) -> bool:
    if not engine.is_candidate(path, size) or not engine.in_paths(path, run.settings.paths):
        return False
    selects = getattr(run.config, "selects", None)
    return selects(path) if callable(selects) else True


def workspace_sources(run: Run, root: str) -> dict[str, bytes]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", "node_modules", ".venv", "__pycache__"))
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            try:
                size = os.path.getsize(full)
                if os.path.islink(full) or not _selected(run, rel, size):
                    continue
                with open(full, "rb") as fh:
                    out[rel] = fh.read()
            except OSError:
                continue
    return out


def tree_sources(run: Run, repo, sha: str) -> dict[str, bytes]:
    # the manifests too: the `auto` target reads the Keras version from them (repair_engine/target.py)
    jobs = [
        (path, blob_sha)
        for path, blob_sha, size in run.client.tree_files(repo, sha)
        if _selected(run, path, size) or (engine.is_manifest(path) and (size or 0) <= engine.MAX_FILE_BYTES)
    ]
    return _fetch_all(jobs, lambda job: run.client.blob_bytes(repo, job[1]))


def _fetch_all(jobs: list, fetch) -> dict[str, bytes]:
    """One file after the other: GitHub asks integrators for serial requests (concurrent ones
    are what trips its secondary rate limits)."""
    return {job[0]: fetch(job) for job in jobs}


def pr_sources(run: Run, repo, pull, head_sha: str, changed: list[ChangedFile]) -> dict[str, bytes]:
    """Changed files at the head SHA, through the API only (never a checkout of PR code).
    The PR file list gives each file's blob SHA at the head, so one blob request per file."""
    jobs = [(cf.path, cf.sha) for cf in changed if cf.status != "removed" and _selected(run, cf.path)]

    def fetch(job):
        path, sha = job
        if sha:
            try:
                return run.client.blob_bytes(repo, sha)
            except ApiError as e:
                if e.status != 404:
                    raise
        return run.client.file_bytes(repo, path, head_sha)

    return _fetch_all(jobs, fetch)


# --- config -------------------------------------------------------------------------------


def load_config(run: Run, explicit: str | None, repo=None, ref: str | None = None) -> None:
    """--config / `config` input; else, given (repo, ref), the file on that ref through the API
    (for PRs the base branch: a PR cannot loosen its own checks); else the workspace's. Both
    lookups try the same names, in the same order (CONFIG_NAMES)."""
    path = explicit or run.env.input("config")
    try:
        if path:
            if not os.path.isabs(path) and run.env.workspace:
                path = os.path.join(run.env.workspace, path)
            run.config = engine.load_config(path)
        elif repo is None and run.env.workspace:
            found = next((n for n in CONFIG_NAMES if os.path.isfile(os.path.join(run.env.workspace, n))), None)
            if found:
                run.config = engine.load_config(os.path.join(run.env.workspace, found))
        elif repo is not None and ref:
            text = _api_config_text(run, repo, ref)
            if text is not None:
                run.config = engine.load_config(text=text)
    except ValueError as e:  # ConfigError
        run.note(f"configuration error: {e}")
        run.status = 2
        return
    # inputs override the file
    mode = run.settings.mode
    dry = run.settings.dry_run
    results = run.settings.results
    run.settings = settings_from(run.config, run.env, mode, dry)
    run.settings.results = results or run.settings.results


def _api_config_text(run: Run, repo, ref: str) -> str | None:
    for name in CONFIG_NAMES:
        try:
            return run.client.file_bytes(repo, name, ref).decode("utf-8", "replace")
        except ApiError as e:
            if e.status != 404:
                raise
    return None


# --- analysis -----------------------------------------------------------------------------


def analyse(run: Run, sources: dict[str, bytes], fix: bool = True) -> None:
    run.sources = sources
    result = engine.analyze(sources, fix=fix, config=run.config, verify=run.settings.verify)
    run.report = result.report
    run.fixed_texts = result.fixed_texts
    run.findings = build_findings(run.report, sources)


# --- flows ----------------------------------------------------------------------------------


def pr_number(event: dict) -> int | None:
    pr = event.get("pull_request") or {}
    n = pr.get("number") or event.get("number")
    if not n and isinstance(event.get("issue"), dict) and event["issue"].get("pull_request"):
        n = event["issue"].get("number")
    return int(n) if n else None


def flow_pull_request(
    run: Run, number: int, mode: str, repo=None, *, expected_head: str | None = None, may_commit: bool = True
) -> None:
    """Check a PR's changed files at its head (through the API) and publish. `expected_head`:
    the head the caller vouched for (workflow_run); any other head means a newer push owns it."""
    c = run.client
    repo = repo or c.repo(run.env.repository)
    pull = c.pull(repo, number)
    head_sha = pull.head.sha
    if expected_head is not None and head_sha != expected_head:
        run.note(f"PR #{number} moved past {expected_head[:7]}; nothing was posted (the next run covers it).")
        return
    load_config(run, run.config_arg, repo, pull.base.sha)
    if run.status is not None:
        return
    changed = c.pull_files(pull)
    if len(changed) >= GITHUB_MAX_PR_FILES:
        run.note(
            f"GitHub lists at most {GITHUB_MAX_PR_FILES} files of a pull request; files beyond them were not checked."
        )
    sources = pr_sources(run, repo, pull, head_sha, changed)
    analyse(run, sources)
    changed_map = {cf.path: cf for cf in changed}

    if run.settings.results and run.env.event_name in PR_EVENTS and mode == "check":
        write_results(run, number, head_sha)
    if mode == "check":
        return

    # the head moved (new push / force-push) while we analysed: the next run owns it
    fresh = c.pull(repo, number)
    if fresh.head.sha != head_sha:
        run.note(
            f"The PR head moved from {head_sha[:7]} to {fresh.head.sha[:7]} during the run; nothing was posted (the next run covers it)."
        )
        return

    if fresh.state != "open":
        run.note(f"PR #{number} is {fresh.state}; nothing was posted.")
        return

    extra: list[str] = []
    committed: str | None = None
    findings = run.findings
    if may_commit and (mode == "commit" or (mode == "review" and run.settings.commit_enabled)):
        extra, committed = do_fix_commit(run, repo, pull, head_sha)
        if committed:  # repaired findings are fixed on the branch now: withdraw their suggestions
            findings = [f for f in findings if not f.repaired]
    res = publish_pull(
        c,
        repo,
        pull,
        head_sha,
        run.report,
        findings,
        changed_map,
        filter_mode=run.settings.filter_mode,
        max_comments=run.settings.max_comments,
        inline_allowed=(mode == "review"),
        summary_policy=run.settings.summary,
        extra_notes=extra,
        dry_run=run.settings.dry_run,
        echo=run.echo,
        committed=committed,
    )
    for n in res.notes:
        run.note(n)
    run.log(
        f"nnrepair: {res.new_comments} new inline comment(s), {res.resolved} marked resolved, summary {res.summary}"
    )


def do_fix_commit(run: Run, repo, pull, head_sha: str) -> tuple[list[str], str | None]:
    files = changed_texts(run.fixed_texts, run.sources)
    models = fixed_models(run.report, set(files))
    if not files:
        run.fixed = 0
        run.log("nnrepair: nothing to commit")
        return [], None
    msg = commit_message(run.settings.commit_message, models)
    res = commit_fix(run.client, repo, pull, head_sha, files, msg, dry_run=run.settings.dry_run, echo=run.echo)
    if res.committed and res.sha:
        run.fixed = len(models)
        done = f"nnrepair committed the repair of {len(models)} model(s) as {res.sha[:7]}; the next run re-checks the branch."
        run.note(done)  # the job summary says so too, next to the findings the commit repaired
        return [done], res.sha
    run.fixed = 0
    if res.note:
        run.note(res.note)
    return ([res.note] if res.note else []), None  # also on the PR: whoever asked sees why


def write_results(run: Run, number: int, head_sha: str) -> None:
    path = run.settings.results
    if not path:
        return
    data = artifact.build(run.env.repository, number, head_sha, run.report)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    outputs.give_to_workspace_owner(path, run.env.workspace)
    run.log(f"nnrepair: results artifact written to {path}")


def flow_workflow_run(run: Run) -> None:
    """Publishing phase. The artifact comes from a job the PR's author controls: it is only a
    pointer (which PR, which head). The PR and head are checked against the event (written by
    GitHub) and the API, the files are fetched at that head through the API, the static engine
    runs again here, and only what this run computed is posted."""
    path = run.settings.results
    if not path:
        run.note("workflow_run needs the `results` input (path of the downloaded results artifact).")
        run.status = 2
        return
    c = run.client
    wr = run.env.event.get("workflow_run") or {}
    try:
        data = artifact.load(path)
        if data["summary"]:
            run.log(f"nnrepair: phase 1 said (untrusted, not posted): {data['summary']}")
        event_head = wr.get("head_sha") if isinstance(wr.get("head_sha"), str) else None
        if not event_head:
            raise artifact.ArtifactError("the workflow_run event has no head_sha")
        repo = c.repo(run.env.repository)
        candidates = _run_pull_numbers(run, repo, wr, event_head)
        if not candidates:
            raise artifact.ArtifactError(
                f"no open PR has head {event_head[:7]} (a newer push exists, or the PR was closed)"
            )
        if data["pull_request"] not in candidates:
            raise artifact.ArtifactError(
                f"artifact PR #{data['pull_request']} is not among the run's PRs {sorted(candidates)}"
            )
        try:
            pull = c.pull(repo, data["pull_request"])
        except ApiError as e:
            if e.status != 404:
                raise
            raise artifact.ArtifactError(f"pull request #{data['pull_request']} does not exist (404)") from None
        artifact.check_against(
            data,
            repository=run.env.repository,
            event_head_sha=event_head,
            api_head_sha=pull.head.sha,
            api_state=pull.state,
        )
    except artifact.ArtifactError as e:
        run.note(f"results artifact rejected: {e}")
        run.status = 1
        return
    mode = "comment" if run.settings.mode == "comment" else "review"
    flow_pull_request(run, pull.number, mode, repo, expected_head=data["head_sha"], may_commit=False)


def _run_pull_numbers(run: Run, repo, wr: dict, head_sha: str) -> set[int]:
    """The PRs the triggering run was for. GitHub lists them in workflow_run.pull_requests,
    except for fork PRs (an empty list): then the open PRs whose head is that commit."""
    numbers = [p.get("number") for p in wr.get("pull_requests") or [] if isinstance(p, dict)]
    listed = {n for n in numbers if isinstance(n, int)}
    if listed:
        return listed
    head_repo = (
        (wr.get("head_repository") or {}).get("full_name") if isinstance(wr.get("head_repository"), dict) else None
    )
    found = set()
    for p in run.client.all(repo.get_pulls(state="open")):
        if p.head.sha != head_sha:
            continue
        if head_repo and p.head.repo is not None and p.head.repo.full_name.lower() != str(head_repo).lower():
            continue
        found.add(p.number)
    return found


def flow_comment_command(run: Run) -> None:
    ev = run.env.event
    comment = ev.get("comment") or {}
    issue = ev.get("issue") or {}
    body = (comment.get("body") or "").strip()
    user = comment.get("user") or {}
    login = user.get("login") or ""
    if not FIX_COMMAND_RE.match(body) or not issue.get("pull_request"):
        run.log("nnrepair: not a /nnrepair fix command on a pull request; nothing to do")
        return
    if user.get("type") == "Bot" or login.endswith("[bot]") or MARKER_PREFIX in body or FIX_TRAILER in body:
        run.log("nnrepair: ignoring a comment written by a bot")
        return
    c = run.client
    repo = c.repo(run.env.repository)
    perm = c.permission(repo, login)
    if perm not in WRITE_PERMISSIONS:
        run.note(f"/nnrepair fix by @{login} ignored: needs write permission (has {perm}).")
        reply = templates.render("stranger_reply.md.j2", marker=REPLY_MARKER, user=login, repo=run.env.repository)
        if run.settings.dry_run:
            run.echo("=== reply ===\n" + reply)
            return
        try:
            thread = c.call(repo.get_issue, int(issue["number"]))

            def answered():
                return next(
                    (
                        x
                        for x in thread.get_comments()
                        if REPLY_MARKER in (x.body or "") and f"@{login}" in (x.body or "") and c.is_ours(x)
                    ),
                    None,
                )

            if c.call(answered) is not None:
                return  # answered once already; don't repeat ourselves
            c.create_issue_comment(thread, reply, find=answered)
        except ApiError as e:
            run.log(f"nnrepair: could not reply ({e.status})")
        return
    flow_pull_request(run, int(issue["number"]), "commit", repo)


def flow_scan(run: Run) -> None:
    c = run.client
    repo = c.repo(run.env.repository)
    branch = repo.default_branch
    sha = c.call(repo.get_git_ref, f"heads/{branch}").object.sha
    load_config(run, run.config_arg, repo, sha)
    if run.status is not None:
        return
    workspace = run.env.workspace if (run.env.input("source") or "api") == "workspace" else None
    sources = workspace_sources(run, workspace) if workspace else tree_sources(run, repo, sha)
    analyse(run, sources)
    upgrade = engine.upgrade_items(sources, run.config) if run.settings.scan_upgrade else None
    res = publish_scan(
        c,
        repo,
        run.report,
        run.fixed_texts,
        sources,
        branch=branch,
        sha=sha,
        open_pr=run.settings.scan_open_pr,
        upgrade=upgrade,
        dry_run=run.settings.dry_run,
        echo=run.echo,
    )
    for n in res.notes:
        run.note(n)
    run.log(f"nnrepair: scan issue {res.issue_action} (#{res.issue_number}), PR {res.pr_action}")


def _org(run: Run) -> str | None:
    org = run.env.input("org") or run.env.repository.split("/")[0]
    if not org:
        run.note("org scans need the `org` input.")
        run.status = 2
    return org or None


def flow_org_list(run: Run) -> None:
    org = _org(run)
    if org is None:
        return
    names = org_mod.org_repositories(run.client, org, include_forks=_flag(run, "include-forks"))
    run.extra_outputs["repositories"] = json.dumps(names)
    run.extra_summary = f"### Repositories of `{org}` to scan ({len(names)})\n\n" + "".join(f"- `{n}`\n" for n in names)
    run.log(f"nnrepair: {len(names)} repositories in {org}")


def flow_org_summary(run: Run) -> None:
    org = _org(run)
    if org is None:
        return
    names = org_mod.org_repositories(run.client, org, include_forks=_flag(run, "include-forks"))
    body = org_mod.summary_markdown(org, org_mod.repo_states(run.client, names))
    run.extra_summary = body
    if _flag(run, "summary-issue"):
        home = run.client.repo(
            run.env.input("summary-repository") or run.env.environ.get("GITHUB_REPOSITORY", "") or run.env.repository
        )
        action = org_mod.publish_summary_issue(run.client, home, org, body, run.settings.dry_run, run.echo)
        run.log(f"nnrepair: org summary issue {action}")


def _flag(run: Run, name: str) -> bool:
    return (run.env.input(name) or "").lower() in ("1", "true", "yes", "on")


def flow_local_check(run: Run) -> None:
    """push / check mode / no API: the checked-out workspace, else the tree at GITHUB_SHA."""
    if run.env.workspace and os.path.isdir(run.env.workspace):
        load_config(run, run.config_arg)
        if run.status is None:
            analyse(run, workspace_sources(run, run.env.workspace), fix=True)
        return
    repo = run.client.repo(run.env.repository)
    load_config(run, run.config_arg, repo, run.env.sha)
    if run.status is None:
        analyse(run, tree_sources(run, repo, run.env.sha or repo.default_branch), fix=True)


def dispatch(run: Run) -> None:
    ev_name, mode = run.env.event_name, run.settings.mode
    if ev_name == "issue_comment":
        return flow_comment_command(run)
    if ev_name == "workflow_run":
        return flow_workflow_run(run)
    if mode == "scan":
        return flow_scan(run)
    if mode == "org-list":
        return flow_org_list(run)
    if mode == "org-summary":
        return flow_org_summary(run)
    n = pr_number(run.env.event)
    if ev_name in PR_EVENTS and n:
        return flow_pull_request(run, n, mode)
    if mode != "check":
        run.note(f"mode {mode} needs a pull_request event; ran a check instead.")
    return flow_local_check(run)


def _ignored(config, code: str) -> bool:
    is_ignored = getattr(config, "is_ignored", None)
    return bool(is_ignored(code)) if callable(is_ignored) else False


def _env_float(env, name: str, default: float) -> float:
    """Tuning knobs for tests and slow networks; a bad value falls back to the default."""
    try:
        value = float(env.environ.get(name, default))
    except (TypeError, ValueError):
        return default
    return value if value >= 0 else default


def _request_budget(env) -> int:
    try:
        value = int(env.input("request-budget") or DEFAULT_REQUEST_BUDGET)
    except ValueError:
        return DEFAULT_REQUEST_BUDGET
    return value if value > 0 else DEFAULT_REQUEST_BUDGET


def budget_note(client: GitHubClient) -> str:
    """The run's API use, for the job summary."""
    text = f"GitHub API requests this run: {client.requests_made} (budget {client.request_budget})"
    rate = client.rate_remaining()
    if rate is not None:
        text += f"; GitHub reports {rate[0]} of {rate[1]} left this hour"
    return text + "."


def main(argv=None, *, environ=None, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    env = from_environ(environ)
    settings = settings_from(None, env, args.mode, args.dry_run)
    if args.results:
        settings.results = args.results
    if settings.mode not in MODES:
        print(f"nnrepair github: unknown mode {settings.mode!r} (one of {', '.join(MODES)})", file=err)
        return 2
    client = GitHubClient(
        env.token,
        env.api_url,
        seconds_between_writes=_env_float(env, "NNREPAIR_SECONDS_BETWEEN_WRITES", 1.0),
        backoff_base=_env_float(env, "NNREPAIR_BACKOFF_BASE", 1.0),
        rate_limit_wait=_env_float(env, "NNREPAIR_RATE_LIMIT_WAIT", 60.0),
        max_total_wait=_env_float(env, "NNREPAIR_MAX_TOTAL_WAIT", 300.0),
        timeout=_env_float(env, "NNREPAIR_HTTP_TIMEOUT", 30.0),
        request_budget=_request_budget(env),
        bot_login=env.input("bot-login"),
        log=lambda s: print(s, file=err),
    )
    run = Run(env=env, settings=settings, out=out, err=err, client=client)
    run.config_arg = args.config
    if not env.token:
        run.note("No GitHub token: nothing is posted; see the annotations and the job summary.")
    try:
        if not env.token and env.event_name in PR_EVENTS and env.workspace and os.path.isdir(env.workspace):
            flow_local_check(run)  # nothing can be read through the API: check the checkout
        else:
            dispatch(run)
    except ApiError as e:
        if isinstance(e, BudgetSpent):
            run.note(f"Stopped: {e.message} (input `request-budget`); the next run goes on.")
        elif e.status in (401, 403):
            run.note(
                f"The token lacks permission for this step ({e.status}); results are in the annotations and the job summary."
            )
        elif e.status == 404:
            run.note(f"Something vanished during the run (404: {e.message}); a branch may have been deleted.")
        else:
            run.note(f"GitHub API error: {e}")
        if not run.report.get("models") and run.status is None and env.workspace and os.path.isdir(env.workspace):
            try:  # the API failed before anything was analysed: still check the checkout
                flow_local_check(run)
            except Exception as e2:  # noqa: BLE001 - never crash for lack of API access
                run.note(f"could not check the workspace either: {type(e2).__name__}")
    except Exception as e:  # internal error: still write what we have, exit 2
        run.note(f"internal error: {type(e).__name__}: {run.client.redact(str(e))}")
        run.status = 2
    if env.token:
        run.notes.append(budget_note(run.client))
    # the job summary, annotations and SARIF say what the run reports: never a code the config ignores
    run.report = engine.apply_config(run.report, run.config)
    run.findings = [f for f in run.findings if not _ignored(run.config, f.code)]
    sarif_path = run.settings.sarif_file
    if not os.path.isabs(sarif_path):
        sarif_path = os.path.join(env.workspace or os.getcwd(), sarif_path)
    _values, failed = outputs.write_all(
        run.report,
        run.findings,
        mode=run.settings.mode,
        notes=run.notes,
        stdout=out,
        step_summary=env.step_summary,
        github_output=env.output,
        sarif_path=sarif_path,
        fixed=run.fixed,
        # a Docker action sees /github/workspace, the next step the runner's path: output it relative
        sarif_output=os.path.relpath(sarif_path, env.workspace)
        if env.workspace and sarif_path.startswith(env.workspace.rstrip("/") + "/")
        else sarif_path,
        workspace=env.workspace,
        extra_outputs=run.extra_outputs,
        extra_summary=run.extra_summary,
    )
    if failed and run.status is None:
        run.status = 1  # a lost output fails the step: the next steps would read nothing
    if run.status is not None:
        return run.status
    return outputs.exit_code(run.report, run.settings.fail_on)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
