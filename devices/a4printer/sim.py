"""``sim:`` for the A4 printer: the real CUPS driver (``CupsA4Printer``) running
stand-in ``lp`` and ``lpstat`` commands (``devices.a4printer.fakecups``) that answer as
CUPS does, so the simulator runs the driver's own code path: the commands, their
parsing, the job's follow-up, the faults. The PDFs it was given stay in
``DATA_DIR/a4printer/jobs/`` (0600, the last ten) for a person to look at.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from devices.a4printer.cups import CupsA4Printer
from devices.a4printer.fakecups import job_state, read_state, write_state
from devices.registry import DeviceContext
from kiosk.ports import SimAction

SIM_QUEUE = "sim-a4"


def _module_root() -> str:
    # The stand-in commands run this package's module from the same checkout.
    return str(Path(__file__).resolve().parents[2])


class SimA4Printer(CupsA4Printer):
    """The CUPS driver on the stand-in commands; ``sim_actions`` switch it to stopped,
    absent or "the next job fails", and back to ready."""

    def __init__(self, url: str, data_dir: Path, poll_interval: float = 1.0) -> None:
        self.root = data_dir / "a4printer"
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        command = [sys.executable, "-m", "devices.a4printer.fakecups", str(self.root)]
        path = os.pathsep.join(p for p in (_module_root(), os.environ.get("PYTHONPATH", "")) if p)
        super().__init__(url, SIM_QUEUE, lp=[*command, "lp"], lpstat=[*command, "lpstat"], timeout=30.0,
                         poll_interval=poll_interval, env={"PYTHONPATH": path},
                         job_state_of=lambda number: job_state(self.root, number))
        write_state(self.root, "ready")

    @property
    def jobs(self) -> list[Path]:
        """The PDFs printed so far (the last ten), oldest first."""
        return sorted((self.root / "jobs").glob("*.pdf"))

    @property
    def sim_state(self) -> str:
        """ready, stopped, absent or fail_next."""
        return read_state(self.root)

    def set_sim_state(self, state: str) -> None:
        """Switch the simulated queue; the health follows at the next check."""
        write_state(self.root, state)

    def sim_actions(self) -> list[SimAction]:
        """Ready / stopped / absent / next job fails, for the technician screen."""
        def setter(state: str) -> Callable[[], None]:
            return lambda: self.set_sim_state(state)

        return [SimAction(f"a4printer.{s}", f"sim.a4printer.{s}", setter(s)) for s in ("ready", "stopped", "absent", "fail_next")]


def open_sim_a4printer(url: str, ctx: DeviceContext) -> SimA4Printer:
    """Registry factory for ``sim:`` (the simulator imports its driver, never the reverse)."""
    return SimA4Printer(url, ctx.data_dir)
