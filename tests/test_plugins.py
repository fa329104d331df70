"""Operator plugins: the loader's rules (in this process, with made-up entry points), and the example
plugin of examples/ installed for real and served by `lossd serve` beside the built-ins.

The example is installed with pip (no index, no build isolation: offline) from a copy of its source
into a temporary folder that only the served process has on its path, so the environment that other
tests and other runs share is never changed, and nothing needs uninstalling.
"""

import importlib.util
import logging
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from subprocess import Popen

import httpx
import numpy as np
import pytest
import torch
from sklearn.metrics import mean_absolute_percentage_error

from lossd.catalogue import plugins
from lossd.catalogue.registry import BUILTIN, Catalogue
from lossd.catalogue.validate import prepare
from lossd.codec import ElementBudget, Limits
from lossd.compute.engine import run
from lossd_client import LossClient

from conftest import lossd_env, start_serve

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lossd-plugin-tutorial"
CLIENT = ROOT / "clients" / "python"
START_S = 60
PRICES = {"input": [310000, 455000, 198000, 620000], "target": [300000, 480000, 210000, 600000]}
MASKS = {"input": [[[0.9, 0.2], [0.1, 0.8]], [[0.3, 0.1], [0.0, 0.2]]], "target": [[[1, 0], [0, 1]], [[1, 0], [0, 0]]]}


def _points(*pairs: tuple[str, str]) -> list[EntryPoint]:
    return [EntryPoint(name, f"plugin_samples:{attr}", plugins.GROUP) for name, attr in pairs]


GOOD = _points(("sample_squares", "GOOD"), ("sample_factory", "factory"))
# (entry point name, object, what the log must say)
REFUSED = [
    ("sample_int", "NOT_A_LOSS", "not a lossd Loss"),
    ("sample_raises", "raises", "the plugin's factory failed"),
    ("sample_exits", "exits", "SystemExit"),
    ("sample_missing", "nope", "AttributeError"),
    ("mse", "TAKES_MSE", "'mse' is already taken"),
    ("custom", "TAKES_CUSTOM", "'custom' is reserved"),
    ("sample_alias", "TAKES_AN_ALIAS", "'MSELoss' is already taken"),
    ("Sample-Name", "BAD_NAME", "not snake_case"),
    ("sample_task", "BAD_TASK", "task 'astrology'"),
    ("sample_nograd", "NO_GRADIENT", "no input is differentiable"),
    ("sample_default", "BAD_DEFAULT", "outside its own range"),
    ("sample_example", "BAD_EXAMPLE", "its example is not a valid request"),
    ("sample_summary", "NO_SUMMARY", "summary must be a non-empty string"),
    ("sample_shape", "WRONG_SHAPE", "where check promises [2]"),
    ("sample_broken", "BROKEN_FORWARD", "RuntimeError"),
    ("sample_renamed", "GOOD", "name them alike"),
]


# --- the loader -------------------------------------------------------------------------------------------


def test_good_plugins_load_as_losses() -> None:
    loaded = plugins.load(BUILTIN, GOOD)
    assert [loss.name for loss in loaded] == ["sample_factory", "sample_squares"]


