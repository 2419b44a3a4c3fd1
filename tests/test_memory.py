"""The allocator setting: never at import, only inside keep_freed_memory (see backprop_nb/_memory.py)."""

import platform
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import backprop_nb as bp
from backprop_nb import _memory
from backprop_nb._memory import keep_freed_memory

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


class FakeGlibc:
    """Records the allocator calls instead of making them."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def mallopt(self, option: int, value: int) -> int:
        self.calls.append(("mallopt", option, value))
        return 1

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad))
        return 1


@pytest.fixture
def libc(monkeypatch):
    fake = FakeGlibc()
    monkeypatch.setattr(_memory, "_glibc", lambda: fake)
    monkeypatch.delenv("BACKPROP_NB_KEEP_FREED_MEMORY", raising=False)
    return fake


KEEP = [("mallopt", _M_MMAP_THRESHOLD, 32 * 2**20), ("mallopt", _M_TRIM_THRESHOLD, 128 * 2**20)]
RESTORE = [
    ("mallopt", _M_MMAP_THRESHOLD, 128 * 2**10),
    ("mallopt", _M_TRIM_THRESHOLD, 128 * 2**10),
    ("malloc_trim", 0),
]


def test_importing_starts_no_process_and_leaves_the_allocator_alone():
    code = textwrap.dedent(
        """
        import sys
        events = []
        watched = ("subprocess.Popen", "os.posix_spawn", "os.system", "os.exec", "os.fork", "ctypes.dlsym")
        sys.addaudithook(lambda event, args: events.append((event, str(args))) if event in watched else None)
        import backprop_nb
        print(events)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_block_sets_the_thresholds_and_restores_glibcs_defaults_after(libc):
    with keep_freed_memory() as kept:
        assert kept is True
        assert libc.calls == KEEP
    assert libc.calls == KEEP + RESTORE


def test_nested_blocks_set_once_and_restore_when_the_last_one_ends(libc):
    with keep_freed_memory(), keep_freed_memory():
        pass
    assert libc.calls == KEEP + RESTORE


def test_an_error_in_the_block_still_restores(libc):
    with pytest.raises(RuntimeError), keep_freed_memory():
        raise RuntimeError("boom")
    assert libc.calls == KEEP + RESTORE


def test_opt_out_by_environment_variable(libc, monkeypatch):
    monkeypatch.setenv("BACKPROP_NB_KEEP_FREED_MEMORY", "0")
    with keep_freed_memory() as kept:
        assert kept is False
    assert libc.calls == []


def test_without_glibc_nothing_is_called(monkeypatch):
    monkeypatch.setattr(_memory, "_glibc", lambda: None)
    with keep_freed_memory() as kept:
        assert kept is False


def test_fit_trains_inside_the_block(libc):
    model = bp.nn.Linear(2, 2, seed=0)
    seen = []

    def loss(out, y):
        seen.append(list(libc.calls))
        return bp.nn.cross_entropy(out, y)

    X, y = np.eye(2), np.array([0, 1])
    bp.fit(model, X, y, loss, bp.optim.SGD(model.parameters(), lr=0.1), epochs=1, progress=False)
    assert seen[-1] == KEEP  # while training
    assert libc.calls == KEEP + RESTORE  # after


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the setting is glibc's mallopt")
def test_applies_on_glibc_linux(monkeypatch):
    monkeypatch.delenv("BACKPROP_NB_KEEP_FREED_MEMORY", raising=False)
    with keep_freed_memory() as kept:
        assert kept is True
