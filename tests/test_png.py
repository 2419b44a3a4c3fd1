"""backprop_nb.viz.png: PNG pictures of graphs from graphviz-pure, and what happens when it fails."""

import stat
import struct
import sys
import xml.etree.ElementTree as ET

import _lecture_graphs as lecture_graphs
import pytest

import backprop_nb as bp
from backprop_nb.viz import png
from backprop_nb.viz import render as r

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GRAPH = 'digraph G { node [shape=record]; a [label="{ a | grad 0.5 }"]; b; a -> b [label="2"]; }'

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the stand-in programs are shell scripts")


def size_px(picture: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (the IHDR chunk right after the signature)."""
    assert picture.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", picture[16:24])


def lecture_dot() -> str:
    *_, f = lecture_graphs.lecture_f()
    f.backward()
    return bp.to_dot(f, edge_grads=True)


def stand_in(tmp_path, monkeypatch, script: str) -> None:
    """Make graph_png run the shell ``script`` instead of graphviz-pure."""
    program = tmp_path / "graphviz-pure"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(png, "_program", lambda: str(program))


def test_the_png_is_the_svgs_picture_at_96_dpi():
    source = lecture_dot()
    with r.use_renderer("wasm"):  # Graphviz 16.1, the version graphviz-pure ports: the same layout
        svg = ET.fromstring(r.render_svg(source))
    width_pt, height_pt = (float(svg.get(side).removesuffix("pt")) for side in ("width", "height"))
    width, height = size_px(png.graph_png(source))
    assert width == pytest.approx(width_pt * 4 / 3, abs=2)
    assert height == pytest.approx(height_pt * 4 / 3, abs=2)


def test_the_same_graph_gives_the_same_bytes():
    source = lecture_dot()
    assert png.graph_png(source) == png.graph_png(source)
    assert png.graph_png(source) != png.graph_png(GRAPH)


def test_a_drawing_bigger_than_the_limit_is_scaled_down_to_fit():
    x = bp.tensor(1.0, requires_grad=True, name="x")
    for _ in range(60):  # a chain from left to right: 10,000 pixels wide at full size
        x = x * 1.01
    width, height = size_px(png.graph_png(bp.to_dot(x)))
    assert png.PNG_MAX_PX * 0.95 <= width <= png.PNG_MAX_PX
    assert 10 < height < png.PNG_MAX_PX


def test_no_png_from_dot_text_it_rejects_or_without_the_program(monkeypatch):
    assert png.graph_png("digraph G { a -> ; }") is None
    monkeypatch.setattr(png, "_program", lambda: None)  # as under Pyodide, where it cannot be installed
    assert png.graph_png(GRAPH) is None


@posix_only
@pytest.mark.parametrize(
    ("script", "timeout"),
    [
        ("kill -SEGV $$", png.PNG_TIMEOUT),  # it crashes
        ("sleep 5", 0.2),  # it hangs, and is stopped
        ("echo 'not a png'", png.PNG_TIMEOUT),  # it prints something else and says all is well
    ],
)
def test_a_failing_png_program_gives_no_png_and_never_harms_the_svg_renderer(
    tmp_path, monkeypatch, script, timeout
):
    with r.use_renderer("wasm"):
        svg_before = r.render_svg(GRAPH)
        renderer = r._wasm_graphviz()
        stand_in(tmp_path, monkeypatch, script)
        monkeypatch.setattr(png, "PNG_TIMEOUT", timeout)
        assert png.graph_png(GRAPH) is None
        bundle, metadata = bp.show_graph(lecture_graphs.lecture_f()[-1])._repr_mimebundle_()
        assert r.render_svg(GRAPH) == svg_before
        assert r._wasm_graphviz() is renderer
    assert set(bundle) == {"image/svg+xml", "text/plain"}  # the SVG alone, as without a PNG
    assert metadata == {}


def test_graphviz_pure_is_found_beside_this_python():
    program = png._program()
    assert program is not None and "graphviz-pure" in program
