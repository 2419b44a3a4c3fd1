// The live graph view of backprop_nb's widgets (anywidget front-end of widgets/graph_canvas.py).
//
// The kernel sends two things (see backprop_nb.viz.dot.LiveDrawing and widgets/graph_canvas.py):
//   layout_dot  the graph with every number written as a fixed-width slot: laid out here once,
//               with Graphviz compiled to WebAssembly (@viz-js/viz), and again only when it changes
//               (then nodes glide from their old places to the new ones);
//   looks       UTF-8 JSON (a binary buffer): `nodes`, node id -> its texts (in the order of the
//               SVG's <text>s), colours and hover tip; `edges`, per arrow its tail, head and texts;
//               and the `caption` under the graph.
// A slider step changes only `looks`: the texts and colours are set in place, so no box moves.
// The view fits the width of its output area (down to a readable scale, then it scrolls);
// Ctrl/⌘ + wheel or a pinch zooms, dragging pans, the buttons fit, zoom and show 1:1.
//
// renderDot(dot) is exported for other pages (a JupyterLite kernel can reuse this bundle).
import { instance } from "@viz-js/viz";

const READABLE_SCALE = 0.5; // fit never shrinks below this: smaller text is unreadable, scroll instead
const PX_PER_PT = 4 / 3; // Graphviz sizes its SVG in points
const GLIDE_MS = 350; // the transition when the layout changes
const SHAPES = "polygon, polyline, path, ellipse";
const UTF8 = new TextDecoder();

const SHARED = "__backprop_nb_viz__"; // every widget loads its own copy of this module: share one Graphviz

/** The Graphviz instance, loaded (its WebAssembly compiled) once per page. */
export function viz() {
  globalThis[SHARED] ??= instance();
  return globalThis[SHARED];
}

/** SVG text of a DOT graph, drawn in this page. */
export async function renderDot(dot) {
  return (await viz()).renderString(dot, { format: "svg", engine: "dot" });
}

const STYLE = `
.bp-graph-view { position: relative; max-width: 100%; font-family: sans-serif; }
.bp-graph-tools { display: flex; gap: 4px; margin: 2px 0; }
.bp-graph-tools button { font-size: 12px; padding: 0 8px; min-width: 28px; cursor: pointer; }
.bp-graph-viewport { overflow: auto; max-height: 80vh; cursor: grab; touch-action: none; }
.bp-graph-viewport.bp-dragging { cursor: grabbing; user-select: none; }
.bp-graph-viewport svg { display: block; }
.bp-graph-tip { position: absolute; z-index: 10; pointer-events: none; white-space: pre;
  background: #FFFFF0; border: 1px solid #999; padding: 3px 6px; font: 12px monospace; }
.bp-graph-caption { font-size: 12px; color: #555; }
.bp-graph-error { color: #B00020; }
`;

function element(tag, className, parent) {
  const node = document.createElement(tag);
  node.className = className;
  parent?.appendChild(node);
  return node;
}

/** The parts of a node of Graphviz's SVG that an update touches. */
function nodeParts(g) {
  const shapes = [...g.querySelectorAll(SHAPES)];
  return {
    g,
    texts: [...g.querySelectorAll("text")],
    shapes,
    fills: shapes.filter((s) => s.getAttribute("fill") !== "none"),
    look: null,
  };
}

function setAttr(node, name, value) {
  if (value !== undefined && node.getAttribute(name) !== value) node.setAttribute(name, value);
}

function setTexts(texts, lines) {
  texts.forEach((text, i) => {
    const line = lines[i] ?? "";
    if (text.textContent !== line) text.textContent = line;
  });
}

class GraphView {
  constructor(model, el) {
    this.model = model;
    this.root = element("div", "bp-graph-view", el);
    element("style", "", this.root).textContent = STYLE;
    const tools = element("div", "bp-graph-tools", this.root);
    this.viewport = element("div", "bp-graph-viewport", this.root);
    this.caption = element("div", "bp-graph-caption", this.root);
    this.tip = element("div", "bp-graph-tip", this.root);
    this.tip.hidden = true;
    const button = (text, title, action) => {
      const b = element("button", "bp-graph-" + title.split(" ")[0], tools);
      b.textContent = text;
      b.title = title;
      b.addEventListener("click", action);
    };
    button("fit", "fit the width of the page", () => this.zoomTo("fit"));
    button("−", "zoom out", () => this.zoomTo(this.scale / 1.25));
    button("+", "zoom in", () => this.zoomTo(this.scale * 1.25));
    button("1:1", "full size", () => this.zoomTo(1));
    this.svg = null;
    this.shownLayout = null;
    this.mode = "fit"; // "fit" or a fixed scale
    this.scale = 1;
    this.nodes = new Map(); // node id -> its parts (nodeParts)
    this.nodeOfGroup = new Map(); // <g> -> the same parts, for hovering
    this.edges = new Map(); // "tail->head" -> its arrows' parts, in the SVG's order
    this.listen();
  }

