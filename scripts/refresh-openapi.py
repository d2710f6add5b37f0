#!/usr/bin/env python3
"""Regenerate tests/fakegithub/openapi/operations.json from GitHub's official OpenAPI
description, the npm package @octokit/openapi (pinned below).

    python scripts/refresh-openapi.py                 # npm pack the pinned version
    python scripts/refresh-openapi.py --tarball X.tgz # or use a tarball already here

Only the operations the bot (and so the fake GitHub) uses are kept: for each, the path and
query parameters, the JSON request body schema and the JSON schema of each documented
response status. Schemas come from the dereferenced file; descriptions and examples are
dropped, and schemas are cut below MAX_DEPTH levels (deeper parts become {}: anything goes).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@octokit/openapi"
VERSION = "23.0.2"
DESCRIPTION = "package/generated/api.github.com.deref.json"
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fakegithub", "openapi", "operations.json")
MAX_DEPTH = 6
DROP = {"description", "examples", "example", "title", "summary", "externalDocs", "x-github", "deprecated"}

R = "/repos/{owner}/{repo}"
OPERATIONS = [
    ("get", "/user"),
    ("get", "/users/{username}"),
    ("get", "/rate_limit"),
    ("get", "/orgs/{org}/repos"),
    ("get", R),
    ("get", R + "/collaborators/{username}/permission"),
    ("get", R + "/branches/{branch}"),
    ("get", R + "/commits"),
    ("get", R + "/commits/{ref}"),
    ("get", R + "/commits/{commit_sha}/pulls"),
    ("get", R + "/compare/{basehead}"),
    ("get", R + "/contents/{path}"),
    ("put", R + "/contents/{path}"),
    ("get", R + "/git/trees/{tree_sha}"),
    ("post", R + "/git/trees"),
    ("get", R + "/git/blobs/{file_sha}"),
    ("post", R + "/git/blobs"),
    ("get", R + "/git/commits/{commit_sha}"),
    ("post", R + "/git/commits"),
    ("get", R + "/git/ref/{ref}"),
    ("get", R + "/git/matching-refs/{ref}"),
    ("post", R + "/git/refs"),
    ("patch", R + "/git/refs/{ref}"),
    ("delete", R + "/git/refs/{ref}"),
    ("get", R + "/pulls"),
    ("post", R + "/pulls"),
    ("get", R + "/pulls/comments"),
    ("get", R + "/pulls/comments/{comment_id}"),
    ("patch", R + "/pulls/comments/{comment_id}"),
    ("delete", R + "/pulls/comments/{comment_id}"),
    ("get", R + "/pulls/{pull_number}"),
    ("patch", R + "/pulls/{pull_number}"),
    ("get", R + "/pulls/{pull_number}/files"),
    ("get", R + "/pulls/{pull_number}/commits"),
    ("get", R + "/pulls/{pull_number}/merge"),
    ("get", R + "/pulls/{pull_number}/reviews"),
    ("post", R + "/pulls/{pull_number}/reviews"),
    ("get", R + "/pulls/{pull_number}/reviews/{review_id}"),
    ("delete", R + "/pulls/{pull_number}/reviews/{review_id}"),
    ("get", R + "/pulls/{pull_number}/reviews/{review_id}/comments"),
    ("post", R + "/pulls/{pull_number}/reviews/{review_id}/events"),
    ("get", R + "/pulls/{pull_number}/comments"),
    ("post", R + "/pulls/{pull_number}/comments"),
    ("post", R + "/pulls/{pull_number}/comments/{comment_id}/replies"),
    ("get", R + "/labels"),
    ("post", R + "/labels"),
    ("get", R + "/issues"),
    ("post", R + "/issues"),
    ("get", R + "/issues/comments"),
    ("get", R + "/issues/comments/{comment_id}"),
    ("patch", R + "/issues/comments/{comment_id}"),
    ("delete", R + "/issues/comments/{comment_id}"),
    ("get", R + "/issues/{issue_number}"),
    ("patch", R + "/issues/{issue_number}"),
    ("get", R + "/issues/{issue_number}/labels"),
    ("post", R + "/issues/{issue_number}/labels"),
    ("delete", R + "/issues/{issue_number}/labels/{name}"),
    ("get", R + "/issues/{issue_number}/comments"),
    ("post", R + "/issues/{issue_number}/comments"),
]


def slim(schema, depth: int = 0):
    """The schema without prose, cut below MAX_DEPTH (a deeper part accepts anything)."""
    if isinstance(schema, list):
        return [slim(s, depth) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if depth > MAX_DEPTH:
        return {}
    out: dict = {}
    for key, value in schema.items():
        if key in DROP:
            continue
        if key == "properties":
            out[key] = {name: slim(sub, depth + 1) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = slim(value, depth + 1) if isinstance(value, dict) else value
        elif key in ("anyOf", "oneOf", "allOf"):
            out[key] = [slim(sub, depth + 1) for sub in value]
        else:
            out[key] = value
    return out


def json_schema(content: dict | None):
    for media, body in (content or {}).items():
        if "json" in media and isinstance(body, dict) and "schema" in body:
            return slim(body["schema"])
    return None


def extract(spec: dict) -> dict:
    ops: dict[str, dict] = {}
    for method, path in OPERATIONS:
        op = spec["paths"][path][method]
        params = [
            {"name": p["name"], "in": p["in"], "required": bool(p.get("required")), "schema": slim(p.get("schema", {}))}
            for p in op.get("parameters", [])
            if p.get("in") in ("path", "query")
        ]
        responses: dict[str, object] = {}
        for status, resp in op.get("responses", {}).items():
            responses[status] = json_schema(resp.get("content"))
        body = op.get("requestBody") or {}
        ops[f"{method.upper()} {path}"] = {
            "operationId": op.get("operationId"),
            "parameters": params,
            "requestBody": json_schema(body.get("content")),
            "requestBodyRequired": bool(body.get("required")),
            "responses": responses,
        }
    return {"source": f"{PACKAGE}@{VERSION} {DESCRIPTION}", "openapi": spec.get("openapi"), "operations": ops}


def load_description(tarball: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        if tarball is None:
            name = (
                subprocess.run(
                    ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"],
                    cwd=tmp,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            tarball = os.path.join(tmp, name)
        with tarfile.open(tarball) as tar:
            member = tar.extractfile(DESCRIPTION)
            if member is None:
                sys.exit(f"{DESCRIPTION} missing from {tarball}")
            return json.load(io.TextIOWrapper(member, encoding="utf-8"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tarball", help="an npm tarball of @octokit/openapi (default: npm pack the pinned version)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    data = extract(load_description(args.tarball))
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"{len(data['operations'])} operations from {data['source']} -> {os.path.relpath(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
