"""The pages people open, over HTTP: the landing page lists the catalogue, the docs explorer and ReDoc load
only lossd's own assets (shipped in the package, no CDN), and none of them is part of the API document.
tests/test_browser.py renders them in a real browser."""

import re
from pathlib import Path

import httpx
import markupsafe
import pytest

from lossd.catalogue import CATALOGUE
from lossd.pages import router as pages

PAGES = ["/", "/choose", "/docs", "/redoc", "/runs", "/runs/{run}"]


@pytest.fixture(scope="module")
def run_id(client: httpx.Client) -> str:
    r = client.post("/v1/runs", json={"name": "pages"})
    assert r.status_code == 201
    return str(r.json()["id"])


@pytest.mark.parametrize("path", PAGES)
def test_each_page_loads_only_lossds_own_assets(client: httpx.Client, path: str, run_id: str) -> None:
    r = client.get(path.format(run=run_id))
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets and not [a for a in assets if re.match(r"(https?:)?//", a)]
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset


@pytest.mark.parametrize(
    ("path", "media_type", "min_size"),
    [
        ("/static/vendor/swagger-ui-bundle.js", "text/javascript", 500_000),
        ("/static/vendor/swagger-ui.css", "text/css", 50_000),
        (pages.REDOC_JS_URL, "text/javascript", 500_000),
        ("/static/lossd/docs.js", "text/javascript", 500),
    ],
)
def test_the_explorers_assets_come_with_the_package(
    client: httpx.Client, path: str, media_type: str, min_size: int
) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith(media_type)
    assert len(r.content) >= min_size
    assert b"cdn.redoc.ly" not in r.content and b"cdn.jsdelivr.net" not in r.content


def test_the_assets_are_package_files() -> None:
    assert pages.VENDOR.is_dir() and (pages.VENDOR / "swagger-ui-bundle.js").is_file()
    for name in ("base.html", "index.html", "choose.html", "docs.html", "redoc.html"):
        assert (pages.HERE / "templates" / name).is_file()
    assert Path(pages.__file__).parent == pages.HERE


def test_the_landing_page_lists_the_catalogue(client: httpx.Client) -> None:
    text = client.get("/").text
    assert 'href="/docs"' in text and 'href="/redoc"' in text and 'href="/openapi.json"' in text
    assert text.count('class="loss"') == len(CATALOGUE)
    for loss in CATALOGUE:
        section = text.split(f'id="loss-{loss.name}"', 1)[1].split("</article>", 1)[0]
        for field in (loss.formula, loss.use_when, loss.summary):
            assert _escaped(field) in section, (loss.name, field)


def _escaped(text: str) -> str:
    """`text` as Jinja's autoescape writes it."""
    return str(markupsafe.escape(text))


def test_pages_are_not_operations(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/", "/choose", "/docs", "/redoc", "/runs", "/runs/{run_id}"} & set(paths) and not [
        p for p in paths if p.startswith("/static")
    ]


def test_an_unknown_asset_is_a_problem(client: httpx.Client) -> None:
    r = client.get("/static/lossd/nope.js")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_the_runs_chart_library_is_the_plotly_wheels_own_file(client: httpx.Client) -> None:
    # plotly.js names tile and font servers for its map traces, which the runs pages never draw; the pages' CSP
    # and tests/test_browser.py keep any request from leaving the machine.
    r = client.get(pages.PLOTLY_JS_URL)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.content == pages.PLOTLY_JS.read_bytes() and b"plotly.js" in r.content[:200]


def test_the_page_of_an_unknown_run_is_a_404_page(client: httpx.Client) -> None:
    r = client.get("/runs/nosuchrun")
    assert r.status_code == 404 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "There is no run with id &#39;nosuchrun&#39;" in r.text and 'href="/runs"' in r.text


def test_a_runs_page_names_its_run_for_the_script(client: httpx.Client, run_id: str) -> None:
    text = client.get(f"/runs/{run_id}").text
    assert f'data-run="{run_id}"' in text
    assert f'src="{pages.PLOTLY_JS_URL}"' in text
