"""The C allocator set for a process that runs for weeks: freed big blocks go back to the OS.

Most of the app's memory is allocated beneath Python, by Kivy, SDL and Mesa (offscreen
and on terminals without a GPU, its software renderer llvmpipe): textures, pixel
buffers, glyph images, the renderer's per-frame data. glibc's malloc serves a block
over ``M_MMAP_THRESHOLD`` (128 KiB) with a mapping of its own and unmaps it when freed —
until the first such block is freed: then it raises the threshold to that block's size
(up to 32 MiB), and from then on such blocks come from its heaps, which keep the pages
when they are freed. Setting the threshold explicitly switches that raise off, and the
kiosk hands the heaps' free pages back (``malloc_trim``) when a visit ends, idle by then.

This bounds what the allocator keeps *free* (docs/performance.md "Soak": ≈ 100 MB after
a dozen visits, given back at the visit's end); the memory llvmpipe keeps *in use* is
not the allocator's to give back.

glibc only (Debian, the terminals' system); elsewhere a no-op that says so in the log.
Nothing happens at import: ``tune_allocator`` is called by the entry point, before Kivy
and the GL driver load.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import platform
from dataclasses import dataclass

log = logging.getLogger(__name__)

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, now kept: bigger blocks are mapped and unmapped
ARENA_MAX = 2  # one heap for the UI thread, one shared by the workers and the renderer's threads
TRIM_THRESHOLD = 1024 * 1024  # free memory on top of the heap beyond this goes back at once
DISABLE_ENV = "KIOSK_MALLOC"  # "default": leave glibc as it is (to measure the difference)

_PROBE_BIG = 4 * 1024 * 1024  # freed, this would raise glibc's dynamic threshold to 4 MiB
_PROBE = 1024 * 1024  # then this one must still be mapped on its own


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


@dataclass(frozen=True)
class AllocatorState:
    """What ``tune_allocator`` did, and whether it shows in the allocator's behaviour."""

    applied: bool
    big_blocks_returned: bool | None  # None: not glibc, cannot be observed
    detail: str


@functools.lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
        libc.malloc.argtypes = [ctypes.c_size_t]
        libc.malloc.restype = ctypes.c_void_p
        libc.free.argtypes = [ctypes.c_void_p]
        libc.free.restype = None
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
        libc.mallinfo2.restype = _MallInfo2  # glibc ≥ 2.33
    except (OSError, AttributeError):
        return None
    return libc


def big_blocks_returned() -> bool | None:
    """True when a block over the threshold is mapped on its own (so freeing it gives it
    back to the OS) even after a bigger one was freed — what glibc's dynamic threshold
    would stop. None where the allocator is not glibc."""
    libc = _glibc()
    if libc is None:
        return None
    big = libc.malloc(_PROBE_BIG)
    libc.free(big)
    before = libc.mallinfo2().hblkhd
    block = libc.malloc(_PROBE)
    try:
        return bool(block) and libc.mallinfo2().hblkhd - before >= _PROBE
    finally:
        libc.free(block)


def tune_allocator() -> AllocatorState:
    """Set glibc's malloc for a long-running app (call first thing, before Kivy loads:
    the arena limit counts only for threads not started yet). Logs what it did."""
    libc = _glibc()
    if libc is None:
        libc_name, libc_version = platform.libc_ver()
        what = f"glibc {libc_version} without mallinfo2 (2.33 or later)" if libc_name == "glibc" else \
            f"not glibc ({platform.system()} {libc_name or '?'})"
        state = AllocatorState(False, None, f"{what}: left as it is")
    elif os.environ.get(DISABLE_ENV, "").strip().lower() == "default":
        # Not probed: the probe's freed block would itself raise glibc's dynamic threshold.
        state = AllocatorState(False, None, f"{DISABLE_ENV}=default: glibc's defaults")
    else:
        done = [libc.mallopt(param, value) == 1 for param, value in (
            (_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD), (_M_ARENA_MAX, ARENA_MAX))]
        ok = all(done)
        state = AllocatorState(ok, big_blocks_returned(),
                               f"mmap threshold {MMAP_THRESHOLD // 1024} KiB, trim threshold "
                               f"{TRIM_THRESHOLD // 1024} KiB, {ARENA_MAX} arenas" + ("" if ok else ": refused"))
    log.info("allocator: %s; freed big blocks go back to the OS: %s", state.detail,
             {True: "yes", False: "no", None: "unknown"}[state.big_blocks_returned])
    return state


def resident_bytes() -> int:
    """This process's resident memory (RSS) in bytes, from /proc (0 where there is none)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def release_free_memory() -> int | None:
    """Give the C heap's free pages back to the OS (``malloc_trim``); how much RSS
    dropped (bytes), or None where the allocator is not glibc. Costs milliseconds: call
    when idle."""
    libc = _glibc()
    if libc is None:
        return None
    before = resident_bytes()
    libc.malloc_trim(0)
    return max(0, before - resident_bytes())
