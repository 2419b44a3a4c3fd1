"""How fast the live plots are in a real browser: JupyterLab in headless Chromium.

Runs tests/browser_notebooks/training_live.ipynb (a training_dashboard with its *default*
settings on the 3-class spiral, MLP 2-64-3, and a descent_explorer on the ravine with two
optimisers and 1,000 steps), then measures:

* Play: painted frames per second and epochs per second over ``--seconds`` of playing (the
  goal is >= 10 frames/s), and whether every epoch's point is on the curve;
* control -> repaint, the time a student waits: from the click or Enter key in the page to the
  next painted frame of the plot, for the dashboard's log-scale switch and the explorer's
  log-scale switch (1,001 points per curve);
* the explorer's lr readout, from Enter: to the first repaint (the goal is <= 50 ms at 1,000
  points: the paths' first piece, computed in FIRST_PIECE_S) and to the repaint of the whole
  paths (every step is a real forward and backward pass), for two 1,000-step paths, then two
  80-step ones as in the ravine preset;
* as references measured in the same run: the page alone (the shipped module fed by a stand-in
  for the kernel that answers at once, appending to 1,000-point curves), the kernel alone
  (this process computing the same two paths, no page, no messages), and an lr change with
  1 step (the round trip through JupyterLab and the repaint, next to no computing);
* the machine's load while measuring (other processes slow the kernel down).

    python benchmarks/bench_live_plot.py [--seconds 5] [--repeats 5]

Needs playwright (Python) and Debian's chromium; it never downloads a browser.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from _jupyter_browser import CHROMIUM_ARGS, chromium_path, jupyter_lab, open_and_run_all  # noqa: E402
from _training_browser import (  # noqa: E402
    DASHBOARD,
    EXPLORER,
    epoch,
    frames,
    message,
    points,
    set_readout,
    time_to_repaint,
)

from backprop_nb import optim  # noqa: E402
from backprop_nb.viz.plots import optimizer_run  # noqa: E402
from backprop_nb.widgets.descent import PRESETS  # noqa: E402

NOTEBOOK = HERE.parent / "tests" / "browser_notebooks" / "training_live.ipynb"
BUNDLE = HERE.parent / "backprop_nb" / "widgets" / "static" / "live_plot.js"

PAGE_ALONE_JS = """async ([source, points, frames]) => {
  // the shipped module with a stand-in for the kernel that answers every "painted" at once:
  // how many frames per second the page itself sustains appending to a curve of `points` points
  const module = await import('data:text/javascript;base64,' + source);
  const handlers = {};
  const series = [{ label: 'train loss', color: '#0072B2', points: true }, { label: 'validation', color: '#E69F00' }];
  const state = { panels: [{ kind: 'curves', id: 'loss', title: 'loss', xlabel: 'epoch', ylabel: 'loss',
                             series, log_switch: true, width: 285, height: 250 }], log_scale: false };
  let sent = 0, done;
  const finished = new Promise((resolve) => (done = resolve));
  const x = [...Array(points).keys()], ys = [x.map((i) => 1 / (i + 1)), x.map((i) => 1.1 / (i + 1))];
  const model = {
    get: (name) => state[name],
    on: (name, callback) => (handlers[name] = callback),
    off: () => {},
    send: (msg) => {
      if (msg.type !== 'painted') return;
      if (msg.id === 1) start = performance.now();
      if (msg.id > frames) return done(performance.now());
      const n = points + msg.id;
      handlers['msg:custom']({ type: 'frame', id: msg.id + 1,
        updates: [{ panel: 'loss', op: 'append', x: [n], ys: [[1 / n], [1.1 / n]] }] }, []);
    },
  };
  let start = 0;
  const el = document.createElement('div');
  document.body.appendChild(el);
  module.default.render({ model, el });
  handlers['msg:custom']({ type: 'frame', id: 1, updates: [{ panel: 'loss', op: 'replace', x, ys, markers: [] }] }, []);
  const end = await finished;
  return (frames - 1) / ((end - start) / 1000);
}"""


LR_TIMER_JS = """(scope) => {
  // after Enter in the lr readout: every paint of the plot, and when the message line first
  // shows the outcome (the whole paths computed; while pieces come it says "computing the paths")
  const live = document.querySelector(scope + ' .bpnb-live');
  const box = document.querySelector(scope);
  const t = { start: null, paints: [], whole: null };
  const onKey = (event) => { if (t.start === null && event.key === 'Enter') t.start = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  const painted = new MutationObserver(() => t.start !== null && t.paints.push(performance.now()));
  painted.observe(live, { attributes: true, attributeFilter: ['data-frames'] });
  const text = () => box.querySelector('.backprop-nb-info, .backprop-nb-error').textContent;
  const before = text();
  const told = new MutationObserver(() => {
    const now = text();
    if (t.start !== null && t.whole === null && now !== before && !now.includes('computing the paths')) {
      t.whole = performance.now();
    }
  });
  told.observe(box, { subtree: true, childList: true, characterData: true });
  t.stop = () => { painted.disconnect(); told.disconnect(); document.removeEventListener('keydown', onKey, true); };
  window.__bpnbLr = t;
}"""

LR_TIMES_JS = """() => {
  // done when the outcome is shown and nothing has been painted for 300 ms: the last paint
  // was of the whole paths (the kernel sends their frame just before the outcome)
  const t = window.__bpnbLr;
  if (t.whole === null || !t.paints.length || performance.now() - Math.max(t.whole, t.paints.at(-1)) < 300) return null;
  t.stop();
  return [t.paints[0] - t.start, t.paints.at(-1) - t.start, t.paints.length];
}"""


def lr_change(page, value: str) -> tuple[float, float, int]:
    """Type ``value`` into the explorer's lr readout: milliseconds from Enter to the first repaint,
    to the repaint of the whole paths, and the number of frames painted."""
    page.evaluate(LR_TIMER_JS, EXPLORER)
    set_readout(page, EXPLORER, 0, value)
    page.wait_for_function(LR_TIMES_JS, timeout=30_000)
    return tuple(page.evaluate(LR_TIMES_JS))


def kernel_alone(steps: int, lr: float) -> float:
    """Milliseconds this process takes to compute the explorer's two ravine paths (SGD, Momentum)."""
    preset = PRESETS["ravine"]
    begin = time.perf_counter()
    for spec in [(optim.SGD, {"lr": lr}), (optim.SGD, {"lr": lr, "momentum": 0.9})]:
        optimizer_run(preset.f, spec, preset.start, steps, max_norm=1e3)
    return (time.perf_counter() - begin) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with jupyter_lab([NOTEBOOK]) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        alone = browser.new_page(viewport={"width": 1024, "height": 800})
        source = base64.b64encode(BUNDLE.read_bytes()).decode("ascii")
        rate = alone.evaluate(PAGE_ALONE_JS, [source, 1000, 120])
        print(f"reference, the page alone (no kernel): {rate:.0f} frames/s appending to 1,000-point curves")
        alone.close()
        page = browser.new_page(viewport={"width": 1024, "height": 1400})
        open_and_run_all(page, lab, NOTEBOOK.name)
        page.locator(f"{EXPLORER} .bpnb-live").wait_for(timeout=120_000)
        page.wait_for_function(f"() => document.querySelector('{EXPLORER} .bpnb-live').dataset.frames > 0")
        time.sleep(2)

        pause = page.locator(f"{DASHBOARD} button", has_text="Pause").first
        for _ in range(3):  # under heavy load a first click was sometimes not taken
            page.locator(f"{DASHBOARD} button", has_text="Play").first.click()
            try:
                pause.wait_for(timeout=10_000)
                break
            except PlaywrightTimeout:
                print("(Play not taken: clicked again)")
        f0, e0, t0 = frames(page, DASHBOARD), epoch(page), time.monotonic()
        time.sleep(args.seconds)
        if not pause.is_visible():
            raise SystemExit(f"Play stopped by itself: {message(page, DASHBOARD)!r}")
        pause.click()
        f1, e1, t1 = frames(page, DASHBOARD), epoch(page), time.monotonic()
        time.sleep(1.0)
        e_final = epoch(page)
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(
            f"Play, default settings: {(f1 - f0) / (t1 - t0):.1f} frames/s painted, "
            f"{(e1 - e0) / (t1 - t0):.1f} epochs/s (goal: >= 10 frames/s)"
        )
        print(f"  epochs {e_final}, points on the loss curve {points(page, DASHBOARD)} (epoch 0 included)")

        def timed(scope: str, act) -> list[float]:
            return [time_to_repaint(page, scope, act) for _ in range(args.repeats)]

        print(f"explorer: {points(page, EXPLORER)} points per curve")
        controls = [
            (
                "dashboard log-scale switch",
                DASHBOARD,
                page.locator(f"{DASHBOARD} .widget-checkbox input").first.click,
            ),
            (
                "explorer log-scale switch (1,001 points)",
                EXPLORER,
                page.locator(f"{EXPLORER} .widget-checkbox input").first.click,
            ),
        ]
        lrs = iter(f"{0.011 + 0.0005 * i:.4f}" for i in range(100))

        def report(name: str, times: list[float]) -> None:
            print(
                f"{name}: median {statistics.median(times):.0f} ms, "
                f"min {min(times):.0f} ms over {len(times)} (goal: <= 50 ms)",
                flush=True,
            )

        for name, scope, act in controls:
            report(f"control -> repaint, {name}", timed(scope, act))
        for steps in (1000, 80, 1):  # 80: the ravine preset's; 1: the messages and the repaint alone
            if steps != 1000:
                time_to_repaint(page, EXPLORER, partial(set_readout, page, EXPLORER, 1, str(steps)), "Enter")
            changes = [lr_change(page, next(lrs)) for _ in range(args.repeats)]
            alone = [kernel_alone(steps, 0.012) for _ in range(args.repeats)]
            first, whole = [c[0] for c in changes], [c[1] for c in changes]
            print(f"explorer lr, 2 × {steps:,} steps, {points(page, EXPLORER)} points per curve:")
            report("  Enter -> first repaint", first)
            print(
                f"  Enter -> whole paths repainted: median {statistics.median(whole):.0f} ms, "
                f"min {min(whole):.0f} ms, in {statistics.median(c[2] for c in changes):.0f} frames"
            )
            print(
                f"  reference, the kernel alone computing both paths: median {statistics.median(alone):.0f} ms; "
                f"first repaint / that: {statistics.median(first) / statistics.median(alone):.2f}",
                flush=True,
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        browser.close()


if __name__ == "__main__":
    main()
