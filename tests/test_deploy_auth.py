"""Access control (lossd.http.auth): API keys as bearer tokens, per-key rate limits, CORS; keys never logged."""

import asyncio
import hashlib
import json
import math
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import torch
from fastapi import FastAPI

from lossd.app import create_app
from lossd.http.auth import CallerKeyDep, KeyFileError, Keys, TokenBuckets
from lossd.settings import Settings

from conftest import Server, lossd_env, start_serve

ALICE = "alice-" + secrets.token_hex(16)
SCRAPER = "scraper-" + secrets.token_hex(16)
BURSTY = "bursty-" + secrets.token_hex(16)
RATE, BURST = 0.5, 4
X = [[0.5, -1.25, 2.0], [3.0, 0.0, -0.5]]
Y = [[1.0, 1.0, 1.0], [2.5, -0.5, 0.25]]


def keys_file(path: Path, keys: dict[str, str]) -> Path:
    """A keys file written the documented way: `<id> <sha256 hex>` lines, with a comment."""
    lines = ["# lossd API keys"] + [f"{kid} {hashlib.sha256(key.encode()).hexdigest()}" for kid, key in keys.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Served:
    url: str
    log: Path
    proc: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`lossd serve` with keys, /metrics for the scraper only, and a rate limit; its log captured."""
    tmp = tmp_path_factory.mktemp("auth")
    keys = keys_file(tmp / "keys", {"alice": ALICE, "scraper": SCRAPER, "bursty": BURSTY})
    env = lossd_env(
        LOSSD_API_KEYS_FILE=str(keys),
        LOSSD_METRICS_KEYS="scraper",
        LOSSD_RATE_LIMIT_PER_S=str(RATE),
        LOSSD_RATE_LIMIT_BURST=str(BURST),
        LOSSD_POOL="local",  # access control is the HTTP layer's; the pool does not matter here
    )
    proc, url = start_serve(tmp / "lossd.log", env=env)
    try:
        yield Served(url, tmp / "lossd.log", proc)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def asgi_get(app: FastAPI, path: str, headers: dict[str, str]) -> httpx.Response:
    """GET `path` from `app` in this process, without its lifespan (no pool): for routes that need none."""

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://lossd") as c:
            return await c.get(path, headers=headers)

    return asyncio.run(call())


def mse(url: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url + "/v1/losses/mse", json={"inputs": {"input": X, "target": Y}}, headers=headers, timeout=30)


def assert_problem(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == status


def test_no_key_is_a_401_with_a_bearer_challenge(served: Served) -> None:
    r = mse(served.url, {})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"] == 'Bearer realm="lossd"'


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(f"Bearer {ALICE}x", id="wrong-key"),
        pytest.param(f"Bearer {hashlib.sha256(ALICE.encode()).hexdigest()}", id="the-hash-itself"),
        pytest.param(f"Basic {ALICE}", id="not-bearer"),
        pytest.param("Bearer", id="no-token"),
    ],
)
def test_a_wrong_key_is_a_401(served: Served, header: str) -> None:
    r = mse(served.url, {"Authorization": header})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith('Bearer realm="lossd"')


def test_a_good_key_gets_what_torch_computes(served: Served) -> None:
    r = mse(served.url, bearer(ALICE))
    assert r.status_code == 200, r.text
    want = torch.nn.MSELoss()(torch.tensor(X), torch.tensor(Y)).item()
    assert math.isclose(r.json()["value"], want, rel_tol=1e-6)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/docs", "/openapi.json"])
def test_probes_and_documentation_need_no_key(served: Served, path: str) -> None:
    assert httpx.get(served.url + path, timeout=30).status_code == 200


@pytest.mark.parametrize(
    ("key", "status"),
    [(None, 401), (ALICE, 403), (SCRAPER, 200)],
    ids=["no-key", "a-key-not-listed", "a-listed-key"],
)
def test_metrics_answer_only_the_keys_listed(served: Served, key: str | None, status: int) -> None:
    r = httpx.get(served.url + "/metrics", headers=bearer(key) if key else {}, timeout=30)
    assert r.status_code == status, r.text
    if status != 200:
        assert_problem(r, status)


def test_a_key_over_its_rate_gets_429_with_retry_after(served: Served) -> None:
    answers = [mse(served.url, bearer(BURSTY)) for _ in range(BURST + 2)]
    assert [r.status_code for r in answers[:BURST]] == [200] * BURST
    limited = answers[BURST]
    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["retry-after"]) <= math.ceil(1 / RATE)
    assert mse(served.url, bearer(ALICE)).status_code == 200  # another key has its own bucket


def test_no_key_ever_appears_in_the_log(served: Served) -> None:
    """Last in this module: by now the log holds every request above, good keys and wrong ones."""
    for key in (ALICE, SCRAPER, BURSTY):  # used by this test too: the log has at least these lines
        mse(served.url, bearer(key))
        mse(served.url, bearer(key + "x"))
    log = served.log.read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith('{"request_id"')]
    assert any(line.get("key") == "alice" for line in lines)  # the request log names the key id
    assert {"status": 429, "key": "bursty"}.items() <= next(x for x in lines if x["status"] == 429).items()
    for key in (ALICE, SCRAPER, BURSTY):
        assert key not in log
        assert key[-12:] not in log  # not even a tail of it


@pytest.mark.parametrize(
    ("origins", "origin", "allowed"),
    [
        ("", "https://app.example", None),
        ("https://app.example", "https://app.example", "https://app.example"),
        ("https://app.example", "https://evil.example", None),
    ],
    ids=["off-by-default", "listed-origin", "unlisted-origin"],
)
def test_cors_answers_only_listed_origins(origins: str, origin: str, allowed: str | None) -> None:
    with Server(Settings(pool="local", cors_origins=origins)) as s:
        r = httpx.get(s.url + "/v1/info", headers={"Origin": origin}, timeout=30)
        preflight = httpx.options(
            s.url + "/v1/losses/mse",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            timeout=30,
        )
    assert r.headers.get("access-control-allow-origin") == allowed
    assert preflight.headers.get("access-control-allow-origin") == allowed


@pytest.mark.parametrize(("with_keys", "want"), [(False, None), (True, "alice")], ids=["auth-off", "auth-on"])
def test_caller_key_names_the_calling_key(tmp_path: Path, with_keys: bool, want: str | None) -> None:
    settings = Settings(api_keys_file=str(keys_file(tmp_path / "keys", {"alice": ALICE}))) if with_keys else Settings()
    app: FastAPI = create_app(settings)

    async def whoami(key: CallerKeyDep) -> dict[str, str | None]:
        return {"key": key}

    app.add_api_route("/v1/whoami", whoami)

    assert asgi_get(app, "/v1/whoami", bearer(ALICE)).json() == {"key": want}


@pytest.mark.parametrize(
    ("steps", "allowed"),
    [
        ([0, 0, 0, 0, 0], [True, True, True, False, False]),  # a burst of 3, then empty
        ([0, 0, 0, 0, 0.5], [True, True, True, False, True]),  # refilled at 2 a second
        ([0, 0, 0, 10, 0, 0, 0], [True, True, True, True, True, True, False]),  # never more than the burst
    ],
    ids=["burst", "refill", "capped"],
)
def test_token_bucket(steps: list[float], allowed: list[bool]) -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=3, clock=lambda: now[0])
    got = []
    for step in steps:
        now[0] += step
        got.append(buckets.take("k") == 0)
    assert got == allowed


def test_a_refused_key_is_told_how_long_to_wait() -> None:
    buckets = TokenBuckets(rate=0.25, burst=1, clock=lambda: 0.0)
    assert buckets.take("k") == 0
    assert buckets.take("k") == pytest.approx(4.0)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("# only a comment\n", id="only-comments"),
        pytest.param("alice\n", id="no-hash"),
        pytest.param("alice notahash\n", id="bad-hash"),
        pytest.param(f"al ice {'0' * 64}\n", id="three-fields"),
        pytest.param(f"alice {'0' * 64}\nalice {'1' * 64}\n", id="duplicate-id"),
    ],
)
def test_a_malformed_keys_file_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "keys").write_text(text)
    with pytest.raises(KeyFileError):
        Keys.load(str(tmp_path / "keys"))


def test_lossd_keys_new_appends_a_hash_and_prints_a_key_that_works(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    out = [lossd("keys", "new", kid, "--file", str(keys)).stdout.strip() for kid in ("ci", "ops")]
    assert out[0] != out[1]
    text = keys.read_text()
    assert out[0] not in text and out[1] not in text  # the file holds hashes only
    assert text.splitlines()[0] == f"ci {hashlib.sha256(out[0].encode()).hexdigest()}"
    loaded = Keys.load(str(keys))
    assert (loaded.find(out[0]), loaded.find(out[1])) == ("ci", "ops")


def test_lossd_keys_new_refuses_an_id_the_file_already_has(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    lossd("keys", "new", "ci", "--file", str(keys))
    before = keys.read_text()
    again = subprocess.run(
        [sys.executable, "-m", "lossd", "keys", "new", "ci", "--file", str(keys)],
        capture_output=True,
        text=True,
        timeout=60,
        env=lossd_env(),
    )
    assert again.returncode == 2 and "'ci'" in again.stderr and not again.stdout
    assert keys.read_text() == before


def test_lossd_keys_hash_prints_the_line_for_a_key_on_stdin() -> None:
    result = lossd("keys", "hash", "ci", stdin=ALICE + "\n")
    assert result.stdout == f"ci {hashlib.sha256(ALICE.encode()).hexdigest()}\n"


def test_serve_with_an_unreadable_keys_file_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lossd", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env=lossd_env(LOSSD_API_KEYS_FILE=str(tmp_path / "missing")),
    )
    assert result.returncode == 2
    assert result.stderr.startswith("lossd: LOSSD_API_KEYS_FILE: ") and "Traceback" not in result.stderr


def lossd(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "lossd", *args], input=stdin, capture_output=True, text=True, timeout=60, env=lossd_env()
    )
    assert result.returncode == 0, result.stderr
    return result


def test_the_document_declares_optional_bearer_keys_on_every_route_but_the_probes() -> None:
    doc = create_app(Settings()).openapi()
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"],
    }
    for path, ops in doc["paths"].items():
        for op in ops.values():
            if path in ("/healthz", "/readyz", "/v2/health/live", "/v2/health/ready"):
                assert "security" not in op and "401" not in op["responses"]
            else:
                assert op["security"] == [{}, {"bearer": []}]  # a key is optional: access control is off by default
                assert {"401", "429"} <= set(op["responses"])
                assert op["responses"]["401"]["headers"].keys() == {"WWW-Authenticate"}
                assert op["responses"]["429"]["headers"].keys() == {"Retry-After"}


@pytest.mark.parametrize(
    ("metrics_keys", "key", "status"),
    [(None, None, 200), ("*", None, 401), ("*", ALICE, 200), ("scraper", ALICE, 403)],
    ids=["unset-open", "any-key-none-given", "any-key", "listed-ids-only"],
)
def test_metrics_keys_setting(tmp_path: Path, metrics_keys: str | None, key: str | None, status: int) -> None:
    keys = keys_file(tmp_path / "keys", {"alice": ALICE, "scraper": SCRAPER})
    app = create_app(Settings(api_keys_file=str(keys), metrics_keys=metrics_keys))
    assert asgi_get(app, "/metrics", bearer(key) if key else {}).status_code == status
