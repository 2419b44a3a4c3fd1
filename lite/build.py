"""Build the course as a JupyterLite site: JupyterLab and Python running in the browser, no server.

    python lite/build.py                 # -> lite/_output/, a static site (GitHub Pages, any web server)

Needs only Python 3.11+ and the package registries. What it does, in order:

1. makes a virtual environment for the build tools (``lite/.venv``) and installs the pinned
   versions in ``lite/requirements.txt`` (JupyterLite, its Pyodide kernel, the widgets' lab
   extensions); a second run reuses it;
2. builds backprop_nb's wheel from this checkout and downloads the pure-Python wheels of
   ``lite/kernel-wheels.txt``; the site serves them from its ``pypi/`` folder, where the
   kernel's ``%pip install`` (piplite) finds them;
3. runs ``jupyter lite build`` with ``lite/jupyter-lite.json`` and copies of the notebooks, each
   with a first code cell that installs backprop_nb in the browser (``SETUP_CELL``).

The site loads Pyodide (Python, numpy, matplotlib) from the jsDelivr CDN, as JupyterLite does by
default. ``--pyodide DIR`` serves a Pyodide distribution from the site instead (the tests use
it to run with no network). ``--requirements`` picks another set of build tools (the tests use
it for an older Pyodide); ``--venv`` puts their environment elsewhere.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import venv
from pathlib import Path

LITE = Path(__file__).resolve().parent
ROOT = LITE.parent


def main(argv: list[str] | None = None) -> Path:
    args = _parse(argv)
    python = build_tools(args.requirements, args.venv)
    with tempfile.TemporaryDirectory(prefix="backprop-nb-lite-") as tmp:
        lite_dir = site_settings(Path(tmp) / "lite", args.pyodide)
        wheels = kernel_wheels(python, Path(tmp) / "wheels")
        contents = notebooks(Path(tmp) / "contents")
        command = [python, "-m", "jupyter", "lite", "build", "--lite-dir", lite_dir,
                   "--output-dir", args.output_dir, "--no-sourcemaps", "--contents", contents]  # fmt: skip
        for wheel in wheels:
            command += ["--piplite-wheels", wheel]
        _run(command, cwd=tmp)  # in tmp: JupyterLite keeps its build database in the working folder
    print(f"JupyterLite site built in {args.output_dir}")
    return args.output_dir


def site_settings(lite_dir: Path, pyodide: Path | None) -> Path:
    """A JupyterLite folder with this folder's settings and, if given, a Pyodide to serve.

    JupyterLite serves a Pyodide found in ``static/pyodide/`` of that folder from the site and
    points the kernel at it (instead of the CDN). The folder is temporary, so that JupyterLite's
    build caches stay out of the repository.
    """
    lite_dir.mkdir(parents=True)
    shutil.copy2(LITE / "jupyter-lite.json", lite_dir)
    if pyodide is not None:
        shutil.copytree(pyodide, lite_dir / "static" / "pyodide")
    return lite_dir


def build_tools(requirements: Path, env_dir: Path) -> Path:
    """The Python of a virtual environment holding the pinned build tools."""
    python = env_dir / "bin" / "python"
    if not python.exists():
        venv.create(env_dir, with_pip=True, clear=True)
    _run([python, "-m", "pip", "install", "-q", "-r", requirements])
    return python


def kernel_wheels(python: Path, folder: Path) -> list[Path]:
    """backprop_nb's wheel from this checkout, and the pinned pure-Python wheels of kernel-wheels.txt.

    The wheel is built from a copy of what it is made of, since setuptools would otherwise reuse
    the checkout's ``build/`` folder, where files deleted from the package may linger.
    """
    source = folder.parent / "source"
    shutil.copytree(ROOT / "backprop_nb", source / "backprop_nb", ignore=shutil.ignore_patterns("*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source)
    _run([python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", folder, source])
    _run(
        [python, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--platform", "any",
         "--implementation", "py", "-d", folder, "-r", LITE / "kernel-wheels.txt"]
    )  # fmt: skip
    return sorted(folder.glob("*.whl"))


SETUP_CELL = """\
# JupyterLite: install backprop_nb into this browser's Python, then start Graphviz there (once)
%pip install -q backprop_nb
from backprop_nb.viz.browser_render import start_graphviz

print("Graphviz", await start_graphviz(), "is ready")"""
"""The cell the site's copy of each notebook gets before its first code cell: Python in the
browser starts with only Pyodide's own packages, and Graphviz for the browser loads asynchronously.
The notebooks in the repository do not have it; they run unchanged on Binder and in nbval."""


KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
"""JupyterLite's Pyodide kernel, so that a notebook opens on it without asking which kernel to use."""


def notebooks(folder: Path) -> Path:
    """The lecture notebooks and their solutions, laid out as in notebooks/, each set to the
    Pyodide kernel and, if it has code, with SETUP_CELL before its first code cell."""
    source = ROOT / "notebooks"
    for path in [*source.glob("*.ipynb"), *source.glob("solutions/*.ipynb")]:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        notebook["metadata"]["kernelspec"] = KERNELSPEC
        cells = notebook["cells"]
        first_code = next((i for i, cell in enumerate(cells) if cell["cell_type"] == "code"), None)
        if first_code is not None:  # a page with no code (the glossary) needs no set-up
            cells.insert(
                first_code, _setup_cell(with_id=(notebook["nbformat"], notebook["nbformat_minor"]) >= (4, 5))
            )
        target = folder / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def _setup_cell(with_id: bool) -> dict:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["jupyterlite-setup"]},
            "outputs": [], "source": SETUP_CELL.splitlines(keepends=True)}  # fmt: skip
    return {"id": "jupyterlite-setup", **cell} if with_id else cell


def _run(command: list[str | Path], cwd: str | Path | None = None) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=cwd, check=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=LITE / "_output", help="default: lite/_output")
    parser.add_argument("--pyodide", type=Path, help="a Pyodide distribution to serve from the site")
    parser.add_argument("--requirements", type=Path, default=LITE / "requirements.txt")
    parser.add_argument("--venv", type=Path, default=LITE / ".venv", help="default: lite/.venv")
    args = parser.parse_args(argv)
    args.output_dir = args.output_dir.resolve()
    if args.pyodide and not (args.pyodide / "pyodide-lock.json").is_file():
        parser.error(f"--pyodide {args.pyodide}: not a Pyodide distribution (no pyodide-lock.json)")
    return args


if __name__ == "__main__":
    main()
