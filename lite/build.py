"""Build the course as a JupyterLite site: JupyterLab and Python running in the browser, no server.

    python lite/build.py                 # -> lite/_output/, a static site (GitHub Pages, any web server)

Needs only Python 3.11+ and the package registries. What it does, in order:

1. makes a virtual environment for the build tools (``lite/.venv``) and installs the pinned
   versions in ``lite/requirements.txt`` (JupyterLite, its Pyodide kernel, the widgets' lab
   extensions); a second run reuses it;
2. builds backprop_nb's wheel from this checkout and downloads the pure-Python wheels of
   ``lite/kernel-wheels.txt``; the site serves them from its ``pypi/`` folder, where the
   kernel's ``%pip install`` (piplite) finds them;
3. runs ``jupyter lite build`` with ``lite/jupyter-lite.json`` and the notebooks as contents.

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
        wheels = kernel_wheels(python, Path(tmp) / "wheels")
        contents = notebooks(Path(tmp) / "contents")
        _run(
            [python, "-m", "jupyter", "lite", "build", "--lite-dir", str(LITE), "--output-dir", str(args.output_dir),
             "--no-sourcemaps", "--contents", str(contents), *(arg for wheel in wheels for arg in ("--piplite-wheels", str(wheel)))],
            cwd=tmp,
        )  # fmt: skip
    if args.pyodide:
        serve_pyodide(args.pyodide, args.output_dir)
    print(f"JupyterLite site built in {args.output_dir}")
    return args.output_dir


def build_tools(requirements: Path, env_dir: Path) -> Path:
    """The Python of a virtual environment holding the pinned build tools."""
    python = env_dir / "bin" / "python"
    if not python.exists():
        venv.create(env_dir, with_pip=True, clear=True)
    _run([python, "-m", "pip", "install", "-q", "-r", str(requirements)])
    return python


def kernel_wheels(python: Path, folder: Path) -> list[Path]:
    """backprop_nb's wheel from this checkout, and the pinned pure-Python wheels of kernel-wheels.txt."""
    _run([python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT)])
    _run(
        [python, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "--platform", "any",
         "--implementation", "py", "-d", str(folder), "-r", str(LITE / "kernel-wheels.txt")]
    )  # fmt: skip
    return sorted(folder.glob("*.whl"))


def notebooks(folder: Path) -> Path:
    """The lecture notebooks and their solutions, laid out as in the repository's notebooks/."""
    source = ROOT / "notebooks"
    for notebook in [*source.glob("*.ipynb"), *source.glob("solutions/*.ipynb")]:
        target = folder / notebook.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(notebook, target)
    return folder


def serve_pyodide(distribution: Path, site: Path) -> None:
    """Copy a Pyodide distribution into ``site/static/pyodide/`` and point the kernel at it."""
    target = site / "static" / "pyodide"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(distribution, target)
    entry = next(name for name in ("pyodide.mjs", "pyodide.js") if (target / name).exists())
    config_path = site / "jupyter-lite.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    plugins = config["jupyter-config-data"].setdefault("litePluginSettings", {})
    kernel = plugins.setdefault("@jupyterlite/pyodide-kernel-extension:kernel", {})
    kernel["pyodideUrl"] = f"./static/pyodide/{entry}"
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")


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
