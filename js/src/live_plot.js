// The live plots of the training widgets (backprop_nb/widgets/live_plot.py): panels of curves
// and pictures that the kernel fills with numbers and the page repaints in place.
//
// The kernel computes (an epoch of training, an optimiser's path) and sends one "frame"
// message with what changed: points to append to curves, whole curves to replace, a picture
// grid as bytes. This module applies a frame, repaints once in the next animation frame, and
// answers {type: "painted", id}: the kernel trains the next epoch of a playing run only then,
// so Play goes as fast as the kernel and the page both can, and no epoch is skipped. A view
// that opens later asks for everything with {type: "hello"}.
import "uplot/dist/uPlot.min.css";
import "./lib/plot_live.css";
import { CurvesPanel } from "./lib/plot_curves.js";
import { FieldPanel } from "./lib/plot_field.js";

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "bpnb-live";
  root.dataset.frames = "0";
  el.appendChild(root);
  let panels = new Map();
  let pending = null;
  let painted = 0;

  function build() {
    for (const panel of panels.values()) panel.destroy();
    panels = new Map();
    for (const spec of model.get("panels")) {
      const size = { width: spec.width ?? 320, height: spec.height ?? 260 };
      const panel =
        spec.kind === "curves"
          ? new CurvesPanel(root, spec, size)
          : new FieldPanel(root, spec, size, (x, y) => model.send({ type: "click", panel: spec.id, x, y }));
      if (panel.setLog) panel.setLog(model.get("log_scale"));
      panels.set(spec.id, panel);
    }
  }

  function paint() {
    const ids = pending;
    pending = null;
    for (const panel of panels.values()) {
      try {
        panel.paint();
      } catch (error) {
        console.error("backprop_nb live plot: a panel failed to paint", error); // the others still do
      }
    }
    painted += 1;
    root.dataset.frames = String(painted);
    for (const id of ids) model.send({ type: "painted", id });
  }

  function schedule(id) {
    if (pending === null) {
      pending = [];
      requestAnimationFrame(paint);
    }
    if (id !== undefined) pending.push(id);
  }

  function onMessage(msg, buffers) {
    if (msg.type !== "frame") return;
    for (const update of msg.updates) {
      const panel = panels.get(update.panel);
      if (!panel) continue;
      if (update.op === "append") panel.append(update);
      else panel.replace(update, buffers);
    }
    schedule(msg.id);
  }

  function onLog() {
    for (const panel of panels.values()) if (panel.setLog) panel.setLog(model.get("log_scale"));
    schedule();
  }

  function onPanels() {
    build();
    schedule();
  }

  build();
  model.on("msg:custom", onMessage);
  model.on("change:log_scale", onLog);
  model.on("change:panels", onPanels);
  model.send({ type: "hello" });
  return () => {
    model.off("msg:custom", onMessage);
    model.off("change:log_scale", onLog);
    model.off("change:panels", onPanels);
    for (const panel of panels.values()) panel.destroy();
  };
}

export default { render };
