"""The docs explorer, ReDoc and the landing page in a real browser: Debian's Chromium, headless, driven by
Playwright (which downloads no browser: it is given /usr/bin/chromium). Every request a page makes is
recorded, and one that goes anywhere but the lossd server fails the test (it is also refused, so that a page
never waits on the outside world). Screenshots are saved in test-artifacts/."""

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from lossd.catalogue import CATALOGUE

from conftest import Server

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The flags that keep Chromium off the network on its own account (updates, sync, metrics, QUIC probes).
FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED_VALUE = "0.13749998807907104"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: `make test` installs Debian's chromium where it can (as root, with apt-get); "
    "elsewhere install it (apt-get install chromium) to run the browser test",
)


@dataclass
class Visit:
    """A browser page, with every request it made and every error it logged."""

    page: Any
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests that went anywhere but the lossd server (`data:` URLs never leave the page)."""
        local = (self.origin + "/", "blob:" + self.origin + "/", "data:")
        return [url for url in self.requests if not url.startswith(local)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture()
def visit(browser: Any, server: Server) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    v = Visit(page, server.url)

    def route(route: Any) -> None:
        v.requests.append(route.request.url)
        if route.request.url.startswith((server.url + "/", "blob:", "data:")):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", route)
    context.on("request", lambda r: v.requests.append(r.url))
    page.on("console", lambda m: v.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: v.errors.append(str(e)))
    page.set_default_timeout(30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    yield v
    context.close()


def test_the_docs_explorer_runs_the_mse_example(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.origin + "/docs")
    op = page.locator("#operations-compute-losses-compute")
    op.locator(".opblock-summary").click()
    op.locator(".try-out__btn").click()
    examples = op.locator(".opblock-section-request-body .examples-select select")
    offered = examples.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert sorted(offered) == sorted(loss.name for loss in CATALOGUE)  # every loss's example, ready
    examples.select_option("cross_entropy")
    examples.select_option("mse")
    name = op.locator("tr[data-param-name='name'] input")
    assert name.input_value() == "mse"  # choosing the example chose the loss
    op.locator(".execute").click()
    answer = op.locator(".live-responses-table .response-col_description pre").first
    answer.wait_for()
    assert SEED_VALUE in answer.inner_text()
    assert op.locator(".live-responses-table tbody .response-col_status").first.inner_text().strip() == "200"
    # the operation from its title to the answer it got
    top, end = op.bounding_box(), op.locator(".live-responses-table").first.bounding_box()
    scrolled = page.evaluate("window.scrollY")  # boxes are in the viewport, a full-page clip in the page
    clip = {
        "x": top["x"],
        "y": top["y"] + scrolled,
        "width": top["width"],
        "height": end["y"] + end["height"] - top["y"],
    }
    page.screenshot(path=ARTIFACTS / "docs-try-it-out-mse.png", full_page=True, clip=clip)
    assert visit.outside() == [] and visit.errors == []
    assert visit.origin + "/v1/losses/mse" in visit.requests


def test_another_loss_from_its_example(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.origin + "/docs#/compute/losses-compute")
    op = page.locator("#operations-compute-losses-compute")
    op.locator(".try-out__btn").click()
    op.locator(".opblock-section-request-body .examples-select select").select_option("cross_entropy")
    op.locator(".execute").click()
    answer = op.locator(".live-responses-table .response-col_description pre").first
    answer.wait_for()
    assert '"loss": "cross_entropy"' in answer.inner_text()
    assert visit.outside() == [] and visit.errors == []


def test_redoc_renders(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.origin + "/redoc")
    page.locator("h1", has_text="lossd").wait_for()
    page.locator("h2", has_text="Compute one loss").wait_for()
    operations = page.locator("[data-section-id^='operation/']")
    assert operations.count() >= 8
    page.screenshot(path=ARTIFACTS / "redoc.png")
    assert visit.outside() == [] and visit.errors == []


def test_the_landing_page_renders(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.origin + "/")
    assert page.title().startswith("lossd")
    assert page.locator("article.loss").count() == len(CATALOGUE)
    mse = next(loss for loss in CATALOGUE if loss.name == "mse")
    assert page.locator("#loss-mse .formula").inner_text() == mse.formula
    assert page.locator("a", has_text="API explorer").first.get_attribute("href") == "/docs"
    page.screenshot(path=ARTIFACTS / "landing.png", full_page=True)
    page.locator("a", has_text="Reference").first.click()
    page.wait_for_url("**/redoc")
    assert visit.outside() == [] and visit.errors == []


# The tutorial's regression data, with one outlier added: the last prediction is 19 off.
PREDICTIONS = "[2.5, 4.8, 6.9, 9.5, 30]"
TARGETS = "target\n3\n5\n7\n9\n11"


def test_the_chooser_recommends_and_compares_on_pasted_data(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.origin + "/")
    page.locator("main a", has_text="Choose a loss").click()
    page.wait_for_url("**/choose")
    page.get_by_label("Predict a number (regression)").check()
    outliers = page.locator("fieldset[data-question='outliers']")
    outliers.wait_for()
    assert page.locator("fieldset[data-question='imbalance']").is_hidden()  # not asked for regression
    outliers.get_by_label("Yes", exact=False).check()
    page.locator("#query code", has_text="robust_to_outliers=true").wait_for()
    recommended = page.locator("#recommendations li").evaluate_all("items => items.map(i => i.dataset.loss)")
    assert recommended[:2] == ["l1", "huber"] and "mse" not in recommended
    l1 = page.locator("#recommendations li[data-loss='l1']")
    l1_descriptor = next(loss for loss in CATALOGUE if loss.name == "l1")
    assert l1.locator(".reason").inner_text() == l1_descriptor.use_when
    assert l1.locator("a", has_text="l1").get_attribute("href") == "/#loss-l1"

    page.locator("#predictions").fill(PREDICTIONS)
    page.locator("#targets").fill(TARGETS)
    page.locator("#run").click()
    page.locator("#table tbody tr[data-loss='mse']").wait_for()

    def share(loss: str) -> float:
        return float(page.locator(f"#table tbody tr[data-loss='{loss}']").get_attribute("data-share"))

    def bar(loss: str) -> float:
        return float(page.locator(f"#chart rect[data-loss='{loss}']").get_attribute("width"))

    assert share("mse") > share("huber") > share("l1") > 0.9  # one outlier dominates, squared most of all
    assert bar("mse") > bar("l1") > 0
    assert page.locator("#table tbody tr[data-loss='mse'] .share").inner_text() == "99.8%"
    assert page.locator("#table tbody tr[data-loss='mse'] .share").get_attribute("class") == "num share most"
    assert page.locator("#table tbody tr[data-loss='l1']").get_attribute("class") == "recommended"
    assert page.locator("#table tbody tr[data-loss='rmse'] .share").inner_text() == "—"  # no unreduced form
    page.screenshot(path=ARTIFACTS / "chooser-regression-outliers.png", full_page=True)
    assert visit.outside() == [] and visit.errors == []
    assert visit.origin + "/v1/compare" in visit.requests


def _run_with_points(url: str, name: str, points: list[dict[str, Any]], tags: dict[str, str] | None = None) -> str:
    with httpx.Client(base_url=url, timeout=30) as c:
        r = c.post("/v1/runs", json={"name": name, "tags": tags or {}})
        assert r.status_code == 201, r.text
        run_id: str = r.json()["id"]
        if points:
            assert c.post(f"/v1/runs/{run_id}/points", json={"points": points}).status_code == 200
    return run_id


def _post(url: str, run_id: str, points: list[dict[str, Any]]) -> None:
    assert httpx.post(f"{url}/v1/runs/{run_id}/points", json={"points": points}, timeout=30).status_code == 200


def _curve(series: str, steps: range, value: Any) -> list[dict[str, Any]]:
    return [{"series": series, "step": s, "value": value(s)} for s in steps]


def _falling(s: int) -> float:
    return 1 / (s + 1)


def _u_shaped(s: int) -> float:
    """Falls until step 12, then rises: held-out loss of a model that starts to overfit."""
    return 0.3 + (s - 12) ** 2 / 200


def _counts(page: Any) -> dict[str, int]:
    return json.loads(page.locator("#chart").get_attribute("data-counts") or "{}")


def _traces(page: Any) -> list[dict[str, Any]]:
    """What plotly drew: each trace's role (`meta`), group, visibility and points."""
    return page.evaluate(
        "() => document.getElementById('chart').data.map(t => ({meta: t.meta, group: t.legendgroup || null, "
        "visible: t.visible === undefined ? true : t.visible, x: Array.from(t.x), y: Array.from(t.y)}))"
    )


