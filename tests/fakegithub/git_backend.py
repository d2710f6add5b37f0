"""Real git repositories behind the fake GitHub.

Every object the fake serves lives in a bare git repository on disk: blobs are
written as ordinary loose objects, trees go through `git mktree`, commits
through `git commit-tree`, branch moves through `git update-ref` (with the old
value checked, so a lost race fails instead of clobbering). Nothing here knows
about HTTP or GitHub's JSON; it only answers git questions.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
import zlib
from dataclasses import dataclass

ZERO_SHA = "0" * 40
SHA_RE = re.compile(r"^[0-9a-f]{40}$")

# A fixed identity and environment: no user config, no hooks, no pager, no
# locale surprises in the diff text we parse.
_BASE_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
    "GIT_AUTHOR_NAME": "fakegithub",
    "GIT_AUTHOR_EMAIL": "fakegithub@example.invalid",
    "GIT_COMMITTER_NAME": "fakegithub",
    "GIT_COMMITTER_EMAIL": "fakegithub@example.invalid",
}


class GitError(RuntimeError):
    """A git command failed; `stderr` says why."""

    def __init__(self, args: list[str], returncode: int, stderr: str):
        super().__init__(f"git {' '.join(args)} failed ({returncode}): {stderr.strip()}")
        self.returncode = returncode
        self.stderr = stderr


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # "100644", "100755", "120000", "040000", "160000"
    type: str  # "blob" | "tree" | "commit"
    sha: str
    path: str
    size: int | None = None


@dataclass
class FileChange:
    """One file of a diff, in the order git prints them."""

    status: str  # added | removed | modified | renamed | copied | changed
    filename: str
    previous_filename: str | None
    old_sha: str
    new_sha: str
    additions: int
    deletions: int
    binary: bool
    patch: str  # hunks only (from the first "@@"), "" when there are none


class GitRepo:
    """A bare repository at `path`."""

    def __init__(self, path: str):
        self.path = path

    # --- process plumbing -------------------------------------------------

    def run(self, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True) -> bytes:
        full_env = dict(os.environ)
        full_env.update(_BASE_ENV)
        if env:
            full_env.update(env)
        proc = subprocess.run(
            ["git", "--git-dir", self.path, *args],
            input=input,
            capture_output=True,
            env=full_env,
            timeout=60,
        )
        if check and proc.returncode != 0:
            raise GitError(list(args), proc.returncode, proc.stderr.decode("utf-8", "replace"))
        return proc.stdout

    @classmethod
    def _created_by(cls, path: str, *git_args: str) -> "GitRepo":
        """The bare repo at path that `git *git_args` creates, open to fetch-by-sha."""
        subprocess.run(["git", *git_args], check=True, capture_output=True, env={**os.environ, **_BASE_ENV})
        repo = cls(path)
        repo.allow_fetch_by_sha()
        return repo

    @classmethod
    def init(cls, path: str, default_branch: str) -> "GitRepo":
        return cls._created_by(path, "init", "-q", "--bare", "-b", default_branch, path)

    def allow_fetch_by_sha(self) -> None:
        """Let other local repos fetch any commit by sha (GitHub's refs/pull/N/head needs it for forks)."""
        with open(os.path.join(self.path, "config"), "a") as fh:
            fh.write("[uploadpack]\n\tallowAnySHA1InWant = true\n")

    def clone_to(self, path: str) -> "GitRepo":
        """A fork: a bare clone that shares nothing on disk with its parent."""
        return GitRepo._created_by(path, "clone", "-q", "--bare", "--no-hardlinks", self.path, path)

    # --- objects -----------------------------------------------------------

    def write_blob(self, data: bytes) -> str:
        """Store `data` as a loose blob (the format `git hash-object -w` writes)."""
        header = f"blob {len(data)}\0".encode()
        sha = hashlib.sha1(header + data).hexdigest()
        obj_dir = os.path.join(self.path, "objects", sha[:2])
        obj_path = os.path.join(obj_dir, sha[2:])
        if not os.path.exists(obj_path):
            os.makedirs(obj_dir, exist_ok=True)
            tmp = f"{obj_path}.tmp{os.getpid()}.{threading.get_ident()}"
            with open(tmp, "wb") as fh:
                fh.write(zlib.compress(header + data))
            os.replace(tmp, obj_path)
        return sha

    def write_blobs(self, blobs: list[bytes]) -> list[str]:
        """Many blobs at once: one `git fast-import` pack instead of a file per object."""
        if len(blobs) < 64:
            return [self.write_blob(data) for data in blobs]
        stream = bytearray()
        for data in blobs:
            stream += f"blob\ndata {len(data)}\n".encode() + data + b"\n"
        self.run("fast-import", "--quiet", "--done", input=bytes(stream) + b"done\n")
        return [hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest() for data in blobs]

    def object_type(self, sha: str) -> str | None:
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-fA-F]{4,40}", sha):
            return None  # only object names reach git, never options or revision syntax
        out = self.run("cat-file", "-t", sha, check=False).strip()
        return out.decode() if out else None

    def read_blob(self, sha: str) -> bytes:
        return self.run("cat-file", "blob", sha)

    def resolve(self, rev: str) -> str | None:
        """Full sha of a commit named by branch, tag, ref or (abbreviated) sha."""
        if not rev or rev.startswith("-"):
            return None
        out = self.run("rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}", check=False).strip()
        return out.decode() if out else None

    def resolve_tree(self, rev: str) -> str | None:
        if not rev or rev.startswith("-"):
            return None
        out = self.run("rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{tree}}", check=False).strip()
        return out.decode() if out else None

    def ls_tree(self, tree_ish: str, recursive: bool, with_trees: bool = True) -> list[TreeEntry]:
        args = ["ls-tree", "-z", "--long"]
        if recursive:
            args.append("-r")
            if with_trees:
                args.append("-t")
        out = self.run(*args, tree_ish)
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, otype, sha, size = meta.decode().split()
            entries.append(
                TreeEntry(mode, otype, sha, path.decode("utf-8", "surrogateescape"), None if size == "-" else int(size))
            )
        return entries

    def flat_files(self, tree_ish: str | None) -> dict[str, tuple[str, str]]:
        """path -> (mode, sha) for every blob/submodule under a tree (empty for None)."""
        if tree_ish is None:
            return {}
        return {e.path: (e.mode, e.sha) for e in self.ls_tree(tree_ish, recursive=True, with_trees=False)}

    def build_tree(self, files: dict[str, tuple[str, str]]) -> str:
        """Write nested trees for a flat path -> (mode, sha) map; returns the root tree sha."""
        children: dict[str, dict[str, tuple[str, str, str]]] = {"": {}}
        for path, (mode, sha) in files.items():
            parts = path.split("/")
            for depth in range(1, len(parts)):
                children.setdefault("/".join(parts[:depth]), {})
            parent = "/".join(parts[:-1])
            otype = "commit" if mode == "160000" else "blob"
            children[parent][parts[-1]] = (mode, otype, sha)
        # Deepest directories first, so each parent sees its children's shas.
        for directory in sorted(children, key=lambda d: d.count("/") + (1 if d else 0), reverse=True):
            lines = b"".join(
                f"{mode} {otype} {sha}\t".encode() + name.encode("utf-8", "surrogateescape") + b"\0"
                for name, (mode, otype, sha) in children[directory].items()
            )
            tree_sha = self.run("mktree", "-z", input=lines).decode().strip()
            if directory:
                parent, _, name = directory.rpartition("/")
                children[parent][name] = ("040000", "tree", tree_sha)
            else:
                return tree_sha
        raise AssertionError("unreachable: root directory always exists")

    def commit_tree(
        self,
        tree: str,
        parents: list[str],
        message: str,
        author: tuple[str, str, str] | None = None,
        committer: tuple[str, str, str] | None = None,
    ) -> str:
        """author/committer are (name, email, git date string) or None for the default identity."""
        env = {}
        if author:
            env.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1], GIT_AUTHOR_DATE=author[2])
        if committer:
            env.update(GIT_COMMITTER_NAME=committer[0], GIT_COMMITTER_EMAIL=committer[1], GIT_COMMITTER_DATE=committer[2])
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.run(*args, input=message.encode(), env=env).decode().strip()

    def read_commit(self, sha: str) -> dict:
        """Parsed commit object: tree, parents, author/committer (name, email, epoch, tz), message."""
        raw = self.run("cat-file", "commit", sha).decode("utf-8", "replace")
        head, _, message = raw.partition("\n\n")
        info: dict = {"sha": sha, "parents": [], "message": message}
        for line in head.split("\n"):
            key, _, value = line.partition(" ")
            if key == "tree":
                info["tree"] = value
            elif key == "parent":
                info["parents"].append(value)
            elif key in ("author", "committer"):
                m = re.match(r"^(.*) <(.*)> (\d+) ([+-]\d{4})$", value)
                if m:
                    info[key] = (m.group(1), m.group(2), int(m.group(3)), m.group(4))
        return info

    # --- refs ---------------------------------------------------------------

    def ref_sha(self, ref: str) -> str | None:
        """What a full ref name (refs/...) points to, read straight from the files backend."""
        if not ref.startswith("refs/") or ".." in ref or ref.endswith("/"):
            return None
        try:
            with open(os.path.join(self.path, ref), "rb") as fh:
                value = fh.read().strip().decode()
            if SHA_RE.match(value):
                return value
            if value.startswith("ref: "):
                return self.ref_sha(value[5:])
            return None
        except (IsADirectoryError, NotADirectoryError, FileNotFoundError):
            pass
        try:
            with open(os.path.join(self.path, "packed-refs"), "rb") as fh:
                for line in fh.read().decode().splitlines():
                    if line and line[0] not in "#^" and line[41:] == ref:
                        return line[:40]
        except FileNotFoundError:
            pass
        return None

    def list_refs(self, prefix: str = "refs/") -> list[tuple[str, str, str]]:
        """(refname, object sha, object type) sorted by name."""
        out = self.run("for-each-ref", "--format=%(refname) %(objectname) %(objecttype)", prefix).decode()
        return [tuple(line.split(" ")) for line in out.splitlines() if line]  # type: ignore[misc]

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        """Move `ref` to `new`; with `old`, only if it still points there (ZERO_SHA: must not exist)."""
        args = ["update-ref", ref, new]
        if old is not None:
            args.append(old)
        self.run(*args)

    def delete_ref(self, ref: str) -> None:
        self.run("update-ref", "-d", ref)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        full_env = {**os.environ, **_BASE_ENV}
        args = ["git", "--git-dir", self.path, "merge-base", "--is-ancestor", ancestor, descendant]
        return subprocess.run(args, capture_output=True, env=full_env, timeout=60).returncode == 0

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.run("merge-base", a, b, check=False).strip()
        return out.decode() if out else None

    def rev_list(self, include: str, exclude: str | None) -> list[str]:
        """Commits reachable from include but not exclude, oldest first."""
        args = ["rev-list", "--reverse", include]
        if exclude:
            args.append(f"^{exclude}")
        return self.run(*args).decode().split()

    def fetch(self, source: "GitRepo", refspec: str) -> None:
        self.run("fetch", "-q", "--no-tags", source.path, refspec)

    # --- diffs --------------------------------------------------------------

    def diff(self, old: str | None, new: str) -> list[FileChange]:
        """Files changed from `old` (a commit, or None for the empty tree) to `new`, with rename detection."""
        empty_tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        if old is None:
            self.run("mktree", input=b"")  # makes sure the empty tree object exists
        base = old or empty_tree
        common = ["diff", "--no-color", "--no-ext-diff", "-M", "--full-index"]
        tokens = self.run(*common, "--raw", "--no-abbrev", "--numstat", "-z", base, new).split(b"\0")
        patch_text = self.run(*common, "-p", base, new)

        # Raw records first (":modes shas status\0path\0[path\0]"), then numstat
        # records ("add\tdel\tpath\0", or "add\tdel\t\0old\0new\0" for renames).
        changes: list[FileChange] = []
        i = 0
        while i < len(tokens) and tokens[i].startswith(b":"):
            old_mode, new_mode, old_sha, new_sha, code = tokens[i][1:].decode().split(" ")
            letter = code[0]
            if letter in "RC":
                prev = tokens[i + 1].decode("utf-8", "surrogateescape")
                path = tokens[i + 2].decode("utf-8", "surrogateescape")
                i += 3
            else:
                prev, path = None, tokens[i + 1].decode("utf-8", "surrogateescape")
                i += 2
            status = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}.get(
                letter, "modified"
            )
            if letter == "M" and old_mode != new_mode and old_sha == new_sha:
                status = "changed"
            changes.append(FileChange(status, path, prev, old_sha, new_sha, 0, 0, False, ""))
        for change in changes:
            fields = tokens[i].decode().split("\t")
            i += 3 if fields[2] == "" else 1
            if fields[0] == "-":
                change.binary = True
            else:
                change.additions, change.deletions = int(fields[0]), int(fields[1])

        sections = re.split(rb"^diff --git ", patch_text, flags=re.M)[1:]
        for change, section in zip(changes, sections):
            at = section.find(b"\n@@")
            if at >= 0 and not change.binary:
                change.patch = section[at + 1 :].decode("utf-8", "replace").rstrip("\n")
        return changes
