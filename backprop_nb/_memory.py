"""Keep freed memory for reuse, so that training steps do not page-fault their arrays back in.

Every training step allocates the same large temporary arrays (activations, gradients) and frees
them when the graph goes. With its default settings glibc's allocator hands such memory back to
the operating system and the next step faults it in again page by page, which can double the
time of a step at batch 256 (measured in ``benchmarks/bench_core.py``). PyTorch avoids this
with its own caching allocator; we ask glibc to keep up to 128 MB of freed memory instead.

Applied once at import, on Linux with glibc only. Set the environment variable
``BACKPROP_NB_KEEP_FREED_MEMORY=0`` before importing backprop_nb to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1  # free memory at the top of the heap kept before returning it to the OS
_M_MMAP_THRESHOLD = -3  # allocations at least this large get their own mapping (freed at once)


def keep_freed_memory(trim_bytes: int = 128 * 2**20, mmap_bytes: int = 32 * 2**20) -> bool:
    """Ask glibc to keep freed memory for reuse; True if the setting was applied."""
    if not sys.platform.startswith("linux") or os.environ.get("BACKPROP_NB_KEEP_FREED_MEMORY") == "0":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_bytes)) and bool(mallopt(_M_TRIM_THRESHOLD, trim_bytes))
