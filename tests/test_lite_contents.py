"""The notebooks as the JupyterLite site ships them (lite/build.py's ``notebooks``): no browser."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _build_module():
    spec = importlib.util.spec_from_file_location("lite_build", ROOT / "lite" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_notebook_with_code_gets_the_setup_cell_before_its_first_code_cell(tmp_path):
    build = _build_module()
    folder = build.notebooks(tmp_path)
    source = {path.relative_to(ROOT / "notebooks") for path in (ROOT / "notebooks").rglob("*.ipynb")}
    shipped = {path.relative_to(folder) for path in folder.rglob("*.ipynb")}
    assert shipped == source
    for relative in sorted(shipped):
        original = json.loads((ROOT / "notebooks" / relative).read_text(encoding="utf-8"))
        notebook = json.loads((folder / relative).read_text(encoding="utf-8"))
        assert notebook["metadata"]["kernelspec"] == build.KERNELSPEC, relative
        setup = [i for i, cell in enumerate(notebook["cells"]) if cell.get("id") == "jupyterlite-setup"]
        code = [i for i, cell in enumerate(original["cells"]) if cell["cell_type"] == "code"]
        if code:
            assert setup == [code[0]], f"{relative}: set-up cell at {setup}, first code cell at {code[0]}"
            assert "start_graphviz" in "".join(notebook["cells"][code[0]]["source"])
        else:
            assert setup == [], f"{relative} has no code, so it needs no set-up cell"
        assert len(notebook["cells"]) == len(original["cells"]) + len(setup)
