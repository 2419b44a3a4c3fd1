// A field panel: a picture over a plane, drawn on a canvas by hand (uPlot draws lines, not
// pictures). Layers, bottom to top:
//   * a grid of values from the kernel (one byte per cell, sent as a binary buffer):
//     "classes" colours each cell by its class (the decision boundary); "surface" shades a loss
//     surface by rank and draws contour lines at evenly spaced ranks (marching squares);
//   * points (a data set: colour and shape by class);
//   * paths (optimiser paths: lines through their points, an ✕ where one diverged) and a ★ start.
// A click on a "clickable" panel reports the point in data coordinates to the kernel.
import { FONT, INK, formatNumber, niceTicks } from "./plot_format.js";

const MARGIN = { left: 52, right: 10, top: 26, bottom: 40 };
const SHAPES = ["circle", "square", "triangle", "diamond"];

export class FieldPanel {
  constructor(parent, spec, size, onClick) {
    this.spec = spec;
    this.field = null;
    this.root = document.createElement("div");
    this.root.className = "bpnb-panel bpnb-field";
    this.canvas = document.createElement("canvas");
    this.legend = document.createElement("div");
    this.legend.className = "bpnb-legend";
    this.root.append(this.canvas, this.legend);
    parent.appendChild(this.root);
    this.resize(size);
    if (spec.clickable) {
      this.canvas.style.cursor = "crosshair";
      this.canvas.addEventListener("click", (event) => {
        if (!this.field) return;
        const box = this.canvas.getBoundingClientRect();
        const [x, y] = this.toData(event.clientX - box.left, event.clientY - box.top);
        onClick(x, y);
      });
    }
  }

  resize(size) {
    const ratio = window.devicePixelRatio || 1;
    this.width = size.width;
    this.height = size.height;
    this.canvas.width = Math.round(size.width * ratio);
    this.canvas.height = Math.round(size.height * ratio);
    this.canvas.style.width = `${size.width}px`;
    this.canvas.style.height = `${size.height}px`;
    this.ratio = ratio;
  }