  // ----- from the kernel ----------------------------------------------------------------------
  async sync() {
    if (this.syncing) {
      this.again = true; // one more pass once the current one is done, with the newest state
      return;
    }
    this.syncing = true;
    try {
      do {
        this.again = false;
        const layout = this.model.get("layout_dot");
        if (layout !== this.shownLayout) this.relayout(await viz(), layout);
        const start = performance.now();
        const looks = JSON.parse(UTF8.decode(this.model.get("looks")) || "{}");
        this.apply(looks.nodes ?? {}, looks.edges ?? []);
        this.caption.textContent = looks.caption ?? "";
        performance.measure("bp-graph-update", { start }); // read by benchmarks/bench_browser_graph.py
      } while (this.again);
    } catch (error) {
      this.viewport.replaceChildren(element("div", "bp-graph-error"));
      this.viewport.firstChild.textContent = `The graph could not be drawn: ${error}`;
      this.svg = null;
      this.shownLayout = null;
    } finally {
      this.syncing = false;
    }
  }

  /** Draw a new layout; nodes that were already shown glide from their old places. */
  relayout(graphviz, layout) {
    const before = this.positions();
    const svg = graphviz.renderSVGElement(layout, { engine: "dot" });
    this.natural = { width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height };
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.querySelector("g.graph > title")?.remove(); // "G": not a tooltip worth showing
    this.viewport.replaceChildren(svg);
    this.svg = svg;
    this.shownLayout = layout;
    this.nodes = new Map();
    this.nodeOfGroup = new Map();
    for (const g of svg.querySelectorAll("g.node")) {
      const title = g.querySelector("title");
      this.nodes.set(title.textContent, nodeParts(g));
      this.nodeOfGroup.set(g, this.nodes.get(title.textContent));
      g.dataset.node = title.textContent; // n0, n1, …: the node ids of to_dot
      title.remove(); // the hover tip replaces the browser's own tooltip
    }
    this.edges = new Map();
    for (const g of svg.querySelectorAll("g.edge")) {
      const title = g.querySelector("title");
      const key = title.textContent;
      g.dataset.edge = key;
      title.remove();
      if (!this.edges.has(key)) this.edges.set(key, []);
      this.edges.get(key).push({ texts: [...g.querySelectorAll("text")], g });
    }
    this.zoomTo(this.mode);
    if (before.size) this.glide(before);
  }

  /** Where each node is now, in screen pixels from the SVG's corner. */
  positions() {
    const where = new Map();
    if (!this.svg) return where;
    const origin = this.svg.getBoundingClientRect();
    for (const [id, node] of this.nodes) {
      const box = node.g.getBoundingClientRect();
      where.set(id, { x: box.x + box.width / 2 - origin.x, y: box.y + box.height / 2 - origin.y });
    }
    return where;
  }

  glide(before) {
    const after = this.positions();
    const units = this.scale * PX_PER_PT; // screen pixels per SVG unit
    const moved = [];
    for (const [id, node] of this.nodes) {
      const old = before.get(id);
      const now = after.get(id);
      if (old) {
        node.g.style.transform = `translate(${(old.x - now.x) / units}px, ${(old.y - now.y) / units}px)`;
      } else {
        node.g.style.opacity = "0";
      }
      moved.push(node.g);
    }
    for (const list of this.edges.values()) {
      for (const edge of list) {
        edge.g.style.opacity = "0";
        moved.push(edge.g);
      }
    }
    this.svg.getBoundingClientRect(); // apply the start positions before the transition begins
    for (const g of moved) {
      g.style.transition = `transform ${GLIDE_MS}ms ease-in-out, opacity ${GLIDE_MS}ms ease-in`;
      g.style.transform = "";
      g.style.opacity = "";
    }
  }

  /** Set each node's and arrow's texts and colours in place. */
  apply(nodes, edges) {
    for (const [id, look] of Object.entries(nodes)) {
      const node = this.nodes.get(id);
      if (!node) continue;
      node.look = look;
      setTexts(node.texts, look.texts);
      for (const text of node.texts) setAttr(text, "fill", look.fontcolor);
      for (const shape of node.fills) setAttr(shape, "fill", look.fillcolor);
      for (const shape of node.shapes) {
        setAttr(shape, "stroke", look.color);
        setAttr(shape, "stroke-width", look.penwidth);
      }
    }
    const seen = new Map();
    for (const look of edges) {
      const key = `${look.tail}->${look.head}`;
      const index = seen.get(key) ?? 0;
      seen.set(key, index + 1);
      const edge = this.edges.get(key)?.[index];
      if (edge) setTexts(edge.texts, look.texts);
    }
  }

