"""The notebooks as HTML pages that work offline: every picture inside the page, nothing from a CDN.

    backprop-nb html DIR                        # the whole series, as it is stored
    backprop-nb html DIR my.ipynb --execute     # your notebooks, run first

nbconvert's own HTML page loads three scripts from CDNs when it is opened: require.js, MathJax
(to typeset the math) and, for a notebook with widget state, the widget manager. Offline the math
stays raw TeX and widgets stay empty. The pages made here load none of them:

* the template ``backprop_nb/_html_template/offline`` is JupyterLab's page without those scripts;
* math is turned into MathML while the page is written, by the pure-Python ``latex2mathml``, and
  the browser draws MathML itself (no script at all; TeX it cannot convert stays as TeX);
* widgets are their still pictures (:func:`~backprop_nb.stills.widgets_as_stills`), and figures
  and graphs are PNG or SVG inside the page;
* links to another notebook of the series point to its page (``06_….ipynb`` → ``06_….html``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from .course import course_notebooks, course_source
from .stills import widgets_as_stills

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"

TEMPLATES = Path(__file__).resolve().parent / "_html_template"

_NOTEBOOK_LINK = re.compile(r"^(?![a-z][a-z0-9+.-]*:)([^#?]*)\.ipynb(?=$|[#?])", re.IGNORECASE)
"""A relative link to a notebook (no ``scheme:`` in front), up to its ``.ipynb``."""


def export_html(
    folder: str | Path,
    notebooks: Iterable[str | Path] | None = None,
    execute: bool = False,
    timeout: int = 600,
) -> list[Path]:
    """Write one offline HTML page per notebook into ``folder``; return the pages' paths.

    Args:
        folder: where the pages go (created if needed); ``name.ipynb`` becomes ``name.html``.
        notebooks: the notebooks to export; by default the course series (``solutions/`` too,
            into a ``solutions/`` subfolder).
        execute: run each notebook first (in this Python's ``python3`` kernel, in the notebook's
            folder) and export the fresh outputs; otherwise the stored outputs are used.
        timeout: with ``execute``, the seconds one cell may take.

    Raises:
        FileNotFoundError: a notebook that does not exist.
        ModuleNotFoundError: without nbconvert or latex2mathml (``pip install 'backprop_nb[html]'``).
    """
    exporter = _offline_exporter()
    destination = Path(folder).expanduser().resolve()
    if notebooks is None:
        source = course_source()
        pairs = [(source / relative, relative.with_suffix(".html")) for relative in course_notebooks()]
    else:
        pairs = [(Path(path), Path(Path(path).stem + ".html")) for path in notebooks]
    pages = []
    for notebook_path, page_name in pairs:
        if not notebook_path.is_file():
            raise FileNotFoundError(f"no notebook at {notebook_path}")
        notebook = nbformat.read(notebook_path, as_version=4)
        if execute:
            _execute(notebook, notebook_path.parent, timeout)
        widgets_as_stills(notebook)
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": notebook_path.stem}})
        page = destination / page_name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(body, encoding="utf-8")
        pages.append(page)
    return pages


def _execute(notebook: nbformat.NotebookNode, folder: Path, timeout: int) -> None:
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()


def _offline_exporter() -> Any:
    """An nbconvert HTMLExporter with the offline template, whose markdown math becomes MathML."""
    from jinja2 import pass_context
    from latex2mathml.converter import convert
    from nbconvert.exporters import HTMLExporter
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    def mathml(tex: str, display: str) -> str:
        try:  # an HTML page knows <math> without the XML namespace (nbconvert's heading anchors mangle it)
            return convert(tex.strip(), display=display).replace(f' xmlns="{MATHML_NAMESPACE}"', "", 1)
        except Exception:  # TeX that latex2mathml does not know stays readable as TeX
            return f"<code class='tex'>{html.escape(tex)}</code>"

    class MathMLRenderer(IPythonRenderer):
        """nbconvert's markdown renderer with math as MathML and notebook links to pages."""

        def inline_math(self, body: str) -> str:
            return mathml(body, "inline")

        def block_math(self, body: str) -> str:
            return mathml(body, "block")

        def latex_environment(self, name: str, body: str) -> str:
            return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")

        def link(self, text: str, url: str, title: str | None = None) -> str:
            return super().link(text, _NOTEBOOK_LINK.sub(r"\1.html", url), title)

    class OfflineHTMLExporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context: Any, source: str) -> str:
            cell = context.get("cell", {})
            renderer = MathMLRenderer(
                escape=False,
                attachments=cell.get("attachments", {}),
                embed_images=True,
                anchor_link_text=self.anchor_link_text,
                exclude_anchor_links=self.exclude_anchor_links,
            )
            return MarkdownWithMath(renderer=renderer).render(source)

    return OfflineHTMLExporter(
        template_name="offline", extra_template_basedirs=[str(TEMPLATES)], embed_images=True
    )
