"""Fixtures shared by the test modules."""

import pytest
from _jupyter_browser import headless_chromium


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module (skipped without playwright or Chromium)."""
    with headless_chromium() as chromium:
        yield chromium
