"""Where the widgets' browser code lives.

The graph view and the live plots are drawn in the page by small ES modules (``anywidget``'s
``_esm``). Their sources are in the repository's ``js/src/``; ``js/build.mjs`` bundles each with
the npm packages it uses (pinned by ``js/package-lock.json``) into ``backprop_nb/widgets/static/``,
which ships inside the Python package together with the licences of what it bundles. So
``pip install`` never needs ``node``, and nothing is fetched from a CDN at run time (the same files
serve JupyterLite, where there is no server to fetch from).
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "widgets" / "static"
"""The folder of built bundles: ``<name>.js``, maybe ``<name>.css``, and ``<name>.LICENSES.txt``."""


def bundle(name: str) -> Path:
    """The built ES module ``static/<name>.js`` (built from ``js/src/<name>.js``)."""
    path = STATIC / f"{name}.js"
    if not path.is_file():
        raise FileNotFoundError(
            f"the browser bundle {path.name} is missing from {STATIC}: rebuild it with "
            "`npm ci && node build.mjs` in the repository's js/ folder"
        )
    return path


def stylesheet(name: str) -> str:
    """The CSS built beside ``static/<name>.js``, or ``""`` when that module imports none."""
    path = STATIC / f"{name}.css"
    return path.read_text(encoding="utf-8") if path.is_file() else ""
