"""A stand-in for CUPS's ``lp`` and ``lpstat``, for the simulator: run as
``python -m devices.a4printer.fakecups STATE_DIR lp|lpstat ARGS…``.

It answers what the real commands answer (with ``LC_ALL=C``) for the few calls the
driver makes, from a state directory: ``state`` holds ``ready``, ``stopped``, ``absent``
or ``fail_next`` (the next job fails and CUPS stops the queue, as ``ErrorPolicy
stop-printer`` does); each job's PDF is kept in ``jobs/`` (0600, the last few only).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

KEEP_JOBS = 10  # the simulator keeps the last few PDFs for a person to look at
STATES = ("ready", "stopped", "absent", "fail_next")


def read_state(root: Path) -> str:
    """The simulated printer's state (``ready`` when unset)."""
    try:
        value = (root / "state").read_text().strip()
    except OSError:
        return "ready"
    return value if value in STATES else "ready"


def write_state(root: Path, state: str) -> None:
    """Set the simulated printer's state."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "state").write_text(state + "\n")


def job_state(root: Path, number: int) -> int:
    """The IPP job-state of a simulated job (9 completed, 8 aborted)."""
    try:
        return int((root / "jobs" / f"{number:04d}.state").read_text())
    except (OSError, ValueError):
        return 9


def _queue_of(args: list[str]) -> str:
    for flag in ("-d", "-p", "-o"):
        if flag in args and args.index(flag) + 1 < len(args):
            return args[args.index(flag) + 1]
    return "sim"


def lpstat(root: Path, args: list[str]) -> int:
    """``lpstat -p Q`` and ``lpstat -W not-completed -o Q``; jobs finish at once."""
    queue = _queue_of(args)
    state = read_state(root)
    if state == "absent":
        print(f'lpstat: Invalid destination name in list "{queue}".', file=sys.stderr)
        return 1
    if "-r" in args:
        print("scheduler is running")
        return 0
    if "-W" in args:
        return 0  # nothing pending: the simulated printer prints at once
    if state == "stopped":
        print(f"printer {queue} disabled since Wed Dec  2 09:00:00 2026 -\n\tFilter failed")
    else:
        print(f"printer {queue} is idle.  enabled since Wed Dec  2 09:00:00 2026")
    return 0


def lp(root: Path, args: list[str]) -> int:
    """``lp -d Q -t TITLE … -``: keep the PDF from stdin, say the request id."""
    queue = _queue_of(args)
    state = read_state(root)
    if state == "absent":
        print("lp: The printer or class does not exist.", file=sys.stderr)
        return 1
    data = sys.stdin.buffer.read()
    jobs = root / "jobs"
    jobs.mkdir(parents=True, exist_ok=True)
    os.chmod(jobs, 0o700)
    number = 1 + max((int(p.stem.split("-")[0]) for p in jobs.glob("*.pdf") if p.stem.split("-")[0].isdigit()), default=0)
    path = jobs / f"{number:04d}.pdf"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    for old in sorted(jobs.glob("*.pdf"))[:-KEEP_JOBS]:
        old.unlink()
        old.with_suffix(".state").unlink(missing_ok=True)
    outcome = "9"  # IPP job-state: completed
    if state == "fail_next":
        write_state(root, "stopped")  # CUPS stops the queue when a job fails
        outcome = "8"  # aborted
    (jobs / f"{number:04d}.state").write_text(outcome)
    print(f"request id is {queue}-{number} (1 file(s))")
    return 0


def main(argv: list[str]) -> int:
    """Dispatch ``STATE_DIR lp|lpstat ARGS…``."""
    if len(argv) < 2 or argv[1] not in ("lp", "lpstat"):
        print("usage: fakecups STATE_DIR lp|lpstat ARGS…", file=sys.stderr)
        return 2
    root = Path(argv[0])
    return lp(root, argv[2:]) if argv[1] == "lp" else lpstat(root, argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
