"""The sliver of GitHub's GraphQL API the bot uses: a PR's review threads, and
resolveReviewThread. Not a GraphQL parser: the operation is recognised by its root field,
and the answer has the shape GitHub gives (`data`, or `errors` with HTTP 200)."""

from __future__ import annotations

from .state import ApiError, World

THREAD_PREFIX = "PRRT_fake"


def thread_id(root_comment_id: int) -> str:
    return f"{THREAD_PREFIX}{root_comment_id}"


def _error(message: str, kind: str) -> tuple[int, dict]:
    return 200, {"data": None, "errors": [{"type": kind, "message": message, "locations": [{"line": 1, "column": 1}]}]}


def execute(world: World, token, body: dict) -> tuple[int, dict]:
    query = body.get("query")
    variables = body.get("variables") or {}
    if not isinstance(query, str) or not isinstance(variables, dict):
        raise ApiError(400, "Problems parsing JSON")
    if "resolveReviewThread" in query:
        return _resolve(world, token, variables)
    if "reviewThreads" in query:
        return _threads(world, variables)
    return _error("This fake serves only reviewThreads and resolveReviewThread", "UNSUPPORTED")


def _pull(world: World, variables: dict):
    try:
        repo = world.get_repo(f"{variables.get('owner')}/{variables.get('name')}")
        return repo, world.get_pull(repo, int(variables.get("number")))
    except (ApiError, TypeError, ValueError):
        return None, None


def _threads(world: World, variables: dict) -> tuple[int, dict]:
    repo, pull = _pull(world, variables)
    if pull is None:
        return _error("Could not resolve to a PullRequest", "NOT_FOUND")
    roots = [c for c in pull.review_comments if c.in_reply_to_id is None]
    nodes = [
        {
            "id": thread_id(c.id),
            "isResolved": thread_id(c.id) in world.resolved_threads,
            "comments": {"nodes": [{"databaseId": c.id}]},
        }
        for c in roots
    ]
    page = {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}
    return 200, {"data": {"repository": {"pullRequest": {"reviewThreads": page}}}}


def _resolve(world: World, token, variables: dict) -> tuple[int, dict]:
    tid = variables.get("threadId")
    owner = _thread_owner(world, tid)
    if owner is None:
        return _error(f"Could not resolve to a node with the global id of '{tid}'", "NOT_FOUND")
    if not world.token_can_write(token, owner):
        return _error("Resource not accessible by integration", "FORBIDDEN")
    world.resolved_threads.add(tid)
    return 200, {"data": {"resolveReviewThread": {"thread": {"id": tid, "isResolved": True}}}}


def _thread_owner(world: World, tid):
    if not isinstance(tid, str) or not tid.startswith(THREAD_PREFIX):
        return None
    wanted = tid[len(THREAD_PREFIX) :]
    for repo_name, comment in world.review_comments.values():
        if str(comment.id) == wanted and comment.in_reply_to_id is None:
            return world.get_repo(repo_name)
    return None
