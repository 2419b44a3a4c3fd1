"""How fast the live plots are in a real browser: JupyterLab in headless Chromium.

Runs tests/browser_notebooks/training_live.ipynb (a training_dashboard with its *default*
settings on the 3-class spiral, MLP 2-64-3, and a descent_explorer on the ravine with two
optimisers and 1,000 steps), then measures:

* Play: painted frames per second and epochs per second over ``--seconds`` of playing (the
  goal is >= 10 frames/s), and whether every epoch's point is on the curve;
* control -> repaint, the time a student waits: from the click or Enter key in the page to the
  next painted frame of the plot, for the dashboard's log-scale switch, the explorer's
  log-scale switch (1,001 points per curve) and its lr readout (two 1,000-step paths recomputed
  in the kernel, then two 80-step ones as in the preset; the goal is <= 50 ms at 1,000 points);
* as the reference measured in the same run, the page alone: the shipped module fed by a
  stand-in for the kernel that answers at once, appending to 1,000-point curves;
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from _jupyter_browser import CHROMIUM_ARGS, chromium_path, jupyter_lab, open_and_run_all  # noqa: E402
from _training_browser import (  # noqa: E402
    DASHBOARD,
    EXPLORER,
    epoch,
    frames,
    points,
    set_readout,
    time_to_repaint,
)

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
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

        play = page.locator(f"{DASHBOARD} button", has_text="Play").first
        f0, e0, t0 = frames(page, DASHBOARD), epoch(page), time.monotonic()
        play.click()
        time.sleep(args.seconds)
        page.locator(f"{DASHBOARD} button", has_text="Pause").first.click()
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
            (
                "explorer lr, 2 × 1,000 steps recomputed",
                EXPLORER,
                lambda: set_readout(page, EXPLORER, 0, next(lrs)),
            ),
        ]
        lrs = iter(f"{0.011 + 0.0005 * i:.4f}" for i in range(100))

        def report(name: str, times: list[float]) -> None:
            print(
                f"control -> repaint, {name}: median {statistics.median(times):.0f} ms, "
                f"min {min(times):.0f} ms over {len(times)} (goal: <= 50 ms)",
                flush=True,
            )

        for name, scope, act in controls:
            report(name, timed(scope, act))
        time_to_repaint(page, EXPLORER, lambda: set_readout(page, EXPLORER, 1, "80"), "Enter")  # the preset's steps
        new_lr = lambda: set_readout(page, EXPLORER, 0, next(lrs))  # noqa: E731
        report("explorer lr, 2 × 80 steps (as the ravine preset)", timed(EXPLORER, new_lr))
        browser.close()


if __name__ == "__main__":
    main()
