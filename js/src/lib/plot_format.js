// Numbers and ticks for the live plots, shared by the curve and field panels.

/** A number with at most 4 significant digits, as the kernel's format_number writes it. */
export function formatNumber(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace("e+", "e");
  return String(Number(v.toPrecision(4)));
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) covering lo … hi. */
export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const decade = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * decade).find((s) => s >= raw);
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

export const FONT = "13px system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
export const INK = "#333333";
