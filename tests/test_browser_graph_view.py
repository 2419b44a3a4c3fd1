"""The graph view's ES module alone in a blank page of headless Chromium, without Jupyter: a
stand-in for the widget's model hands it a drawing, as GraphCanvas would (a few seconds).

What only a browser can show: the page sets the texts it is sent, and two fingers pinch-zoom.
"""

import json

import pytest
from _lecture_graphs import lecture_function

import backprop_nb as bp
from backprop_nb._frontend import bundle
from backprop_nb.viz.dot import live_drawing

pytestmark = pytest.mark.browser

MOUNT_JS = """async ([esm, layout, looks]) => {
  const url = URL.createObjectURL(new Blob([esm], {type: 'text/javascript'}));
  const view = (await import(url)).default;
  const state = {layout_dot: layout, looks: new DataView(new TextEncoder().encode(looks).buffer)};
  const listeners = [];
  window.sendLooks = (looks) => {  // what a new message from the kernel does
    state.looks = new DataView(new TextEncoder().encode(looks).buffer);
    listeners.forEach((listener) => listener());
  };
  const model = {get: (name) => state[name], on: (_, listener) => listeners.push(listener), off() {}};
  view.render({model, el: document.getElementById('host')});
}"""
SCALE_JS = "() => Number(document.querySelector('.bp-graph-view').dataset.scale)"


def looks_json(drawing):
    return json.dumps({"nodes": drawing.nodes, "edges": drawing.edges, "caption": ""})


def lecture_drawing(x=-2.0):
    x, y, z = (bp.tensor(v, requires_grad=True, name=n) for n, v in [("x", x), ("y", 5.0), ("z", -4.0)])
    f = lecture_function(x, y, z)
    f.backward()
    return live_drawing(f, edge_grads=True)


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 800, "height": 600}, has_touch=True)
    page.set_content("<div id='host' style='width: 600px'></div>")
    drawing = lecture_drawing()
    page.evaluate(MOUNT_JS, [bundle("graph_view").read_text(), drawing.layout, looks_json(drawing)])
    page.wait_for_selector("#host svg text")
    yield page
    page.close()


def node_texts(page, node):
    return page.evaluate(
        f"() => [...document.querySelectorAll('g[data-node=\"{node}\"] text')].map(t => t.textContent)"
    )


def test_the_page_shows_the_texts_it_is_sent_in_place(page):
    assert node_texts(page, "n0") == ["x = -2", "grad -4"]
    boxes = page.evaluate("() => [...document.querySelectorAll('g.node')].map(g => g.getBBox().x)")
    page.evaluate("(looks) => window.sendLooks(looks)", looks_json(lecture_drawing(x=1.5)))
    assert node_texts(page, "n0") == ["x = 1.5", "grad -4"]
    assert node_texts(page, "n4")[1] == "f = -26"
    assert page.evaluate("() => [...document.querySelectorAll('g.node')].map(g => g.getBBox().x)") == boxes


def test_two_fingers_pinch_zoom_around_the_point_between_them(page):
    before = page.evaluate(SCALE_JS)
    touch = page.context.new_cdp_session(page)
    box = page.locator(".bp-graph-viewport").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def fingers(kind, apart=0):
        points = [{"x": x - apart / 2, "y": y, "id": 0}, {"x": x + apart / 2, "y": y, "id": 1}]
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points if apart else []})

    fingers("touchStart", 40)
    fingers("touchMove", 60)
    fingers("touchMove", 80)  # twice as far apart: twice the scale
    fingers("touchEnd")
    assert page.evaluate(SCALE_JS) == pytest.approx(2 * before, abs=1e-3)
    fingers("touchStart", 80)
    fingers("touchMove", 40)
    fingers("touchEnd")
    assert page.evaluate(SCALE_JS) == pytest.approx(before, abs=1e-3)
