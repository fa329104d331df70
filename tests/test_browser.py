"""The docs explorer, ReDoc and the landing page in a real browser: Debian's Chromium, headless, driven by
Playwright (which downloads no browser: it is given /usr/bin/chromium). Every request a page makes is
recorded, and one that goes anywhere but the lossd server fails the test (it is also refused, so that a page
never waits on the outside world). Screenshots are saved in test-artifacts/."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
