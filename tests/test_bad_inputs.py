"""Each loss's refusals: the status, a problem body naming the field, and nothing spoiled after."""

import httpx
import pytest

from cases.all import CASES

TABLE = [pytest.param(name, bad, id=f"{name}: {bad.why}") for name, cases in CASES.items() for bad in cases.bad]
SEED = {"inputs": {"input": [2.5, 4.8, 6.9, 9.5], "target": [3.0, 5.0, 7.0, 9.0]}}


def test_every_loss_declares_refusals() -> None:
    assert all(cases.bad for cases in CASES.values()), [n for n, c in CASES.items() if not c.bad]


@pytest.mark.parametrize(("name", "bad"), TABLE)
def test_refused_with_problem_naming_the_field(client: httpx.Client, name: str, bad) -> None:  # noqa: ANN001
    r = client.post(f"/v1/losses/{name}", json=bad.body)
    assert r.status_code == bad.status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == bad.status
    if bad.status == 422:
        assert [tuple(e["loc"][: len(bad.loc)]) for e in problem["errors"]][0] == bad.loc, problem
    after = client.post("/v1/losses/mse", json=SEED)
    assert after.status_code == 200 and after.json()["value"] == 0.13749998807907104


@pytest.mark.parametrize(("name", "bad"), TABLE)
def test_refused_in_a_batch_slot_alone(client: httpx.Client, name: str, bad) -> None:  # noqa: ANN001
    items = [{"loss": "mse", **SEED}, {"loss": name, **bad.body}, {"loss": "mse", **SEED}]
    r = client.post("/v1/batch", json={"items": items})
    assert r.status_code == 200, r.text
    first, slot, last = r.json()["results"]
    assert first["value"] == last["value"] == 0.13749998807907104
    assert slot["error"]["status"] == bad.status
    if bad.status == 422:
        assert tuple(slot["error"]["errors"][0]["loc"][: len(bad.loc) + 2]) == ("items", 1, *bad.loc)
