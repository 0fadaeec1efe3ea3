"""``kiosk-center tls init``: a CA and a broker certificate for a site that has none
(openssl, which every Debian has)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _run(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def init_tls(directory: Path, hosts: list[str], days: int = 3650) -> dict[str, Path]:
    """Create ``ca.crt/ca.key`` (once) and ``server.crt/server.key`` for ``hosts``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = directory / "ca.key", directory / "ca.crt"
    if not ca_crt.exists():
        _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", str(days),
             "-subj", "/CN=Legal Kiosk fleet CA", "-keyout", str(ca_key), "-out", str(ca_crt))
    key, csr, crt = directory / "server.key", directory / "server.csr", directory / "server.crt"
    _run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={hosts[0]}", "-keyout", str(key), "-out", str(csr))
    san = ",".join(("IP:" if h.replace(".", "").isdigit() or ":" in h else "DNS:") + h for h in hosts)
    ext = directory / "server.ext"
    ext.write_text(f"subjectAltName={san}\nextendedKeyUsage=serverAuth\n")
    _run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial", "-days", str(days), "-out", str(crt), "-extfile", str(ext))
    csr.unlink()
    ext.unlink()
    for p in (ca_key, key):
        p.chmod(0o600)
    return {"ca": ca_crt, "cert": crt, "key": key}
