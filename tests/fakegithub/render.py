"""JSON shapes of GitHub's REST API (the fields PyGithub 2.x reads, plus url/node_id/html_url)."""

from __future__ import annotations

import base64
import urllib.parse
from datetime import datetime, timezone

from .git_backend import FileChange
from .state import Issue, IssueComment, Pull, Repo, Review, ReviewComment, World


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0:{kind}{number}".encode()).decode().rstrip("=")


def quote_path(path: str) -> str:
    return urllib.parse.quote(path, safe="/")


class Renderer:
    def __init__(self, world: World):
        self.world = world

    @property
    def api(self) -> str:
        return self.world.api_url

    @property
    def html(self) -> str:
        # html_url points at the fake host too, never at github.com.
        return self.world.api_url

    def repo_url(self, repo: Repo) -> str:
        return f"{self.api}/repos/{repo.full_name}"

    # --- users ---------------------------------------------------------------

    def user(self, login: str | None) -> dict | None:
        if login is None:
            return None
        user = self.world.user(login)
        api = f"{self.api}/users/{urllib.parse.quote(login)}"
        return {
            "login": login,
            "id": user.id,
            "node_id": node_id("User", user.id),
            "avatar_url": f"{self.html}/avatars/{urllib.parse.quote(login)}",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{self.html}/{urllib.parse.quote(login)}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": user.type,
            "user_view_type": "public",
            "site_admin": False,
        }

    def full_user(self, login: str) -> dict:
        """GET /users/{login}: the public profile on top of the simple user."""
        data = self.user(login) or {}
        owned = [r for r in self.world.repos.values() if r.owner == login]
        stamp = min((r.created_at for r in owned), default="2020-01-01T00:00:00Z")
        data.update(
            name=None, company=None, blog="", location=None, email=None, hireable=None, bio=None,
            twitter_username=None, public_repos=len(owned), public_gists=0, followers=0, following=0, site_admin=False,
            created_at=stamp, updated_at=stamp,
        )
        return data

    @staticmethod
    def reactions(url: str) -> dict:
        counts = {key: 0 for key in ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")}
        return {"url": f"{url}/reactions", "total_count": 0, **counts}

    def author_association(self, repo: Repo, login: str) -> str:
        if login == repo.owner:
            return "OWNER"
        if repo.collaborators.get(login) in ("write", "admin"):
            return "COLLABORATOR"
        return "NONE"

    # --- repositories -----------------------------------------------------------

    def _repo_link_templates(self, url: str, repo: Repo) -> dict:
        """The rest of the hypermedia URLs GitHub's repository schema requires."""
        links = {
            "archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}",
            "contributors_url": "/contributors", "deployments_url": "/deployments", "downloads_url": "/downloads",
            "events_url": "/events", "git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks",
            "issue_events_url": "/issues/events{/number}", "keys_url": "/keys{/key_id}",
            "languages_url": "/languages", "merges_url": "/merges", "milestones_url": "/milestones{/number}",
            "notifications_url": "/notifications{?since,all,participating}", "releases_url": "/releases{/id}",
            "stargazers_url": "/stargazers", "subscribers_url": "/subscribers", "subscription_url": "/subscription",
            "tags_url": "/tags", "teams_url": "/teams",
        }
        data = {name: url + tail for name, tail in links.items()}
        data.update({"svn_url": f"{self.html}/{repo.full_name}", "mirror_url": None,
                     "network_count": 0, "subscribers_count": 0})
        return data

    def repo(self, repo: Repo, token=None, with_parent: bool = False) -> dict:
        url = self.repo_url(repo)
        data = {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.full_name,
            "private": False,
            "visibility": "public",
            "owner": self.user(repo.owner),
            "html_url": f"{self.html}/{repo.full_name}",
            "description": None,
            "fork": repo.parent is not None,
            "url": url,
            "pulls_url": f"{url}/pulls{{/number}}",
            "issues_url": f"{url}/issues{{/number}}",
            "contents_url": f"{url}/contents/{{+path}}",
            "git_refs_url": f"{url}/git/refs{{/sha}}",
            "trees_url": f"{url}/git/trees{{/sha}}",
            "blobs_url": f"{url}/git/blobs{{/sha}}",
            "git_commits_url": f"{url}/git/commits{{/sha}}",
            "commits_url": f"{url}/commits{{/sha}}",
            "compare_url": f"{url}/compare/{{base}}...{{head}}",
            "branches_url": f"{url}/branches{{/branch}}",
            "collaborators_url": f"{url}/collaborators{{/collaborator}}",
            "comments_url": f"{url}/comments{{/number}}",
            "issue_comment_url": f"{url}/issues/comments{{/number}}",
            "labels_url": f"{url}/labels{{/name}}",
            "statuses_url": f"{url}/statuses/{{sha}}",
            "forks_url": f"{url}/forks",
            "clone_url": f"{self.html}/{repo.full_name}.git",
            "git_url": f"{self.html.replace('http://', 'git://', 1)}/{repo.full_name}.git",
            "ssh_url": f"git@{self.html.split('://', 1)[-1].split(':')[0]}:{repo.full_name}.git",
            "homepage": None,
            "language": "Python",
            "size": 0,
            "forks_count": sum(1 for r in self.world.repos.values() if r.parent == repo.full_name),
            "stargazers_count": 0,
            "watchers_count": 0,
            "topics": [],
            "license": None,
            "is_template": False,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "web_commit_signoff_required": False,
            "created_at": repo.created_at,
            "updated_at": repo.created_at,
            "pushed_at": repo.created_at,
            "default_branch": repo.default_branch,
            "archived": repo.archived,
            "disabled": False,
            "has_issues": repo.has_issues,
            "allow_forking": True,
            "open_issues_count": sum(1 for i in repo.issues.values() if i.state == "open"),
        }
        data.update(self._repo_link_templates(url, repo))
        data["open_issues"] = data["open_issues_count"]
        data["forks"] = data["forks_count"]
        data["watchers"] = data["watchers_count"]
        if token is not None:
            data["permissions"] = self.world.repo_permissions(token, repo)
        if with_parent and repo.parent:
            parent = self.world.repos[repo.parent]
            data["parent"] = self.repo(parent, token)
            root = parent
            while root.parent:
                root = self.world.repos[root.parent]
            data["source"] = self.repo(root, token)
        return data

    # --- git --------------------------------------------------------------------------

    def git_person(self, person) -> dict | None:
        if not person:
            return None
        name, email, epoch, _tz = person
        date = datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"name": name, "email": email, "date": date}

    def verification(self, sha: str) -> dict:
        if sha in self.world.verified_commits:
            return {"verified": True, "reason": "valid", "signature": "-----BEGIN PGP SIGNATURE-----\nfake\n-----END PGP SIGNATURE-----\n", "payload": "", "verified_at": None}
        return {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None}

    def git_commit(self, repo: Repo, sha: str) -> dict:
        info = repo.git.read_commit(sha)
        url = self.repo_url(repo)
        return {
            "sha": sha,
            "node_id": node_id("Commit", int(sha[:8], 16)),
            "url": f"{url}/git/commits/{sha}",
            "html_url": f"{self.html}/{repo.full_name}/commit/{sha}",
            "author": self.git_person(info.get("author")),
            "committer": self.git_person(info.get("committer")),
            "message": info["message"].rstrip("\n"),
            "tree": {"sha": info["tree"], "url": f"{url}/git/trees/{info['tree']}"},
            "parents": [
                {"sha": p, "url": f"{url}/git/commits/{p}", "html_url": f"{self.html}/{repo.full_name}/commit/{p}"}
                for p in info["parents"]
            ],
            "verification": self.verification(sha),
        }

    def commit(self, repo: Repo, sha: str, files: list[FileChange] | None = None) -> dict:
        git_commit = self.git_commit(repo, sha)
        url = self.repo_url(repo)
        data = {
            "sha": sha,
            "node_id": git_commit["node_id"],
            "url": f"{url}/commits/{sha}",
            "html_url": git_commit["html_url"],
            "comments_url": f"{url}/commits/{sha}/comments",
            "commit": {
                "url": git_commit["url"],
                "author": git_commit["author"],
                "committer": git_commit["committer"],
                "message": git_commit["message"],
                "tree": git_commit["tree"],
                "comment_count": 0,
                "verification": git_commit["verification"],
            },
            "author": None,
            "committer": None,
            "parents": [{"sha": p["sha"], "url": f"{url}/commits/{p['sha']}", "html_url": p["html_url"]} for p in git_commit["parents"]],
        }
        if files is not None:
            additions = sum(f.additions for f in files)
            deletions = sum(f.deletions for f in files)
            data["stats"] = {"additions": additions, "deletions": deletions, "total": additions + deletions}
            data["files"] = [self.file(repo, sha, f) for f in files]
        return data

    def file(self, repo: Repo, head_sha: str, change: FileChange) -> dict:
        path = quote_path(change.filename)
        removed = change.status == "removed"
        data = {
            "sha": change.old_sha if removed else change.new_sha,
            "filename": change.filename,
            "status": change.status,
            "additions": change.additions,
            "deletions": change.deletions,
            "changes": change.additions + change.deletions,
            "blob_url": f"{self.html}/{repo.full_name}/blob/{head_sha}/{path}",
            "raw_url": f"{self.html}/{repo.full_name}/raw/{head_sha}/{path}",
            "contents_url": f"{self.repo_url(repo)}/contents/{path}?ref={head_sha}",
        }
        if change.patch:
            data["patch"] = change.patch
        if change.previous_filename:
            data["previous_filename"] = change.previous_filename
        return data

    def ref(self, repo: Repo, refname: str, sha: str, otype: str = "commit") -> dict:
        url = self.repo_url(repo)
        return {
            "ref": refname,
            "node_id": node_id("Ref", abs(hash((repo.full_name, refname))) % 10**9),
            "url": f"{url}/git/{quote_path(refname)}",
            "object": {"type": otype, "sha": sha, "url": f"{url}/git/{otype}s/{sha}"},
        }

    def tree(self, repo: Repo, sha: str, entries) -> dict:
        url = self.repo_url(repo)
        items = []
        for e in entries:
            item = {"path": e.path, "mode": e.mode, "type": e.type, "sha": e.sha}
            if e.type == "blob":
                item["size"] = e.size
                item["url"] = f"{url}/git/blobs/{e.sha}"
            elif e.type == "tree":
                item["url"] = f"{url}/git/trees/{e.sha}"
            items.append(item)
        return {"sha": sha, "url": f"{url}/git/trees/{sha}", "tree": items, "truncated": False}

    def blob(self, repo: Repo, sha: str, data: bytes) -> dict:
        return {
            "sha": sha,
            "node_id": node_id("Blob", int(sha[:8], 16)),
            "size": len(data),
            "url": f"{self.repo_url(repo)}/git/blobs/{sha}",
            "content": base64.encodebytes(data).decode(),
            "encoding": "base64",
        }

    def content_file(self, repo: Repo, ref: str, path: str, sha: str, data: bytes | None, size: int) -> dict:
        url = self.repo_url(repo)
        qpath = quote_path(path)
        self_url = f"{url}/contents/{qpath}?ref={urllib.parse.quote(ref, safe='')}"
        result = {
            "type": "file",
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": size,
            "url": self_url,
            "git_url": f"{url}/git/blobs/{sha}",
            "html_url": f"{self.html}/{repo.full_name}/blob/{ref}/{qpath}",
            "download_url": f"{self.html}/{repo.full_name}/raw/{ref}/{qpath}",
            "_links": {"self": self_url, "git": f"{url}/git/blobs/{sha}", "html": f"{self.html}/{repo.full_name}/blob/{ref}/{qpath}"},
        }
        if data is not None:
            if size > 1024 * 1024:
                # GitHub does not inline files over 1 MB.
                result.update(encoding="none", content="")
            else:
                result.update(encoding="base64", content=base64.encodebytes(data).decode())
        return result

    def dir_entry(self, repo: Repo, ref: str, entry) -> dict:
        url = self.repo_url(repo)
        qpath = quote_path(entry.path)
        kind = {"blob": "file", "tree": "dir", "commit": "submodule"}[entry.type]
        if entry.mode == "120000":
            kind = "symlink"
        self_url = f"{url}/contents/{qpath}?ref={urllib.parse.quote(ref, safe='')}"
        return {
            "type": kind,
            "name": entry.path.rsplit("/", 1)[-1],
            "path": entry.path,
            "sha": entry.sha,
            "size": entry.size or 0,
            "url": self_url,
            "git_url": f"{url}/git/{'trees' if entry.type == 'tree' else 'blobs'}/{entry.sha}",
            "html_url": f"{self.html}/{repo.full_name}/tree/{ref}/{qpath}",
            "download_url": f"{self.html}/{repo.full_name}/raw/{ref}/{qpath}" if kind == "file" else None,
            "_links": {
                "self": self_url,
                "git": f"{url}/git/{'trees' if entry.type == 'tree' else 'blobs'}/{entry.sha}",
                "html": f"{self.html}/{repo.full_name}/tree/{ref}/{qpath}",
            },
        }

    # --- issues, pulls, comments ------------------------------------------------------------

    def label(self, repo: Repo, name: str) -> dict:
        label_id = repo.labels.setdefault(name, self.world.new_id())
        return {
            "id": label_id,
            "node_id": node_id("Label", label_id),
            "url": f"{self.repo_url(repo)}/labels/{urllib.parse.quote(name)}",
            "name": name,
            "color": "ededed",
            "default": False,
            "description": None,
        }

    def issue(self, repo: Repo, issue: Issue) -> dict:
        url = f"{self.repo_url(repo)}/issues/{issue.number}"
        data = {
            "id": issue.id,
            "node_id": node_id("Issue", issue.id),
            "url": url,
            "repository_url": self.repo_url(repo),
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.html}/{repo.full_name}/{'pull' if issue.is_pull else 'issues'}/{issue.number}",
            "number": issue.number,
            "state": issue.state,
            "state_reason": issue.state_reason,
            "title": issue.title,
            "body": issue.body,
            "user": self.user(issue.user),
            "labels": [self.label(repo, name) for name in issue.labels],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "comments": len(issue.comments),
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "closed_by": None,
            "active_lock_reason": None,
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "reactions": self.reactions(url),
            "author_association": self.author_association(repo, issue.user),
        }
        if issue.is_pull:
            data["draft"] = repo.pulls[issue.number].draft
            pull_url = f"{self.repo_url(repo)}/pulls/{issue.number}"
            html = f"{self.html}/{repo.full_name}/pull/{issue.number}"
            data["pull_request"] = {"url": pull_url, "html_url": html, "diff_url": f"{html}.diff", "patch_url": f"{html}.patch", "merged_at": None}
        return data

    def pull_part(self, repo: Repo, ref: str, sha: str, token) -> dict:
        return {"label": f"{repo.owner}:{ref}", "ref": ref, "sha": sha, "user": self.user(repo.owner), "repo": self.repo(repo, token)}

    def pull(self, repo: Repo, pull: Pull, token, full: bool = True) -> dict:
        issue = pull.issue
        url = f"{self.repo_url(repo)}/pulls/{pull.number}"
        html = f"{self.html}/{repo.full_name}/pull/{pull.number}"
        head_repo = self.world.repos.get(pull.head_repo)
        data = {
            "url": url,
            "id": pull.id,
            "node_id": node_id("PullRequest", pull.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{self.repo_url(repo)}/issues/{pull.number}",
            "commits_url": f"{url}/commits",
            "review_comments_url": f"{url}/comments",
            "review_comment_url": f"{self.repo_url(repo)}/pulls/comments{{/number}}",
            "comments_url": f"{self.repo_url(repo)}/issues/{pull.number}/comments",
            "statuses_url": f"{self.repo_url(repo)}/statuses/{pull.head_sha}",
            "number": pull.number,
            "state": issue.state,
            "locked": False,
            "active_lock_reason": None,
            "title": issue.title,
            "user": self.user(issue.user),
            "body": issue.body,
            "labels": [self.label(repo, name) for name in issue.labels],
            "milestone": None,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "closed_at": issue.closed_at,
            "merged_at": None,
            "merge_commit_sha": None,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": {
                "label": f"{pull.head_repo.split('/')[0]}:{pull.head_ref}",
                "ref": pull.head_ref,
                "sha": pull.head_sha,
                "user": self.user(pull.head_repo.split("/")[0]),
                "repo": self.repo(head_repo, token) if head_repo else None,
            },
            "base": self.pull_part(repo, pull.base_ref, self.world.pull_base_sha(repo, pull), token),
            "_links": {
                "self": {"href": url},
                "html": {"href": html},
                "issue": {"href": f"{self.repo_url(repo)}/issues/{pull.number}"},
                "comments": {"href": f"{self.repo_url(repo)}/issues/{pull.number}/comments"},
                "review_comments": {"href": f"{url}/comments"},
                "review_comment": {"href": f"{self.repo_url(repo)}/pulls/comments{{/number}}"},
                "commits": {"href": f"{url}/commits"},
                "statuses": {"href": f"{self.repo_url(repo)}/statuses/{pull.head_sha}"},
            },
            "author_association": self.author_association(repo, issue.user),
            "auto_merge": None,
            "draft": pull.draft,
        }
        if full:
            files = self.world.pull_diff(repo, pull)
            base = self.world.merge_base(repo, self.world.pull_base_sha(repo, pull), pull.head_sha)
            data.update(
                merged=pull.merged,
                mergeable=None,
                rebaseable=None,
                mergeable_state="unknown",
                merged_by=None,
                comments=len(issue.comments),
                review_comments=len(pull.review_comments),
                maintainer_can_modify=pull.maintainer_can_modify,
                commits=len(repo.git.rev_list(pull.head_sha, base)),
                additions=sum(f.additions for f in files),
                deletions=sum(f.deletions for f in files),
                changed_files=len(files),
            )
        return data

    def issue_comment(self, repo: Repo, comment: IssueComment) -> dict:
        url = self.repo_url(repo)
        issue = repo.issues.get(comment.number)
        kind = "pull" if issue is not None and issue.is_pull else "issues"
        return {
            "id": comment.id,
            "node_id": node_id("IssueComment", comment.id),
            "url": f"{url}/issues/comments/{comment.id}",
            "html_url": f"{self.html}/{repo.full_name}/{kind}/{comment.number}#issuecomment-{comment.id}",
            "issue_url": f"{url}/issues/{comment.number}",
            "body": comment.body,
            "user": self.user(comment.user),
            "created_at": comment.created_at,
            "updated_at": comment.updated_at,
            "author_association": self.author_association(repo, comment.user),
            "performed_via_github_app": None,
            "reactions": self.reactions(f"{url}/issues/comments/{comment.id}"),
        }

    def review(self, repo: Repo, review: Review) -> dict:
        pull_url = f"{self.repo_url(repo)}/pulls/{review.number}"
        html = f"{self.html}/{repo.full_name}/pull/{review.number}#pullrequestreview-{review.id}"
        data = {
            "id": review.id,
            "node_id": node_id("PullRequestReview", review.id),
            "user": self.user(review.user),
            "body": review.body,
            "state": review.state,
            "html_url": html,
            "pull_request_url": pull_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "commit_id": review.commit_id,
            "author_association": self.author_association(repo, review.user),
        }
        if review.submitted_at:
            data["submitted_at"] = review.submitted_at
        return data

    def review_comment(self, repo: Repo, c: ReviewComment) -> dict:
        url = self.repo_url(repo)
        pull = repo.pulls[c.number]
        commit_id, line, start_line, position = self.world.current_anchor(repo, pull, c)
        pull_url = f"{url}/pulls/{c.number}"
        html = f"{self.html}/{repo.full_name}/pull/{c.number}#discussion_r{c.id}"
        data = {
            "id": c.id,
            "node_id": node_id("PullRequestReviewComment", c.id),
            "url": f"{url}/pulls/comments/{c.id}",
            "pull_request_review_id": c.review_id,
            "diff_hunk": c.diff_hunk,
            "path": c.path,
            "position": position,
            "original_position": c.position,
            "commit_id": commit_id,
            "original_commit_id": c.original_commit_id,
            "user": self.user(c.user),
            "body": c.body,
            "created_at": c.created_at,
            "updated_at": c.updated_at,
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": self.author_association(repo, c.user),
            "_links": {"self": {"href": f"{url}/pulls/comments/{c.id}"}, "html": {"href": html}, "pull_request": {"href": pull_url}},
            "start_line": start_line,
            "original_start_line": c.start_line,
            "start_side": c.start_side if start_line is not None else None,
            "line": line,
            "original_line": c.line,
            "side": c.side,
            "subject_type": "line" if c.line is not None else "file",
            "reactions": self.reactions(f"{url}/pulls/comments/{c.id}"),
        }
        if c.in_reply_to_id is not None:
            data["in_reply_to_id"] = c.in_reply_to_id
        return data