@pytest.mark.parametrize(("name", "attr", "why"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_bad_plugin_is_logged_and_skipped(caplog: pytest.LogCaptureFixture, name: str, attr: str, why: str) -> None:
    with caplog.at_level(logging.WARNING, logger="lossd.plugins"):
        loaded = plugins.load(BUILTIN, [*GOOD, *_points((name, attr))])
    assert [loss.name for loss in loaded] == ["sample_factory", "sample_squares"]
    assert any(name in r.getMessage() and why in r.getMessage() for r in caplog.records), caplog.text


def test_a_plugin_outside_any_module_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="lossd.plugins"):
        assert plugins.load(BUILTIN, [EntryPoint("sample_x", "no_such_module:x", plugins.GROUP)]) == []
    assert "ModuleNotFoundError" in caplog.text


def test_the_first_of_two_plugins_with_one_name_wins(caplog: pytest.LogCaptureFixture) -> None:
    loaded = plugins.load(BUILTIN, _points(("sample_twice", "SECOND"), ("sample_twice", "FIRST")))
    assert [loss.summary for loss in loaded] == ["The sum of squares, scaled."]
    assert "'sample_twice' is already taken" in caplog.text


def test_a_catalogue_adds_plugins_on_first_use_and_once() -> None:
    calls = []

    def extend(base: object) -> list:
        calls.append(base)
        return plugins.load(BUILTIN, GOOD)

    catalogue = Catalogue(BUILTIN, extend=extend)
    assert not calls
    assert catalogue.resolve("SAMPLE_SQUARES").name == "sample_squares"
    assert [loss.name for loss in catalogue][-2:] == ["sample_factory", "sample_squares"]
    assert len(catalogue) == len(BUILTIN) + 2 and len(calls) == 1
    assert [loss.name for loss in catalogue.select(task="regression")][-2:] == ["sample_factory", "sample_squares"]


def test_a_plugin_loss_runs_through_validation_and_the_engine() -> None:
    (loss,) = plugins.load(BUILTIN, GOOD[:1])
    job = prepare(loss, {"input": [1.0, -2.0]}, {"scale": 0.5}, True, None, "float64", Limits(64, 8), ElementBudget(64))
    result = run(job, torch.device("cpu"))
    assert result.value.item() == 2.5
    assert result.grads["input"].tolist() == [1.0, -2.0]
    with pytest.raises(Exception) as e:
        prepare(loss, {"input": [1.0]}, {"scale": -1}, None, None, "float32", Limits(64, 8), ElementBudget(64))
    assert e.value.errors[0].loc == ("params", "scale")  # type: ignore[attr-defined]


# --- the example plugin, installed and served ----------------------------------------------------------------


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin installed by pip into a folder of its own (from a copy: builds write into the source)."""
    root = tmp_path_factory.mktemp("plugin")
    source = root / "lossd-plugin-tutorial"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".*"))
    site = root / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, "--no-deps", "--no-index", "--no-build-isolation", "--target", str(site), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def _env(site: Path) -> dict[str, str]:
    return lossd_env(PYTHONPATH=os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p))


@pytest.fixture(scope="module")
def example_tests(plugin_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Popen, Path]]:
    """The example's own tests, run as its README says, in a process that sees the installed plugin
    (started early: they run while the server starts)."""
    source = tmp_path_factory.mktemp("example") / "lossd-plugin-tutorial"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".*"))
    log = source.parent / "pytest.log"
    # Without this project's pytest plugins (hypothesis, schemathesis): the example needs none.
    env = {**_env(plugin_site), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with log.open("wb") as out:
        proc = Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=source,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc, log
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def served(
    plugin_site: Path, example_tests: tuple[Popen, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """`lossd serve` in a new process that sees the installed plugin, so it reads the entry points afresh."""
    log = tmp_path_factory.mktemp("serve") / "lossd.log"
    proc, url = start_serve(log, env=_env(plugin_site), start_s=START_S)
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield client
        assert "skipped" not in log.read_text(), log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_plugin_losses_join_the_catalogue(served: httpx.Client) -> None:
    losses = served.get("/v1/losses").json()["losses"]
    assert [d["name"] for d in losses] == [loss.name for loss in BUILTIN] + ["tutorial_dice", "tutorial_mape"]
    mape = served.get("/v1/losses/TUTORIAL_MAPE").json()
    assert mape["task"] == "regression" and mape["torch"] is None
    assert [i["name"] for i in mape["inputs"]] == ["input", "target"]
    assert [p["name"] for p in mape["params"]] == ["eps"]
    assert served.get("/v1/losses", params={"task": "segmentation"}).json()["losses"][-1]["name"] == "tutorial_dice"


def test_the_openapi_document_names_them(served: httpx.Client) -> None:
    doc = served.get("/openapi.json").json()
    (name,) = [p for p in doc["paths"]["/v1/losses/{name}"]["post"]["parameters"] if p["name"] == "name"]
    assert {"tutorial_mape", "tutorial_dice"} <= set(name["examples"])


def test_the_client_computes_them_and_a_client_generated_here_has_their_methods(served: httpx.Client) -> None:
    with LossClient(str(served.base_url)) as client:
        assert {"tutorial_mape", "tutorial_dice"} <= {d["name"] for d in client.losses()}
        result = client.compute("tutorial_mape", dtype="float64", grad=True, **PRICES)
    assert result.value == pytest.approx(mean_absolute_percentage_error(PRICES["target"], PRICES["input"]))
    spec = importlib.util.spec_from_file_location("lossd_client_generate", CLIENT / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    module = generate.losses_module(served.get("/openapi.json").json())
    assert "def tutorial_mape(self, input: TensorLike, target: TensorLike, *, eps: float | None = None" in module
    assert "def tutorial_dice(" in module


def test_tutorial_mape_computes_like_scikit_learn(served: httpx.Client) -> None:
    r = served.post("/v1/losses/tutorial_mape", json={"inputs": PRICES, "grad": ["input"], "dtype": "float64"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["loss"] == "tutorial_mape"
    assert got["value"] == pytest.approx(mean_absolute_percentage_error(PRICES["target"], PRICES["input"]), rel=1e-12)
    pred, truth = np.array(PRICES["input"], float), np.array(PRICES["target"], float)
    np.testing.assert_allclose(got["grads"]["input"], np.sign(pred - truth) / truth / len(pred), rtol=1e-12)


def test_tutorial_dice_computes_the_whole_batch_as_one_mask(served: httpx.Client) -> None:
    r = served.post("/v1/losses/tutorial_dice", json={"inputs": MASKS, "params": {"smooth": 0.5}, "grad": True})
    assert r.status_code == 200, r.text
    p, t = np.array(MASKS["input"]).ravel(), np.array(MASKS["target"], float).ravel()
    want = 1 - (2 * (p * t).sum() + 0.5) / (p.sum() + t.sum() + 0.5)
    got = r.json()
    assert math.isclose(got["value"], want, rel_tol=1e-6)
    assert list(got["grads"]) == ["input"]  # the mask is a label: no gradient


@pytest.mark.parametrize(
    ("name", "body", "loc"),
    [
        ("tutorial_dice", {"inputs": {"input": [1.5, 0.5], "target": [1, 0]}}, ["inputs", "input"]),
        ("tutorial_dice", {"inputs": MASKS, "grad": ["target"]}, ["grad", 0]),
        ("tutorial_mape", {"inputs": PRICES, "params": {"eps": 0}}, ["params", "eps"]),
        ("tutorial_mape", {"inputs": PRICES, "params": {"reduction": "sum"}}, ["params", "reduction"]),
        ("tutorial_mape", {"inputs": {"input": [1.0, 2.0], "target": [1.0]}}, ["inputs", "target"]),
    ],
)
def test_plugin_requests_get_the_same_validation(served: httpx.Client, name: str, body: dict, loc: list) -> None:
    r = served.post(f"/v1/losses/{name}", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == loc


def test_plugins_take_part_in_batch_and_compare(served: httpx.Client) -> None:
    items = [{"loss": "tutorial_mape", "inputs": PRICES}, {"loss": "mape", "inputs": PRICES}]
    values = [r["value"] for r in served.post("/v1/batch", json={"items": items}).json()["results"]]
    assert values[0] == pytest.approx(values[1], rel=1e-6)
    compared = served.post("/v1/compare", json={"inputs": PRICES, "losses": ["mape", "tutorial_mape"]}).json()
    assert [r["loss"] for r in compared["results"]] == ["mape", "tutorial_mape"]


def test_the_examples_own_tests_pass(example_tests: tuple[Popen, Path]) -> None:
    proc, log = example_tests
    assert proc.wait(timeout=300) == 0, log.read_text()
