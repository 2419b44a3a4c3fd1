"""A real JupyterLab (or Notebook 7, or Voilà) in headless Chromium, for the browser tests and
benchmarks (after shared/recipes/jlab_widget_smoke.py).

:func:`jupyter_lab` starts ``jupyter lab`` (``ui="notebook"``: ``jupyter notebook``, ``ui="voila"``:
``voila`` serving the first notebook) from this Python (the venv that runs pytest) on
127.0.0.1, a free port and a random token, with every Jupyter directory isolated in a temporary
dir, and a kernelspec there whose kernel is this same Python, so the notebook imports the
``backprop_nb`` that is being tested. On exit it shuts the server down (kernels included) and
removes the temporary dir, also after a failure. It only ever stops the process it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root
    "--disable-gpu",
    "--disable-background-networking",  # no network here: avoid connection storms
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
KERNEL_NAME = "backprop-nb-test"
SETTLE_S = 1.5
"""Measured in the recipe: Run All right after the kernel first reports idle can be a silent no-op."""


def chromium_path() -> str | None:
    """Debian's chromium (or $CHROMIUM); never a downloaded browser."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


@contextlib.contextmanager
def headless_chromium() -> Iterator[Any]:
    """Chromium driven by playwright (the ``browser`` fixture of tests/conftest.py); the test is
    skipped, saying what is missing, without the playwright package or Chromium."""
    import pytest

    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python package is not installed"
    )
    chromium = chromium_path()
    if chromium is None:
        pytest.skip("no Chromium: apt-get install chromium, or set CHROMIUM=/path/to/chromium")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def closing_page(page: Any, folder: Path, server_log: Path | None = None) -> Iterator[Any]:
    """Close ``page`` after the block; if the block fails, first save a full-page screenshot
    ``failure.png`` in ``folder`` and print the end of the server's log."""
    try:
        yield page
    except Exception:
        page.screenshot(path=str(folder / "failure.png"), full_page=True)
        log = server_log.read_text()[-3000:] if server_log is not None else "(none)"
        print(f"screenshots in {folder}; server log:\n{log}")
        raise
    finally:
        page.close()


UIS = ("lab", "notebook", "voila")


@dataclass
class Lab:
    base: str
    token: str
    root: Path
    log: Path
    ui: str = "lab"

    def url(self, notebook: str) -> str:
        if self.ui == "voila":  # Voilà serves the notebook it was started with, run on page load
            return f"{self.base}/?token={self.token}"
        if self.ui == "notebook":
            return f"{self.base}/notebooks/{notebook}?token={self.token}"
        return f"{self.base}/lab/tree/{notebook}?reset&token={self.token}"  # reset: no restored tabs


@contextlib.contextmanager
def jupyter_lab(notebooks: list[Path], start_timeout: float = 60, ui: str = "lab") -> Iterator[Lab]:
    """Serve copies of ``notebooks`` (their kernel set to this Python) from a fresh JupyterLab
    (``ui="notebook"``: Notebook 7; ``ui="voila"``: Voilà, serving the first notebook)."""
    if ui not in UIS:
        raise ValueError(f"ui must be one of {UIS}, not {ui!r}")
    tmp = Path(tempfile.mkdtemp(prefix="bp-browser-"))
    try:
        root = tmp / "root"
        root.mkdir()
        for notebook in notebooks:
            _copy_with_kernel(notebook, root / notebook.name)
        env = _isolated_env(tmp)
        port, token = _free_port(), secrets.token_hex(16)
        log = tmp / "server.log"
        with open(log, "w") as log_file:
            proc = _start(root, port, token, env, log_file, ui, notebooks[0].name)
            lab = Lab(f"http://127.0.0.1:{port}", token, root, log, ui)
            try:
                # Voilà runs the notebook on every page request and has no /api/status: wait for the port
                status = None if ui == "voila" else f"{lab.base}/api/status?token={token}"
                _wait_until_up(status, port, start_timeout, proc, log)
                yield lab
            finally:
                _stop(proc, lab)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _copy_with_kernel(source: Path, target: Path) -> None:
    notebook = json.loads(source.read_text())
    notebook["metadata"]["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": KERNEL_NAME,
        "language": "python",
    }
    target.write_text(json.dumps(notebook))


