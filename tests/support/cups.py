"""A private CUPS scheduler for tests: its own config, spool and log under a temporary
directory, listening only on a Unix socket there (no system service, no systemd), with
cups-pdf queues whose PDFs land in a directory of the test's.

cups-pdf reads its settings from ``/etc/cups/cups-pdf-QUEUE.conf`` for a device URI
``cups-pdf:/QUEUE`` (the directory is compiled in), so each queue gets a name unique to
the process and its file there is removed when the scheduler stops.
Run by hand: ``python -m tests.support.cups DIR`` starts one and prints its socket.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CUPS_PDF_PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd"
CUPS_PDF_CONF_DIR = Path("/etc/cups")
_names = itertools.count(1)

_CUPSD_CONF = """\
Listen {sock}
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
ErrorPolicy stop-printer
<Location />
  Order allow,deny
  Allow from all
</Location>
<Location /admin>
  Order allow,deny
  Allow from all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

_FILES_CONF = """\
ServerRoot {d}/root
RequestRoot {d}/spool
CacheDir {d}/cache
StateDir {d}/state
TempDir {d}/tmp
ServerBin /usr/lib/cups
DataDir /usr/share/cups
AccessLog {d}/log/access_log
ErrorLog {d}/log/error_log
PageLog {d}/log/page_log
User lp
Group lp
SystemGroup root
"""


def available() -> str | None:
    """Why a private CUPS cannot run here, or None when it can."""
    if shutil.which("cupsd") is None and not Path("/usr/sbin/cupsd").exists():
        return "cupsd not installed (make debs: cups)"
    if not Path("/usr/lib/cups/backend/cups-pdf").exists():
        return "cups-pdf not installed (make debs: printer-driver-cups-pdf)"
    if shutil.which("lp") is None or shutil.which("lpadmin") is None:
        return "lp/lpadmin not installed (make debs: cups-client, cups-bsd)"
    if os.geteuid() != 0:
        return "cupsd drops to the lp user: needs root"
    return None


class PrivateCups:
    """One cupsd of the test's own. ``socket`` is its address for ``lp -h``."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.socket = str(base / "cups.sock")
        self.proc: subprocess.Popen[bytes] | None = None
        self.queues: list[str] = []

    def start(self) -> "PrivateCups":
        """Write the configuration and start cupsd in the foreground; wait for it."""
        d = self.base
        for sub in ("root", "spool", "cache", "state", "log"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        (d / "tmp").mkdir(exist_ok=True)
        shutil.chown(d / "tmp", "lp", "lp")  # filters run as lp and write their temporary files here
        os.chmod(d / "tmp", 0o700)
        for sub in ("spool", "cache"):
            shutil.chown(d / sub, "root", "lp")
            os.chmod(d / sub, 0o770)
        os.chmod(d, 0o755)
        (d / "root" / "cupsd.conf").write_text(_CUPSD_CONF.format(sock=self.socket))
        (d / "root" / "cups-files.conf").write_text(_FILES_CONF.format(d=d))
        self.proc = subprocess.Popen(["cupsd", "-f", "-c", str(d / "root" / "cupsd.conf"), "-s", str(d / "root" / "cups-files.conf")],
                                     stdout=subprocess.DEVNULL, stderr=open(d / "log" / "stderr", "wb"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.run("lpstat", "-r").stdout.startswith(b"scheduler is running"):
                return self
            time.sleep(0.1)
        raise RuntimeError(f"cupsd did not start: {(d / 'log' / 'stderr').read_text(errors='replace')}")

    def run(self, *cmd: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """A CUPS command against this scheduler."""
        return subprocess.run([cmd[0], "-h", self.socket, *cmd[1:]], input=data, capture_output=True,
                              env=dict(os.environ, LC_ALL="C"), timeout=30, check=False)

    def add_pdf_queue(self, out: Path, *, broken: bool = False) -> str:
        """A cups-pdf queue printing into ``out``; ``broken``: its output directory cannot
        be made, so every job fails and CUPS stops the queue."""
        name = f"kiosktest{os.getpid()}x{next(_names)}"
        target = Path("/dev/null/cannot") if broken else out
        if not broken:
            out.mkdir(parents=True, exist_ok=True)
        conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{name}.conf"
        conf.write_text(f"Out {target}\nAnonDirName {target}\nUserUMask 0077\n")
        self.queues.append(name)
        done = self.run("lpadmin", "-p", name, "-E", "-v", f"cups-pdf:/{name}", "-P", CUPS_PDF_PPD,
                        "-o", "printer-error-policy=stop-printer")
        if done.returncode != 0:
            raise RuntimeError(f"lpadmin failed: {done.stderr.decode(errors='replace')}")
        return name

    def stop(self) -> None:
        """Stop cupsd and remove the queues' cups-pdf settings."""
        for name in self.queues:
            (CUPS_PDF_CONF_DIR / f"cups-pdf-{name}.conf").unlink(missing_ok=True)
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def wait_for_pdf(out: Path, timeout: float = 60.0) -> Path:
    """The first PDF cups-pdf writes into ``out`` (complete: its size has settled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(out.glob("*.pdf"))
        if found and found[0].stat().st_size > 0:
            size = found[0].stat().st_size
            time.sleep(0.3)
            if found[0].stat().st_size == size:
                return found[0]
        time.sleep(0.2)
    raise TimeoutError(f"no PDF in {out} after {timeout} s")


if __name__ == "__main__":
    cups = PrivateCups(Path(sys.argv[1])).start()
    queue = cups.add_pdf_queue(Path(sys.argv[1]) / "out")
    print(f"cups://{queue}?server={cups.socket}", flush=True)
    try:
        cups.proc.wait() if cups.proc else None
    except KeyboardInterrupt:
        pass
    finally:
        cups.stop()
