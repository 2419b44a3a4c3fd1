"""While training, keep freed memory for reuse, so that steps do not page-fault their arrays back in.

Every training step allocates the same large temporary arrays (activations, gradients) and frees
them when the graph goes. With its default settings glibc's allocator hands such memory back to
the operating system and the next step faults it in again page by page: at batch 256 of a
64-128-10 network that is about 220 page faults per step and a third of its time (the MLP step
of ``benchmarks/bench_core.py``; ``BACKPROP_NB_KEEP_FREED_MEMORY=0`` runs it without). PyTorch
avoids this with its own caching allocator; inside :func:`keep_freed_memory` we ask glibc to
keep up to 128 MB of freed memory instead.

``bp.fit`` and the benchmarks train inside it; importing backprop_nb changes nothing. It acts on
Linux with glibc only, and not at all if the environment variable
``BACKPROP_NB_KEEP_FREED_MEMORY`` is ``0``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

_M_TRIM_THRESHOLD = -1  # free memory at the top of the heap kept before returning it to the OS
_M_MMAP_THRESHOLD = -3  # allocations at least this large get their own mapping (freed at once)
_KEEP_TRIM_BYTES = 128 * 2**20
_KEEP_MMAP_BYTES = 32 * 2**20
_GLIBC_DEFAULT_BYTES = 128 * 2**10  # both thresholds' documented defaults (man 3 mallopt)

_lock = threading.Lock()
_active_blocks = 0  # blocks running inside keep_freed_memory now, nested or in other threads


@functools.cache
def _glibc() -> Any:
    """This process's C library if it is glibc (looked up without starting a process), else None."""
    if not sys.platform.startswith("linux"):  # macOS, Windows, Pyodide (emscripten)
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded into this process
    except OSError:
        return None
    is_glibc = hasattr(libc, "gnu_get_libc_version")  # musl also has mallopt, as a no-op
    return libc if is_glibc and hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


@contextlib.contextmanager
def keep_freed_memory() -> Iterator[bool]:
    """Inside the block, glibc keeps freed memory for reuse; yields True if the setting applies.

    On entry the mmap threshold becomes 32 MB (smaller arrays come from the heap, not from a
    mapping of their own) and the trim threshold 128 MB (freed memory at the top of the heap
    is kept up to that size). Blocks may nest or run in several threads: the first to enter
    sets the thresholds and the last to leave restores them.

    "Restores" is as close as glibc allows. It has no call that reads the thresholds, so the
    block cannot put back values someone else set, and any ``mallopt`` call switches off
    glibc's dynamic thresholds (which rise as large blocks are freed) for the rest of the
    process. On leaving, the thresholds are set to glibc's documented defaults, 128 KB each,
    and ``malloc_trim(0)`` hands the memory kept meanwhile back to the operating system.
    """
    global _active_blocks
    libc = _glibc()
    if libc is None or os.environ.get("BACKPROP_NB_KEEP_FREED_MEMORY") == "0":
        yield False
        return
    with _lock:
        if _active_blocks == 0:
            libc.mallopt(_M_MMAP_THRESHOLD, _KEEP_MMAP_BYTES)
            libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_TRIM_BYTES)
        _active_blocks += 1
    try:
        yield True
    finally:
        with _lock:
            _active_blocks -= 1
            if _active_blocks == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_BYTES)
                libc.mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT_BYTES)
                libc.malloc_trim(0)