def _isolated_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "cfg"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "mpl"),
    ]:
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / sub)
    kernel = tmp / "data" / "kernels" / KERNEL_NAME
    kernel.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_NAME,
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec))
    news = tmp / "lab-settings" / "@jupyterlab" / "apputils-extension"  # JupyterLab 4 asks to fetch news
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(
    root: Path, port: int, token: str, env: dict[str, str], log, ui: str, notebook: str
) -> subprocess.Popen:
    server = [
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={root}",
    ]
    if ui == "lab":
        command = [sys.executable, "-m", "jupyter", "lab", *server]
        command.append("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    elif ui == "notebook":
        command = [sys.executable, "-m", "jupyter", "notebook", *server]
    else:
        command = [sys.executable, "-m", "voila", str(root / notebook), "--no-browser", f"--port={port}"]
        command += ["--Voila.ip=127.0.0.1", f"--token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and ui != "voila":
        command.append("--allow-root")  # jupyter_server refuses to run as root without it
    return subprocess.Popen(
        command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_until_up(url: str | None, port: int, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    """Until ``url`` answers 200 (or, without a url, until ``port`` accepts connections)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if url is None:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                return
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"jupyter lab did not answer within {timeout} s:\n{log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen, lab: Lab) -> None:
    """POST /api/shutdown (stops the kernels too; Voilà has no such call, its kernel ends with it),
    then SIGTERM, SIGKILL to our server's process group if it is still running."""
    if lab.ui != "voila":
        request = urllib.request.Request(
            f"{lab.base}/api/shutdown", method="POST", headers={"Authorization": f"token {lab.token}"}
        )
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            urllib.request.urlopen(request, timeout=5).close()
            proc.wait(timeout=20)
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)  # the group of the server we started (start_new_session)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ----- driving the page ---------------------------------------------------------------------------
def open_and_run_all(page, lab: Lab, notebook: str, timeout_ms: int = 60_000) -> None:
    """Open ``notebook``, wait for its kernel, and Run > Run All Cells (retried, see SETTLE_S).

    Voilà runs the notebook itself when the page loads.
    """
    page.goto(lab.url(notebook))
    if lab.ui == "voila":
        return
    page.wait_for_selector(".jp-NotebookPanel", timeout=timeout_ms)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=timeout_ms)
    run_all_cells(page)


def run_all_cells(page) -> None:
    """Run > Run All Cells in the open notebook (JupyterLab, Notebook 7 or JupyterLite), retried
    until a prompt shows ``[*]`` or a number: right after the kernel first reports idle the
    command can be silently ignored (see SETTLE_S)."""
    started = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    time.sleep(SETTLE_S)
    for _ in range(5):
        page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").first.click()  # a markdown cell's is hidden
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        item = page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]')
        item.wait_for()
        if "lm-mod-disabled" in (item.get_attribute("class") or ""):
            page.keyboard.press("Escape")
            time.sleep(0.5)
            continue
        item.click()
        try:
            page.wait_for_function(started, timeout=5_000)
            return
        except Exception:  # playwright's TimeoutError: the click was ignored, try again
            continue
    raise RuntimeError("Run All Cells never started")


SVG_TEXTS_JS = """(scope) => {
  const area = document.querySelector(scope);
  return area ? [...area.querySelectorAll('svg text')].map(t => t.textContent) : [];
}"""


def svg_texts(page, scope: str) -> list[str]:
    """The text of every <text> element of the inline SVG inside the element ``scope``."""
    return page.evaluate(SVG_TEXTS_JS, scope)


def wait_svg_text(page, scope: str, text: str, timeout_ms: int = 20_000) -> None:
    """Wait until the inline SVG inside ``scope`` has a <text> element that reads ``text``."""
    page.wait_for_function(
        f"([scope, text]) => ({SVG_TEXTS_JS})(scope).includes(text)", arg=[scope, text], timeout=timeout_ms
    )
