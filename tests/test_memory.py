"""The allocator settings of the long-running app: once ``kiosk run`` has set glibc's
malloc, big blocks the app frees go back to the OS instead of staying in its heap.

Each check runs in a fresh interpreter (glibc's dynamic threshold is per-process
state), once with glibc's defaults as the control — which shows the difference is
there to see — and once tuned. The memory bound itself is the soak bench's to judge
(bench/bench_soak.py), not a test's.
"""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import pytest

from tests.support import PYTHON, ROOT, kiosk_env, stop_process, wait_for_screen

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the settings are glibc's")

# In a fresh process: free one big block (glibc would then raise its threshold to its
# size), allocate 60 blocks of 1 MiB and write them, one more above them (of their size:
# no free chunk can serve it, so it comes from the heap's top, which then cannot simply
# shrink), free the 60 and print how much RSS dropped.
_FREE_AFTER_BIG = """
import ctypes, sys
from kiosk import memory
applied = memory.tune_allocator().applied if sys.argv[1] == "tuned" else None
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(8 << 20))
blocks = [libc.malloc(1 << 20) for _ in range(60)]
for b in blocks:
    ctypes.memset(b, 1, 1 << 20)
pin = libc.malloc(1 << 20)
before = memory.resident_bytes()
for b in blocks:
    libc.free(b)
print((before - memory.resident_bytes()) >> 20, memory.big_blocks_returned(), applied)
"""


def _freed_mb(mode: str, **env: str) -> tuple[int, str, str]:
    proc = subprocess.run([PYTHON, "-c", _FREE_AFTER_BIG, mode], env={**kiosk_env(), **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    mb, returned, applied = proc.stdout.split()
    return int(mb), returned, applied


def test_freed_big_blocks_go_back_to_the_os_once_tuned() -> None:
    # glibc's defaults: after the big block, 1 MiB blocks live in the heap and stay.
    default_mb, default_returned, _ = _freed_mb("default")
    assert default_mb < 20 and default_returned == "False", (default_mb, default_returned)
    tuned_mb, tuned_returned, applied = _freed_mb("tuned")
    assert applied == "True" and tuned_mb >= 50 and tuned_returned == "True", (tuned_mb, tuned_returned, applied)


def test_kiosk_malloc_default_leaves_glibc_as_it_is() -> None:
    # What a technician sets to compare: the app then behaves like glibc's defaults.
    mb, returned, applied = _freed_mb("tuned", KIOSK_MALLOC="default")
    assert applied == "False" and mb < 20 and returned == "False", (mb, returned, applied)


def test_release_free_memory_gives_back_what_the_heap_kept() -> None:
    # The app trims when a visit ends: pages freed inside the heap go back then too.
    code = """
import ctypes
from kiosk import memory
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
blocks = [libc.malloc(100_000) for _ in range(600)]
for b in blocks:
    ctypes.memset(b, 1, 100_000)
pin = libc.malloc(100_000)  # from the top, like the others: the top cannot shrink
for b in blocks:
    libc.free(b)
print(memory.release_free_memory() >> 20)
"""
    proc = subprocess.run([PYTHON, "-c", code], env=kiosk_env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 40, proc.stdout


def test_kiosk_run_tunes_its_allocator(tmp_path: Path) -> None:
    data = tmp_path / "kiosk"
    app = subprocess.Popen([PYTHON, "-m", "kiosk.cli", "run", "--simulate"], env=kiosk_env(data), cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_screen(data, app, timeout=90)
    finally:
        stop_process(app)
    log = (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
    # The app's own process checked it: a big block freed after a bigger one is unmapped.
    assert "allocator: mmap threshold 128 KiB" in log and "freed big blocks go back to the OS: yes" in log, log[-2000:]