  replace(field, buffers) {
    const grid = field.grid;
    if (grid) {
      const b = buffers[grid.buffer];
      grid.values = new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength);
      this.background = null; // re-rendered on the next paint
      this.contours = null;
    } else if (this.field) {
      field.grid = this.field.grid; // the kernel sends a grid only when it changed
    }
    this.field = field;
    this.renderLegend();
  }

  // ----- coordinates ---------------------------------------------------------------------
  area() {
    return { x: MARGIN.left, y: MARGIN.top, w: this.width - MARGIN.left - MARGIN.right, h: this.height - MARGIN.top - MARGIN.bottom };
  }

  toPixel(x, y) {
    const [x0, x1, y0, y1] = this.field.extent;
    const a = this.area();
    return [a.x + ((x - x0) / (x1 - x0)) * a.w, a.y + a.h - ((y - y0) / (y1 - y0)) * a.h];
  }

  toData(px, py) {
    const [x0, x1, y0, y1] = this.field.extent;
    const a = this.area();
    return [x0 + ((px - a.x) / a.w) * (x1 - x0), y0 + ((a.y + a.h - py) / a.h) * (y1 - y0)];
  }

  // ----- drawing -------------------------------------------------------------------------
  paint() {
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    if (!this.field) return;
    const a = this.area();
    ctx.save();
    ctx.beginPath();
    ctx.rect(a.x, a.y, a.w, a.h);
    ctx.clip();
    if (this.field.grid) this.drawGrid(ctx, a);
    for (const set of this.spec.points ?? []) this.drawPoints(ctx, set);
    for (const path of this.field.paths ?? []) this.drawPath(ctx, path);
    if (this.field.start) this.drawStar(ctx, ...this.toPixel(...this.field.start));
    ctx.restore();
    this.drawAxes(ctx, a);
  }

  drawGrid(ctx, a) {
    const grid = this.field.grid;
    if (!this.background) this.background = renderGrid(grid, this.spec.colors ?? []);
    ctx.imageSmoothingEnabled = true;
    const [x0, y0] = this.toPixel(grid.extent[0], grid.extent[3]);
    const [x1, y1] = this.toPixel(grid.extent[1], grid.extent[2]);
    ctx.drawImage(this.background, x0, y0, x1 - x0, y1 - y0);
    if (grid.kind === "surface") {
      if (!this.contours) this.contours = contourSegments(grid.values, grid.width, grid.height, grid.levels ?? 20);
      const sx = (x1 - x0) / (grid.width - 1);
      const sy = (y1 - y0) / (grid.height - 1);
      ctx.strokeStyle = "rgba(40, 60, 110, 0.55)";
      ctx.lineWidth = 0.8;
      ctx.beginPath();
      for (let k = 0; k < this.contours.length; k += 4) {
        const c = this.contours;
        ctx.moveTo(x0 + c[k] * sx, y1 - c[k + 1] * sy);
        ctx.lineTo(x0 + c[k + 2] * sx, y1 - c[k + 3] * sy);
      }
      ctx.stroke();
    }
  }

  drawPoints(ctx, set) {
    const colors = this.spec.colors ?? [];
    for (let i = 0; i < set.x.length; i++) {
      const [px, py] = this.toPixel(set.x[i], set.y[i]);
      const k = set.c ? set.c[i] : 0;
      ctx.fillStyle = colors[k % colors.length] ?? INK;
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 0.8;
      drawShape(ctx, SHAPES[k % SHAPES.length], px, py, 3.6);
    }
  }

  drawPath(ctx, path) {
    ctx.strokeStyle = path.color;
    ctx.fillStyle = path.color;
    ctx.lineWidth = path.width ?? 1.6;
    ctx.setLineDash(path.dash ?? []);
    ctx.beginPath();
    for (let i = 0; i < path.x.length; i++) {
      const [px, py] = this.toPixel(path.x[i], path.y[i]);
      if (i === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (path.points !== false) {
      for (let i = 0; i < path.x.length; i++) {
        const [px, py] = this.toPixel(path.x[i], path.y[i]);
        ctx.beginPath();
        ctx.arc(px, py, 2.2, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    if (path.diverged && path.x.length) {
      const [px, py] = this.toPixel(path.x.at(-1), path.y.at(-1));
      ctx.lineWidth = 3;
      ctx.beginPath();
      ctx.moveTo(px - 7, py - 7);
      ctx.lineTo(px + 7, py + 7);
      ctx.moveTo(px - 7, py + 7);
      ctx.lineTo(px + 7, py - 7);
      ctx.stroke();
    }
  }

  drawStar(ctx, px, py) {
    ctx.fillStyle = "#000000";
    ctx.beginPath();
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? 3.5 : 9;
      const angle = -Math.PI / 2 + (i * Math.PI) / 5;
      ctx.lineTo(px + r * Math.cos(angle), py + r * Math.sin(angle));
    }
    ctx.closePath();
    ctx.fill();
  }

  drawAxes(ctx, a) {
    const [x0, x1, y0, y1] = this.field.extent;
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineWidth = 1;
    ctx.strokeRect(a.x, a.y, a.w, a.h);
    ctx.font = FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of niceTicks(x0, x1)) {
      const [px] = this.toPixel(t, y0);
      ctx.fillText(formatNumber(t), px, a.y + a.h + 4);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of niceTicks(y0, y1)) {
      const [, py] = this.toPixel(x0, t);
      ctx.fillText(formatNumber(t), a.x - 5, py);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.font = `bold ${FONT}`;
    ctx.fillText(this.field.title ?? this.spec.title ?? "", a.x + a.w / 2, a.y - 6);
    ctx.font = FONT;
    ctx.fillText(this.spec.xlabel ?? "", a.x + a.w / 2, this.height - 2);
    ctx.save();
    ctx.translate(12, a.y + a.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "top";
    ctx.fillText(this.spec.ylabel ?? "", 0, -8);
    ctx.restore();
  }

  renderLegend() {
    const entries = (this.field.paths ?? []).filter((p) => p.label);
    this.legend.replaceChildren(
      ...entries.map((p) => {
        const item = document.createElement("span");
        item.className = "bpnb-legend-item";
        const swatch = document.createElement("span");
        swatch.className = "bpnb-swatch";
        swatch.style.background = p.color;
        item.append(swatch, document.createTextNode(p.label));
        return item;
      }),
    );
  }

  destroy() {
    this.root.remove();
  }
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The grid as a small canvas, one pixel per cell (the top row of the picture is the last row). */
function renderGrid(grid, colors) {
  const { width: w, height: h, values } = grid;
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(w, h);
  const rgb = colors.map(hexToRgb);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const v = values[i * w + j];
      const o = ((h - 1 - i) * w + j) * 4;
      if (grid.kind === "classes") {
        const [r, g, b] = rgb[v % rgb.length] ?? [128, 128, 128];
        const mix = 0.3; // a light tint of the class colour, so the points stay visible
        image.data[o] = 255 - (255 - r) * mix;
        image.data[o + 1] = 255 - (255 - g) * mix;
        image.data[o + 2] = 255 - (255 - b) * mix;
      } else {
        const t = v / 255; // low loss light, high loss a little darker blue-grey
        image.data[o] = 250 - 70 * t;
        image.data[o + 1] = 250 - 55 * t;
        image.data[o + 2] = 245 - 20 * t;
      }
      image.data[o + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** Marching squares: the segments [x1, y1, x2, y2, ...] (in grid units) of `levels` contour
 * lines at evenly spaced ranks of a byte grid. */
export function contourSegments(values, w, h, levels) {
  const out = [];
  for (let k = 1; k < levels; k++) {
    const level = (k * 255) / levels;
    for (let i = 0; i < h - 1; i++) {
      for (let j = 0; j < w - 1; j++) {
        const a = values[i * w + j];
        const b = values[i * w + j + 1];
        const c = values[(i + 1) * w + j + 1];
        const d = values[(i + 1) * w + j];
        const crossings = [];
        const edge = (v1, v2, x1, y1, x2, y2) => {
          if (v1 < level !== v2 < level) {
            const t = (level - v1) / (v2 - v1);
            crossings.push(x1 + t * (x2 - x1), y1 + t * (y2 - y1));
          }
        };
        edge(a, b, j, i, j + 1, i);
        edge(b, c, j + 1, i, j + 1, i + 1);
        edge(c, d, j + 1, i + 1, j, i + 1);
        edge(d, a, j, i + 1, j, i);
        if (crossings.length >= 4) out.push(...crossings.slice(0, 4));
        if (crossings.length === 8) out.push(...crossings.slice(4, 8));
      }
    }
  }
  return out;
}

function drawShape(ctx, shape, x, y, r) {
  ctx.beginPath();
  if (shape === "circle") ctx.arc(x, y, r, 0, 2 * Math.PI);
  else if (shape === "square") ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
  else if (shape === "triangle") {
    ctx.moveTo(x, y - r * 1.1);
    ctx.lineTo(x + r, y + r * 0.8);
    ctx.lineTo(x - r, y + r * 0.8);
    ctx.closePath();
  } else {
    ctx.moveTo(x, y - r * 1.2);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r * 1.2);
    ctx.lineTo(x - r, y);
    ctx.closePath();
  }
  ctx.fill();
  ctx.stroke();
}
