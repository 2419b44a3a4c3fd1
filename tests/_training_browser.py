"""Reading and timing the live plots of the training widgets in a real page (browser tests and
benchmarks/bench_live_plot.py). The page side is js/src/live_plot.js: its root element counts
painted frames in ``data-frames``, each curves panel its points in ``data-points``."""

from __future__ import annotations

import re

DASHBOARD = ".bp-training-dashboard"
EXPLORER = ".bp-descent-explorer"

CONSOLE_NOISE = re.compile(r"favicon|Failed to load resource.*(lab/api/(news|workspaces)|\.ico)")
"""Console errors of JupyterLab itself, not of our widgets."""


def collect_errors(page) -> list[str]:
    """The list that fills with the page's uncaught errors and console errors (JupyterLab's own
    noise left out) from now on: a test asserts it stays empty."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and not CONSOLE_NOISE.search(msg.text) else None
        ),
    )
    return errors


def frames(page, scope: str) -> int:
    """Frames the live plot inside ``scope`` has painted so far."""
    return int(page.locator(f"{scope} .bpnb-live").first.get_attribute("data-frames") or 0)


def points(page, scope: str, index: int = 0) -> int:
    """Points drawn on the ``index``-th curves panel inside ``scope``."""
    return int(page.locator(f"{scope} .bpnb-curves").nth(index).get_attribute("data-points") or 0)


def message(page, scope: str) -> str:
    return page.locator(f"{scope} .backprop-nb-info, {scope} .backprop-nb-error").first.inner_text()


def epoch(page, scope: str = DASHBOARD) -> int:
    """The epoch the dashboard's message line reports (0 before training)."""
    found = re.search(r"epoch (\d+)", message(page, scope))
    return int(found.group(1)) if found else 0


ARM_TIMER_JS = """([scope, trigger]) => {
  const live = document.querySelector(scope + ' .bpnb-live');
  const timing = { before: live.dataset.frames, start: null, painted: null };
  window.__bpnbTiming = timing;
  const start = (event) => {
    const act = event.type === 'click' ? 'click' : event.key === 'Enter' ? 'Enter' : null;
    if (timing.start === null && act === trigger) timing.start = performance.now();
  };
  document.addEventListener('click', start, true);
  document.addEventListener('keydown', start, true);
  const observer = new MutationObserver(() => {
    if (timing.start !== null && live.dataset.frames !== timing.before) {
      timing.painted = performance.now();
      observer.disconnect();
      document.removeEventListener('click', start, true);
      document.removeEventListener('keydown', start, true);
    }
  });
  observer.observe(live, { attributes: true, attributeFilter: ['data-frames'] });
}"""


def time_to_repaint(page, scope: str, act, trigger: str = "click", timeout_ms: int = 20_000) -> float:
    """Milliseconds from the user's action to the live plot inside ``scope`` painting its next
    frame: the kernel's work, the messages both ways and the repaint, as the student waits for
    them. ``act()`` does the action; the clock starts at its first ``trigger`` event in the page,
    "click" or "Enter" (for a typed readout, whose value is sent on Enter: not the typing)."""
    page.evaluate(ARM_TIMER_JS, [scope, trigger])
    act()
    page.wait_for_function("() => window.__bpnbTiming.painted !== null", timeout=timeout_ms)
    return page.evaluate("() => window.__bpnbTiming.painted - window.__bpnbTiming.start")


def set_readout(page, scope: str, nth: int, value: str) -> None:
    """Type ``value`` into the readout of the ``nth`` slider inside ``scope`` and press Enter."""
    page.locator(f"{scope} .widget-readout").nth(nth).click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


CUT_LABELS_JS = """(scope) => [...document.querySelectorAll(scope + ' button, ' + scope + ' .widget-label, '
  + scope + ' .widget-label-basic, ' + scope + ' .widget-checkbox label')]
  .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map((el) => el.textContent.trim())"""


def cut_labels(page, scope: str) -> list[str]:
    """The labels of the controls inside ``scope`` (buttons, descriptions, checkboxes) that are
    cut short: the text is wider than its box, so the page shows it with an ellipsis."""
    return page.evaluate(CUT_LABELS_JS, scope)
