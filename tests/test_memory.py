"""The allocator setting applied at import (see backprop_nb/_memory.py)."""

import subprocess
import sys

import pytest

from backprop_nb._memory import keep_freed_memory


def test_opt_out_by_environment_variable(monkeypatch):
    monkeypatch.setenv("BACKPROP_NB_KEEP_FREED_MEMORY", "0")
    assert keep_freed_memory() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_applies_on_glibc_linux(monkeypatch):
    monkeypatch.delenv("BACKPROP_NB_KEEP_FREED_MEMORY", raising=False)
    assert keep_freed_memory() is True


def test_import_works_with_the_opt_out():
    code = "import backprop_nb as bp; print((bp.tensor(2.0, requires_grad=True) ** 2).item())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"BACKPROP_NB_KEEP_FREED_MEMORY": "0", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "4.0"
