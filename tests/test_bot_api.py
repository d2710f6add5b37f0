"""bot.github_api against the fake GitHub: retries, Retry-After, permanent errors, token hygiene."""

import random

import pytest
from github import GithubException

from bot.github_api import ApiError, GitHubClient, is_rate_limited, retry_delay
from tests.bot_harness import REPO, WRITE_TOKEN
from tests.fakegithub import FakeGitHub


@pytest.fixture
def world():
    with FakeGitHub() as gh:
        gh.add_token(WRITE_TOKEN, login="bot", permissions="write")
        gh.create_repo(REPO, files={"models/a.py": "x = 1\n"})
        gh.commit(REPO, "feature", {"models/a.py": "x = 2\n"})
        n = gh.create_pull(REPO, head="feature", base="main")
        yield gh, n


def client(gh, sleeps):
    return GitHubClient(WRITE_TOKEN, gh.api_url, seconds_between_writes=0, backoff_base=0.5, sleep=sleeps.append, rng=random.Random(7))


def test_5xx_is_retried_with_jittered_backoff(world):
    gh, n = world
    sleeps = []
    c = client(gh, sleeps)
    repo = c.repo(REPO)
    pull = c.pull(repo, n)
    gh.inject(status=502, count=2, retry_after=None, path_regex=r"/pulls/\d+/files", secondary_rate_limit=False)
    files = c.pull_files(pull)
    assert [f.path for f in files] == ["models/a.py"]
    assert len(sleeps) == 2
    assert 0.05 <= sleeps[0] <= 0.5 and 0.1 <= sleeps[1] <= 1.0  # full jitter within base * 2**attempt
    statuses = [s for m, p, s in gh.requests if p.endswith("/files")]
    assert statuses[-3:] == [502, 502, 200]


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_honours_retry_after(world, status):
    gh, n = world
    sleeps = []
    c = client(gh, sleeps)
    repo = c.repo(REPO)
    issue = c.call(repo.get_issue, n)
    gh.inject(status=status, count=1, retry_after=7, path_regex=r"/issues/\d+/comments", method="POST")
    c.create_issue_comment(issue, "hello")
    assert len(sleeps) == 1 and 7.0 <= sleeps[0] <= 7.7  # Retry-After, plus at most 10% jitter
    assert [x["body"] for x in gh.issue_comments(REPO, n)] == ["hello"]


def test_permission_403_is_not_retried(world):
    gh, n = world
    gh.add_token("ghs_read_only_abcdef", login="reader", permissions="read")
    sleeps = []
    c = GitHubClient("ghs_read_only_abcdef", gh.api_url, seconds_between_writes=0, sleep=sleeps.append)
    issue = c.call(c.repo(REPO).get_issue, n)
    with pytest.raises(ApiError) as e:
        c.create_issue_comment(issue, "hi")
    assert e.value.status == 403 and sleeps == []
    assert "ghs_read_only_abcdef" not in str(e.value) and "ghs_read_only_abcdef" not in repr(c)


def test_gives_up_after_bounded_attempts(world):
    gh, n = world
    sleeps = []
    c = client(gh, sleeps)
    repo = c.repo(REPO)
    gh.inject(status=503, count=100, retry_after=None, path_regex=r"/pulls/\d+$", secondary_rate_limit=False)
    with pytest.raises(ApiError) as e:
        c.pull(repo, n)
    assert e.value.status == 503 and len(sleeps) == c.max_attempts - 1


def test_rate_limit_waits_honour_the_headers_and_grow_exponentially():
    rng = random.Random(1)
    assert 3.0 <= retry_delay(429, {"Retry-After": "3"}, 0, base=1, now=0, rng=rng) <= 3.3
    reset = retry_delay(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "100"}, 0, base=1, now=40, rng=rng)
    assert 61.0 <= reset <= 67.0  # until the reset, and a second more
    waits = [retry_delay(403, {}, k, base=1, now=0, rng=rng) for k in range(4)]
    assert 60.0 <= waits[0] <= 66.0  # GitHub: wait at least a minute...
    assert all(2 * a * 0.9 < b < 2 * a * 1.2 for a, b in zip(waits, waits[1:]))  # ...then exponentially longer
    assert 0.01 <= retry_delay(403, {}, 0, base=1, now=0, rng=rng, rate_limit_wait=0.01) <= 0.011
    assert is_rate_limited(403, {}, "You have exceeded a secondary rate limit")
    assert not is_rate_limited(403, {}, "Resource not accessible by integration")


def test_review_post_hidden_by_a_5xx_is_not_duplicated(world):
    gh, n = world
    sleeps = []
    c = client(gh, sleeps)
    repo = c.repo(REPO)
    pull = c.pull(repo, n)
    body = "<!-- nnrepair:finding abc -->\nfix"
    # first attempt: the fake fails the POST *before* handling it, so it is retried and lands once
    gh.inject(status=502, count=1, retry_after=None, path_regex=r"/reviews$", secondary_rate_limit=False, method="POST")
    c.create_review(repo, pull, pull.head.sha, "review", [{"path": "models/a.py", "line": 1, "side": "RIGHT", "body": body}])
    assert len(gh.reviews(REPO, n)) == 1 and len(sleeps) == 1
    # a retry finds the comment already there (as after a 502 that hid a success): no second POST
    posts = []

    def write_then_502():
        posts.append(1)
        raise GithubException(502, {"message": "bad gateway"}, {})

    done = c.call(write_then_502, already_done=lambda: any(body in x.body for x in pull.get_review_comments()))
    assert done is None and posts == [1] and len(gh.reviews(REPO, n)) == 1


def test_write_once_after_timeouts_waits_before_looking_and_never_repeats():
    import requests

    sleeps, sent, landed = [], [], []

    def post():  # every attempt reaches the server, but its answer never comes back
        sent.append(1)
        raise requests.exceptions.ReadTimeout("read timed out")

    def find():  # the first attempt lands only once the bot has waited a timeout's length
        if sum(sleeps) >= 10 and sent:
            landed.append(1)
            return "the comment"
        return None

    c = GitHubClient(None, timeout=10, backoff_base=0.01, sleep=sleeps.append, rng=random.Random(1))
    assert c.write_once(post, find=find) == "the comment"
    assert len(sent) == 1 and landed and sleeps == [10]  # waited once, looked, found: no second POST

    def never_connects():
        sent.append(1)
        raise requests.exceptions.ConnectTimeout("connect timed out")

    sleeps.clear(), sent.clear()
    with pytest.raises(ApiError):
        c.write_once(never_connects, find=lambda: None)
    assert len(sent) == 5 and max(sleeps) < 1  # never sent: plain backoff, no long waits
