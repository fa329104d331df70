"""examples/monitor_training.py run as a user runs it, against a live lossd: the tutorial's linear regression
shows a falling training curve, and the over-trained polynomial is diagnosed as overfitting from the epoch
its own validation curve says."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from conftest import Server

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "monitor_training.py"


def run_example(server: Server, tmp_path: Path, *args: str) -> tuple[str, str, Path]:
    """The example's output, the id of the run it made, and its plot."""
    plot = tmp_path / "curves.png"
    out = subprocess.run(
        [sys.executable, str(EXAMPLE), "--url", server.url, "--plot", str(plot), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    run_id = out.stdout.split("\n", 1)[0].split()[1].rstrip(":")
    return out.stdout, run_id, plot


def curve(client: httpx.Client, run_id: str, series: str) -> tuple[np.ndarray, np.ndarray]:
    r = client.get(f"/v1/runs/{run_id}/series/{series}").json()
    return np.array(r["steps"]), np.array(r["values"], dtype=np.float64)


@pytest.fixture(scope="module")
def linear(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    return run_example(server, tmp_path_factory.mktemp("linear"))


@pytest.fixture(scope="module")
def overfit(server: Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    return run_example(server, tmp_path_factory.mktemp("overfit"), "--overfit")


def test_the_linear_regression_logs_both_curves_every_epoch(client: httpx.Client, linear: Any) -> None:
    _, run_id, _ = linear
    for series in ("train", "validation"):
        steps, _ = curve(client, run_id, series)
        assert steps.tolist() == list(range(100))


def test_the_linear_regressions_training_loss_falls(client: httpx.Client, linear: Any) -> None:
    _, run_id, _ = linear
    _, train = curve(client, run_id, "train")
    assert np.all(np.diff(train) <= 0)  # full-batch gradient descent on a convex loss, below 1/L
    assert train[-1] < train[0] / 10


def test_the_example_saves_the_plot_and_prints_the_diagnosis(client: httpx.Client, linear: Any) -> None:
    stdout, run_id, plot = linear
    assert plot.read_bytes().startswith(b"\x89PNG")
    d = client.get(f"/v1/runs/{run_id}/diagnosis").json()
    assert f"status: {d['status']}" in stdout
    assert f"best validation loss: {d['best']['value']:.6g} at epoch {d['best']['step']}" in stdout


def test_the_over_trained_run_is_diagnosed_overfitting_from_its_best_epoch(client: httpx.Client, overfit: Any) -> None:
    stdout, run_id, _ = overfit
    steps, validation = curve(client, run_id, "validation")
    _, train = curve(client, run_id, "train")
    best = int(np.argmin(validation))  # the first of the smallest: where the held-out loss was lowest
    # the data really overfit: validation never got back to its best, while training kept improving
    assert best + 5 < len(validation) and validation[best + 1 :].min() > validation[best]
    assert train[best + 1 :].min() < train[best] and train[-1] < train[best]
    d = client.get(f"/v1/runs/{run_id}/diagnosis").json()
    assert d["status"] == "overfitting"
    assert d["overfitting_since"] == steps[best] == d["best"]["step"]
    assert f"overfitting since epoch {steps[best]}" in stdout
