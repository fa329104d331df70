"""With API keys on, a run belongs to the key that made it: to any other key it does not exist (404)."""

import hashlib
import secrets
from collections.abc import Iterator

import httpx
import pytest

from lossd.settings import Settings

from conftest import Server

ALICE = "alice-" + secrets.token_hex(16)
BOB = "bob-" + secrets.token_hex(16)
SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3, 5, 7, 9]}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("owners")
    keys = tmp / "keys"
    lines = [f"{kid} {hashlib.sha256(key.encode()).hexdigest()}" for kid, key in (("alice", ALICE), ("bob", BOB))]
    keys.write_text("\n".join(lines) + "\n")
    with Server(Settings(api_keys_file=str(keys), pool="local", data_dir=str(tmp / "data"))) as s:
        yield s


def as_(server: Server, key: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)


@pytest.fixture
def alices_run(server: Server) -> Iterator[str]:
    with as_(server, ALICE) as alice:
        r = alice.post("/v1/runs", json={"name": "alice's", "tags": {"who": "alice"}})
        assert r.status_code == 201, r.text
        run = r.json()["id"]
        points = [{"series": s, "step": i, "value": 1.0 / (i + 1)} for s in ("train", "validation") for i in range(8)]
        assert alice.post(f"/v1/runs/{run}/points", json={"points": points}).status_code == 200
        yield run
        alice.delete(f"/v1/runs/{run}")


EVERY_RUN_ENDPOINT = [
    ("GET", "/v1/runs/{run}", None),
    ("POST", "/v1/runs/{run}/points", {"points": [{"series": "train", "step": 99, "value": 0.5}]}),
    ("GET", "/v1/runs/{run}/series/train", None),
    ("GET", "/v1/runs/{run}/diagnosis", None),
    ("GET", "/v1/runs/{run}/plot.png", None),
    ("GET", "/v1/runs/{run}/plot.svg", None),
    ("GET", "/v1/runs/{run}/export.csv", None),
    ("POST", "/v1/losses/mse", {**SEED, "record": {"run": "{run}", "series": "validation", "step": 99}}),
    ("DELETE", "/v1/runs/{run}", None),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), EVERY_RUN_ENDPOINT, ids=[f"{m} {p}" for m, p, _ in EVERY_RUN_ENDPOINT]
)
def test_another_keys_run_is_a_404_and_stays_as_it_was(
    server: Server, alices_run: str, method: str, path: str, body: dict[str, object] | None
) -> None:
    if body is not None and "record" in body:
        body = {**body, "record": {**body["record"], "run": alices_run}}  # type: ignore[dict-item]
    with as_(server, BOB) as bob, as_(server, ALICE) as alice:
        before = alice.get(f"/v1/runs/{alices_run}/export.csv").text
        r = bob.request(method, path.format(run=alices_run), json=body)
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert alice.get(f"/v1/runs/{alices_run}/export.csv").text == before


def test_each_key_lists_only_its_own_runs(server: Server, alices_run: str) -> None:
    with as_(server, BOB) as bob, as_(server, ALICE) as alice:
        bobs = bob.post("/v1/runs", json={"name": "bob's"}).json()["id"]
        try:
            assert {r["id"] for r in alice.get("/v1/runs").json()["runs"]} == {alices_run}
            assert {r["id"] for r in bob.get("/v1/runs").json()["runs"]} == {bobs}
        finally:
            bob.delete(f"/v1/runs/{bobs}")


def test_the_owner_reads_and_records_into_its_run(server: Server, alices_run: str) -> None:
    with as_(server, ALICE) as alice:
        body = {**SEED, "record": {"run": alices_run, "series": "validation", "step": 50}}
        r = alice.post("/v1/losses/mse", json=body)
        assert r.status_code == 200 and r.json()["recorded"]["run"] == alices_run
        curve = alice.get(f"/v1/runs/{alices_run}/series/validation").json()
        assert curve["steps"][-1] == 50 and curve["values"][-1] == r.json()["value"]


def test_without_a_key_runs_are_a_401(server: Server) -> None:
    r = httpx.get(server.url + "/v1/runs")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/v2/health/live", "/v2/health/ready"])
def test_the_protocols_health_probes_need_no_key(server: Server, path: str) -> None:
    assert httpx.get(server.url + path).status_code == 200


def test_the_protocols_refusals_are_in_its_error_shape(server: Server) -> None:
    r = httpx.post(server.url + "/v2/models/mse/infer", json={"inputs": []})
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/json" and set(r.json()) == {"error"}
