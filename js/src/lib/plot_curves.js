// A curves panel: lines over a shared x axis (epochs, steps), drawn with uPlot on a canvas.
//
// The kernel sends the spec (title, axis labels, series styles) and the data as columns
// [x, y1, y2, ...] with null for a gap; new points are appended and the chart repainted in
// place. Series with an x of their own come as "xs" beside "ys" and are joined onto one x
// (uPlot.join): where a series has no point of its own its value is undefined, which uPlot
// always spans, while null stays a gap unless the series spans gaps. A series with "line": false
// is drawn as points only. Markers (a change of lr or optimiser) are dashed vertical lines with
// a label, drawn in uPlot's draw hook. A log scale is a different uPlot scale, so switching it
// rebuilds the chart.
import uPlot from "uplot";
import { FONT, INK, formatNumber } from "./plot_format.js";

/** A tick's label; uPlot passes null for the unlabelled ticks between the decades of a log axis. */
const tickLabel = (v) => (v == null ? "" : formatNumber(v));

const AXIS = { font: FONT, labelFont: `bold ${FONT}`, stroke: INK, grid: { stroke: "#e6e6e6", width: 1 } };

export class CurvesPanel {
  constructor(parent, spec, size) {
    this.spec = spec;
    this.size = size;
    this.data = [[], ...spec.series.map(() => [])];
    this.markers = [];
    this.log = false;
    this.root = document.createElement("div");
    this.root.className = "bpnb-panel bpnb-curves";
    parent.appendChild(this.root);
    this.build();
  }

  build() {
    if (this.chart) this.chart.destroy();
    const spec = this.spec;
    const log = this.log && spec.log_switch;
    const fixed = (range) => (range ? () => range : undefined);
    const opts = {
      title: spec.title,
      width: this.size.width,
      height: this.size.height,
      scales: {
        x: spec.logx
          ? { time: false, distr: 3, range: fixed(spec.x_range) ?? ((u, lo, hi) => uPlot.rangeLog(lo, hi, 10, true)) }
          : spec.x_min === undefined
            ? { time: false, range: fixed(spec.x_range) }
            : { time: false, range: (u, lo, hi) => [spec.x_min, Math.max(hi ?? 1, spec.x_min + (spec.x_span ?? 1))] },
        // a log axis shows at most 12 decades below the largest value (a path that reaches
        // 1e-97 would otherwise ask uPlot for a hundred decades of ticks)
        y: log
          ? { distr: 3, range: fixed(spec.y_range) ?? ((u, lo, hi) => uPlot.rangeLog(Math.max(lo, hi / 1e12), hi, 10, true)) }
          : { range: fixed(spec.y_range) },
      },
      axes: [
        { ...AXIS, label: spec.xlabel, values: (u, vals) => vals.map(tickLabel) },
        { ...AXIS, label: spec.ylabel + (log ? " (log)" : ""), size: spec.y_axis_size ?? 60, values: (u, vals) => vals.map(tickLabel) },
      ],
      series: [
        { label: spec.xlabel, value: (u, v) => (v == null ? "" : formatNumber(v)) },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 2,
          dash: s.dash ?? undefined,
          alpha: s.faded ? 0.35 : 1,
          spanGaps: s.span_gaps ?? true,
          ...(s.line === false ? { paths: () => null } : {}), // points only
          points: { show: s.points ?? false, size: s.line === false ? 8 : 5, fill: s.color },
          value: (u, v) => (v == null ? "–" : formatNumber(v)),
        })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [(u) => this.drawMarkers(u)] },
    };
    this.chart = new uPlot(opts, this.shown(), this.root);
  }

  /** The data as uPlot draws it: on a log scale, values <= 0 cannot be placed and become gaps
   * (undefined, no point of that series at this x, stays undefined). */
  shown() {
    if (!(this.log && this.spec.log_switch)) return this.data;
    return [this.data[0], ...this.data.slice(1).map((ys) => ys.map((v) => (v === undefined || v > 0 ? v : null)))];
  }

  replace(update) {
    if (!update.xs) this.data = [update.x, ...update.ys];
    else if (update.xs.length === 0) this.data = [[]];
    else this.data = uPlot.join(update.xs.map((x, i) => [x, update.ys[i]]));
    if (update.markers) this.markers = update.markers;
  }

  append(update) {
    this.data[0].push(...update.x);
    update.ys.forEach((ys, i) => this.data[i + 1].push(...ys));
    if (update.markers) this.markers.push(...update.markers);
  }

  setLog(log) {
    if (log === this.log) return;
    this.log = log;
    if (this.spec.log_switch) this.build();
  }

  paint() {
    this.chart.setData(this.shown());
    this.root.dataset.points = String(this.data[0].length); // for tests: every point drawn
  }

  drawMarkers(u) {
    if (!this.markers.length) return;
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    const ratio = uPlot.pxRatio;
    ctx.save();
    ctx.strokeStyle = "#666";
    ctx.fillStyle = INK;
    ctx.setLineDash([4 * ratio, 3 * ratio]);
    ctx.lineWidth = ratio;
    ctx.font = FONT.replace("13px", `${Math.round(11 * ratio)}px`);
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    this.markers.forEach((m, i) => {
      const x = u.valToPos(m.x, "x", true);
      if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillText(m.label, x + 3 * ratio, top + 3 * ratio + (i % 3) * 13 * ratio);
    });
    ctx.restore();
  }

  destroy() {
    this.chart.destroy();
    this.root.remove();
  }
}