def _open_run(visit: Visit, run_id: str, counts: str) -> Any:
    """The run's page, once its chart holds `counts` points per series (the JSON of `data-counts`)."""
    page = visit.page
    page.goto(f"{visit.origin}/runs/{run_id}")
    _wait_counts(page, counts)
    return page


def _wait_counts(page: Any, counts: str) -> None:
    page.wait_for_function(f"() => document.getElementById('chart').getAttribute('data-counts') === {counts!r}")


def test_the_runs_page_lists_each_run_with_its_status(visit: Visit) -> None:
    url = visit.origin
    train, validation = _curve("train", range(30), _falling), _curve("validation", range(30), _u_shaped)
    run_id = _run_with_points(url, "browser overfit", train + validation, {"model": "linear"})
    status = httpx.get(f"{url}/v1/runs/{run_id}", timeout=30).json()["status"]
    page = visit.page
    page.goto(url + "/runs")
    row = page.locator(f"#runs tr[data-run='{run_id}']")
    row.wait_for()
    assert row.locator(".status").get_attribute("data-status") == status == "overfitting"
    assert row.locator(".tags").inner_text() == "model=linear"
    assert (
        row.locator(".series div[data-series='train']").inner_text().startswith("train: 30 points, last 0.03333 at 29")
    )
    page.screenshot(path=ARTIFACTS / "runs-list.png", full_page=True)
    row.locator("a", has_text="browser overfit").click()
    page.wait_for_url(f"**/runs/{run_id}")
    page.locator("#status[data-status='overfitting']").wait_for()
    assert visit.outside() == [] and visit.errors == []


