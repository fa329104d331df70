"""The chooser's answers as catalogue filters (lossd.pages.chooser), for each of the tutorials' cases, run
through `GET /v1/losses` as the page runs them; tests/test_browser.py drives the page itself."""

import httpx
import pytest

from lossd.catalogue import CATALOGUE
from lossd.pages.chooser import TASKS, filters, questions

# The tutorials' cases (/work/shared/design/seeds.md, "How they tell a reader to choose"): the answers a
# reader gives, and what the chooser recommends, in order. docs/chooser.md lists the same table.
CASES = [
    ("regression, well-behaved", {"task": "regression", "outliers": "no"}, ["mse", "rmse"]),
    (
        "regression with outliers",
        {"task": "regression", "outliers": "yes"},
        ["l1", "huber", "smooth_l1", "mape", "quantile", "log_cosh"],
    ),
    ("report error in the target's units", {"task": "regression", "outliers": "no"}, ["mse", "rmse"]),
    (
        "multi-class on logits",
        {"task": "classification", "imbalance": "no", "output": "logits"},
        ["cross_entropy", "bce_with_logits", "multilabel_soft_margin", "focal"],
    ),
    ("after log_softmax", {"task": "classification", "output": "log_probabilities"}, ["nll"]),
    ("binary on sigmoid probabilities", {"task": "classification", "output": "probabilities"}, ["bce"]),
    (
        "binary or multi-label on logits",
        {"task": "classification", "output": "logits"},
        ["cross_entropy", "bce_with_logits", "multilabel_soft_margin", "focal"],
    ),
    (
        "class imbalance",
        {"task": "classification", "imbalance": "yes", "output": "unsure"},
        ["cross_entropy", "nll", "bce", "bce_with_logits", "multi_margin", "multilabel_soft_margin", "focal"],
    ),
    (
        "±1 labels",
        {"task": "classification", "output": "scores"},
        ["multi_margin", "multilabel_margin", "soft_margin", "hinge_embedding", "hinge"],
    ),
    ("counts", {"task": "probabilistic", "output": "values"}, ["poisson_nll", "gaussian_nll"]),
    (
        "regression with predicted uncertainty",
        {"task": "probabilistic", "output": "values"},
        ["poisson_nll", "gaussian_nll"],
    ),
    ("comparing distributions", {"task": "probabilistic", "output": "log_probabilities"}, ["kl_div"]),
    ("similarity and ranking", {"task": "ranking"}, ["margin_ranking"]),
    ("embeddings", {"task": "embedding"}, ["cosine_embedding", "triplet_margin", "triplet_margin_with_distance"]),
    ("sequences without alignment", {"task": "sequence"}, ["ctc"]),
    ("segmentation", {"task": "segmentation"}, ["dice"]),
]


@pytest.mark.parametrize(("case", "answers", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_tutorial_case(client: httpx.Client, case: str, answers: dict[str, str], expected: list[str]) -> None:
    r = client.get("/v1/losses", params=filters(CATALOGUE, answers))
    assert r.status_code == 200
    assert [d["name"] for d in r.json()["losses"]] == expected


def test_the_questions_follow_the_catalogue() -> None:
    asked = {q.name: q for q in questions(CATALOGUE)}
    assert list(asked) == ["task", "outliers", "imbalance", "output"]  # the tutorials' order
    assert [o.value for o in asked["task"].options] == list(TASKS)  # every catalogue task, a label for each
    assert {loss.task for loss in CATALOGUE} == set(TASKS)
    assert asked["outliers"].tasks == ("regression",)  # only regression has losses both robust and not
    assert asked["imbalance"].tasks == ("classification",)
    assert asked["output"].tasks == ("classification", "probabilistic")
    offered = {o.value: o.tasks for o in asked["output"].options}
    assert offered["logits"] == ("classification",) and offered["embeddings"] == ("embedding",)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"task": "regression"}, {"task": "regression"}),
        ({"task": "regression", "outliers": "unsure"}, {"task": "regression"}),
        ({"task": "regression", "outliers": "no"}, {"task": "regression", "robust_to_outliers": "false"}),
        ({"task": "regression", "imbalance": "yes"}, {"task": "regression"}),  # not asked for regression
        ({"task": "classification", "imbalance": "no"}, {"task": "classification"}),  # balanced narrows nothing
        (
            {"task": "classification", "imbalance": "yes", "output": "logits"},
            {"task": "classification", "handles_imbalance": "true", "input_kind": "logits"},
        ),
    ],
)
def test_answers_become_filters(answers: dict[str, str], expected: dict[str, str]) -> None:
    assert filters(CATALOGUE, answers) == expected


@pytest.mark.parametrize(
    "answers",
    [{}, {"task": "regression", "outliers": "maybe"}, {"task": "classification", "output": "embeddings"}],
)
def test_an_answer_the_page_does_not_offer(answers: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        filters(CATALOGUE, answers)


def test_the_page_renders_each_options_filters(client: httpx.Client) -> None:
    r = client.get("/choose")
    assert r.status_code == 200 and "default-src 'self'" in r.headers["content-security-policy"]
    assert 'data-filters="{&#34;robust_to_outliers&#34;: &#34;true&#34;}"' in r.text
    assert '<script src="/static/lossd/choose.js"></script>' in r.text
    for page in ("/", "/docs", "/redoc"):
        assert 'href="/choose"' in client.get(page).text  # linked from the landing page and the explorers