  // ----- fit, zoom, pan, hover ------------------------------------------------------------------
  fitScale() {
    const room = this.viewport.clientWidth || this.root.clientWidth;
    const width = this.natural.width * PX_PER_PT;
    return Math.min(1, Math.max(READABLE_SCALE, room / width));
  }

  /** "fit" (follow the page's width) or a scale (1 = Graphviz's own size). */
  zoomTo(mode, around = null) {
    if (!this.svg) return;
    this.mode = mode === "fit" ? "fit" : Math.min(4, Math.max(0.1, mode));
    const scale = this.mode === "fit" ? this.fitScale() : this.mode;
    const v = this.viewport;
    const anchor = around ?? { x: v.clientWidth / 2, y: v.clientHeight / 2 };
    const ratio = scale / this.scale;
    const left = (v.scrollLeft + anchor.x) * ratio - anchor.x;
    const top = (v.scrollTop + anchor.y) * ratio - anchor.y;
    this.scale = scale;
    this.svg.setAttribute("width", `${this.natural.width * PX_PER_PT * scale}px`);
    this.svg.setAttribute("height", `${this.natural.height * PX_PER_PT * scale}px`);
    v.scrollLeft = left;
    v.scrollTop = top;
    this.root.dataset.scale = scale.toFixed(4);
  }

  listen() {
    const v = this.viewport;
    this.resize = new ResizeObserver(() => this.mode === "fit" && this.zoomTo("fit"));
    this.resize.observe(this.root);
    v.addEventListener(
      "wheel",
      (event) => {
        if (!(event.ctrlKey || event.metaKey)) return; // a plain wheel scrolls the notebook
        event.preventDefault();
        const box = v.getBoundingClientRect();
        const around = { x: event.clientX - box.left, y: event.clientY - box.top };
        this.zoomTo(this.scale * Math.exp(-event.deltaY / 300), around);
      },
      { passive: false },
    );
    // One pointer (a mouse, a finger) drags the view; two fingers pinch it: the scale follows
    // their distance, around the point between them.
    const pointers = new Map(); // pointer id -> where it is, while pressed on the view
    let drag = null;
    let pinch = null;
    const fingers = () => {
      const [a, b] = pointers.values();
      const box = v.getBoundingClientRect();
      const around = { x: (a.x + b.x) / 2 - box.left, y: (a.y + b.y) / 2 - box.top };
      return { distance: Math.hypot(a.x - b.x, a.y - b.y), around };
    };
    v.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      v.setPointerCapture(event.pointerId);
      if (pointers.size === 1) {
        drag = { x: event.clientX, y: event.clientY, left: v.scrollLeft, top: v.scrollTop };
        v.classList.add("bp-dragging");
      } else if (pointers.size === 2) {
        drag = null;
        pinch = { scale: this.scale, distance: fingers().distance };
      }
    });
    v.addEventListener("pointermove", (event) => {
      if (!pointers.has(event.pointerId)) {
        this.hover(event);
        return;
      }
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pinch) {
        const now = fingers();
        if (pinch.distance > 0) this.zoomTo((pinch.scale * now.distance) / pinch.distance, now.around);
      } else if (drag) {
        v.scrollLeft = drag.left - (event.clientX - drag.x);
        v.scrollTop = drag.top - (event.clientY - drag.y);
      }
    });
    const lift = (event) => {
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
      if (pointers.size === 0) {
        drag = null;
        v.classList.remove("bp-dragging");
      }
    };
    v.addEventListener("pointerup", lift);
    v.addEventListener("pointercancel", lift);
    v.addEventListener("pointerleave", () => (this.tip.hidden = true));
  }

  /** Under the pointer, a box's value and gradient to full precision. */
  hover(event) {
    const g = event.target.closest?.("g.node");
    const tip = g && this.nodeOfGroup.get(g)?.look?.tip;
    if (!tip) {
      this.tip.hidden = true;
      return;
    }
    const box = this.root.getBoundingClientRect();
    this.tip.textContent = tip;
    this.tip.style.left = `${event.clientX - box.left + 12}px`;
    this.tip.style.top = `${event.clientY - box.top + 12}px`;
    this.tip.hidden = false;
  }

  destroy() {
    this.resize.disconnect();
  }
}

function render({ model, el }) {
  const view = new GraphView(model, el);
  const sync = () => view.sync();
  model.on("change", sync); // once per message from the kernel, after all its traits are set
  sync();
  return () => {
    model.off("change", sync);
    view.destroy();
  };
}

export default { render };