def test_a_runs_chart_draws_its_curves_and_follows_new_points(visit: Visit) -> None:
    url = visit.origin
    run_id = _run_with_points(url, "browser live", _curve("train", range(10), _falling))
    page = _open_run(visit, run_id, '{"train":10}')
    (line,) = [t for t in _traces(page) if t["meta"] == "values"]
    assert line["x"] == list(range(10)) and line["y"] == [_falling(s) for s in range(10)]
    assert page.locator("#chart .scatterlayer .trace path.js-line").count() == 1  # drawn, not only loaded

    # the trainer writes on: the page picks the new points up by itself
    _post(url, run_id, _curve("train", range(10, 30), _falling) + _curve("validation", range(30), _u_shaped))
    page.wait_for_function(
        "() => JSON.parse(document.getElementById('chart').getAttribute('data-counts')).validation === 30",
        timeout=30_000,
    )
    assert _counts(page) == {"train": 30, "validation": 30}
    assert page.locator("#chart .scatterlayer .trace path.js-line").count() == 2
    diagnosis = httpx.get(f"{url}/v1/runs/{run_id}/diagnosis", timeout=30).json()
    page.locator(f"#status[data-status='{diagnosis['status']}']").wait_for()
    (best,) = [t for t in _traces(page) if t["meta"] == "best"]
    assert (best["x"], best["y"]) == ([diagnosis["best"]["step"]], [diagnosis["best"]["value"]])
    assert page.locator("dd[data-fact='overfitting since']").inner_text() == f"step {diagnosis['overfitting_since']}"
    page.screenshot(path=ARTIFACTS / "run-chart.png", full_page=True)
    assert visit.outside() == [] and visit.errors == []


def test_the_smoothing_slider_draws_lossds_smoothed_curve(visit: Visit) -> None:
    url = visit.origin
    run_id = _run_with_points(url, "browser smoothing", _curve("train", range(40), lambda s: 1 / (s + 1) + s % 3 / 10))
    page = _open_run(visit, run_id, '{"train":40}')
    assert "smoothed" not in [t["meta"] for t in _traces(page)]
    page.locator("#smoothing").fill("0.8")
    page.wait_for_function("() => document.getElementById('chart').data.some(t => t.meta === 'smoothed')")
    want = httpx.get(f"{url}/v1/runs/{run_id}/series/train", params={"smoothing": 0.8}, timeout=30).json()
    (smoothed,) = [t for t in _traces(page) if t["meta"] == "smoothed"]
    assert smoothed["y"] == want["smoothed"]
    assert page.locator("#smoothing-value").inner_text() == "0.80"
    assert page.locator("#png").get_attribute("href").endswith(f"/v1/runs/{run_id}/plot.png?smoothing=0.8")
    assert visit.outside() == [] and visit.errors == []


