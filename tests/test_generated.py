"""The generated Python client is what `make client` generates from the committed document: regenerated
into a temporary folder, it must match clients/python file for file (never edit generated code; regenerate)."""

import filecmp
import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "clients" / "python"
SPEC = ROOT / "openapi" / "openapi.json"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lossd_client_generate", CLIENT / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_the_committed_client_is_what_make_client_generates(tmp_path: Path) -> None:
    _generator().generate(SPEC, tmp_path)
    hint = "clients/python differs from what `make client` generates: run `make openapi client`"
    fresh, committed = tmp_path / "lossd_api", CLIENT / "lossd_api"
    assert _files(fresh) == _files(committed), hint
    _, mismatch, errors = filecmp.cmpfiles(fresh, committed, sorted(_files(fresh)), shallow=False)
    assert not mismatch and not errors, f"{hint}: {mismatch + errors}"
    losses = "lossd_client/_losses.py"
    assert (tmp_path / losses).read_text(encoding="utf-8") == (CLIENT / losses).read_text(encoding="utf-8"), hint
    assert _files(tmp_path) == {*(f"lossd_api/{f}" for f in _files(fresh)), losses}  # nothing else is generated


def test_the_generated_client_covers_every_operation() -> None:
    import json

    doc = json.loads(SPEC.read_text(encoding="utf-8"))
    ids = {op["operationId"].replace("-", "_") for item in doc["paths"].values() for op in item.values()}
    modules = {p.stem for p in (CLIENT / "lossd_api" / "api").rglob("*.py") if p.stem != "__init__"}
    assert ids == modules
