"""Traits agree with what each loss takes, and catalogue filters return exactly the losses that have them."""

import httpx
import pytest

from lossd.catalogue import CATALOGUE
from lossd.catalogue.spec import INPUT_KINDS, TASKS

LOSSES = list(CATALOGUE)
IMBALANCE_PARAMS = {"weight", "pos_weight", "alpha", "gamma"}
# What each input kind means for the loss's first input, by the loss's own functional form.
EXPECTED_KIND = {
    "logits": {"cross_entropy", "bce_with_logits", "multilabel_soft_margin", "focal"},
    "probabilities": {"bce", "dice"},
    "log_probabilities": {"nll", "kl_div", "ctc"},
    "embeddings": {"cosine_embedding", "triplet_margin", "triplet_margin_with_distance"},
}


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
def test_a_class_weight_pos_weight_or_focusing_param_means_it_handles_imbalance(loss) -> None:  # noqa: ANN001
    if {p.name for p in loss.params} & IMBALANCE_PARAMS:
        assert loss.traits.handles_imbalance


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
def test_input_kind_matches_what_the_math_expects(loss) -> None:  # noqa: ANN001
    expected = next((kind for kind, names in EXPECTED_KIND.items() if loss.name in names), None)
    if expected is not None:
        assert loss.traits.input_kind == expected
    else:
        assert loss.traits.input_kind in ("values", "scores")
    if loss.traits.input_kind == "embeddings":
        assert loss.task == "embedding"


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
def test_only_losses_that_grow_slower_than_squared_error_claim_robustness(loss) -> None:  # noqa: ANN001
    if loss.traits.robust_to_outliers:
        assert loss.task == "regression" and loss.traits.input_kind == "values"


FILTERS = (
    [("task", t, lambda loss, t=t: loss.task == t) for t in TASKS]
    + [("input_kind", k, lambda loss, k=k: loss.traits.input_kind == k) for k in INPUT_KINDS]
    + [
        (trait, value, lambda loss, trait=trait, value=value: getattr(loss.traits, trait) == (value == "true"))
        for trait in ("robust_to_outliers", "handles_imbalance")
        for value in ("true", "false")
    ]
)


@pytest.mark.parametrize(("name", "value", "has"), FILTERS, ids=[f"{n}={v}" for n, v, _ in FILTERS])
def test_a_filter_returns_exactly_the_losses_with_that_trait(client: httpx.Client, name, value, has) -> None:  # noqa: ANN001
    r = client.get("/v1/losses", params={name: value})
    assert r.status_code == 200, r.text
    assert [d["name"] for d in r.json()["losses"]] == [loss.name for loss in LOSSES if has(loss)]


def test_filters_combine(client: httpx.Client) -> None:
    r = client.get("/v1/losses", params={"task": "regression", "robust_to_outliers": "true"})
    names = [d["name"] for d in r.json()["losses"]]
    assert names == [loss.name for loss in LOSSES if loss.task == "regression" and loss.traits.robust_to_outliers]
    assert "l1" in names and "huber" in names and "mse" not in names


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ({"tsk": "regression"}, ["query", "tsk"]),
        ({"task": "vision"}, ["query", "task"]),
        ({"input_kind": "logit"}, ["query", "input_kind"]),
        ({"robust_to_outliers": "yes"}, ["query", "robust_to_outliers"]),
        ({"handles_imbalance": "1"}, ["query", "handles_imbalance"]),
    ],
)
def test_an_unknown_filter_or_value_is_422_naming_it(
    client: httpx.Client, query: dict[str, str], loc: list[str]
) -> None:
    r = client.get("/v1/losses", params=query)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert loc in [e["loc"] for e in r.json()["errors"]]


def test_a_filter_given_twice_is_422(client: httpx.Client) -> None:
    r = client.get("/v1/losses?task=regression&task=classification")
    assert r.status_code == 422
    assert ["query", "task"] in [e["loc"] for e in r.json()["errors"]]