def test_a_series_is_hidden_by_its_box_or_its_legend_entry(visit: Visit) -> None:
    url = visit.origin
    run_id = _run_with_points(
        url, "browser toggles", _curve("train", range(20), _falling) + _curve("validation", range(20), _u_shaped)
    )
    page = _open_run(visit, run_id, '{"train":20,"validation":20}')

    def visible() -> dict[str, Any]:
        return {t["group"]: t["visible"] for t in _traces(page) if t["meta"] == "values"}

    assert visible() == {"train": True, "validation": True}
    page.locator("input[data-series='validation']").uncheck()
    assert visible() == {"train": True, "validation": "legendonly"}
    assert page.locator("#svg").get_attribute("href").endswith("/plot.svg?series=train")
    page.locator("#chart .legend .traces", has_text="train").locator(".legendtoggle").click()
    assert visible() == {"train": "legendonly", "validation": "legendonly"}
    assert not page.locator("input[data-series='train']").is_checked()
    page.locator("input[data-series='validation']").check()
    assert visible() == {"train": "legendonly", "validation": True}
    assert visit.outside() == [] and visit.errors == []


def test_a_zoom_survives_new_points_and_log_scale_changes_the_axis(visit: Visit) -> None:
    url = visit.origin
    run_id = _run_with_points(url, "browser zoom", _curve("train", range(50), _falling))
    page = _open_run(visit, run_id, '{"train":50}')
    box = page.locator("#chart .nsewdrag").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=5)
    page.mouse.up()
    zoomed = page.evaluate("() => document.getElementById('chart').layout.xaxis.range.slice()")
    assert 5 < zoomed[0] < zoomed[1] < 30  # steps 0..49 across the width; the drag took 20%..50% of it
    _post(url, run_id, _curve("train", range(50, 80), _falling))
    _wait_counts(page, '{"train":80}')
    assert page.evaluate("() => document.getElementById('chart').layout.xaxis.range.slice()") == zoomed
    page.locator("#log-y").check()
    assert page.evaluate("() => document.getElementById('chart').layout.yaxis.type") == "log"
    assert visit.outside() == [] and visit.errors == []


def test_the_runs_page_filters_by_tag(visit: Visit) -> None:
    url = visit.origin
    tagged = _run_with_points(url, "browser tagged", [], {"sweep": "a7"})
    other = _run_with_points(url, "browser untagged", [])
    page = visit.page
    page.goto(url + "/runs")
    page.locator(f"#runs tr[data-run='{other}']").wait_for()
    page.locator("#tag").fill("sweep:a7")
    page.locator("#filter button").click()
    page.locator(f"#runs tr[data-run='{other}']").wait_for(state="detached")
    assert page.locator("#runs tbody tr").evaluate_all("rows => rows.map(r => r.dataset.run)") == [tagged]
    assert page.url.endswith("/runs?tag=sweep%3Aa7")
    assert visit.outside() == [] and visit.errors == []


def test_a_long_curve_is_drawn_reduced_with_its_spikes_band(visit: Visit) -> None:
    url = visit.origin
    n = 20_000
    points = _curve("train", range(n), lambda s: 100.0 if s == n // 3 else _falling(s))
    run_id = _run_with_points(url, "browser long", points)
    page = _open_run(visit, run_id, json.dumps({"train": n}, separators=(",", ":")))
    (line,) = [t for t in _traces(page) if t["meta"] == "values"]
    band = [y for t in _traces(page) if t["meta"] == "band" for y in t["y"]]
    width = page.locator("#chart").evaluate("c => c.clientWidth")
    assert len(line["x"]) <= width < n  # about a point per pixel, not every point
    assert max(line["y"]) < 100.0 == max(band)  # the spike survives the reduction, in its bucket's max
    assert visit.outside() == [] and visit.errors == []
