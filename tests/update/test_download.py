"""Downloads over a link that drops, and the centre's update routes."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tuf.api import exceptions

from tests.update.conftest import Rig


class CuttingServer:
    """Serves the centre's repository like the centre does (with Range), but drops the
    connection of each bundle download after ``cut_at`` bytes, ``cuts`` times."""

    def __init__(self, base: Path, cut_at: int, cuts: int) -> None:
        self.base, self.cut_at, self.cuts = base, cut_at, cuts
        self.ranges: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 — http.server's name
                rel = self.path.removeprefix("/updates/")
                path = outer.base / rel
                if ".." in rel or not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                start = 0
                rng = self.headers.get("Range")
                if rel.startswith("targets/"):
                    outer.ranges.append(rng)
                if rng:
                    start = int(rng.removeprefix("bytes=").split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if rel.startswith("targets/") and outer.cuts > 0:
                    outer.cuts -= 1
                    self.wfile.write(body[: outer.cut_at])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)  # the link drops mid-file
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the update routes."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/updates"

    def __enter__(self) -> "CuttingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_download_cut_halfway_resumes_where_it_stopped(rig: Rig) -> None:
    rig.install_running("1.0")
    bundle = rig.release("1.1")
    size = bundle.stat().st_size
    with CuttingServer(rig.repo.base, cut_at=size // 2, cuts=1) as srv:
        up = rig.updater(url=srv.url)
        up.fetcher.attempts = 1
        # The link drops halfway: the half that arrived is kept …
        with pytest.raises(exceptions.DownloadError):
            up.stage("1.1")
        parts = list((rig.layout.state / "partial").glob("*.part"))
        assert len(parts) == 1 and parts[0].stat().st_size == size // 2
        # … and the next try asks only for the rest.
        up2 = rig.updater(url=srv.url)
        assert up2.stage("1.1") == "1.1"
    assert srv.ranges == [None, f"bytes={size // 2}-"]
    assert not list((rig.layout.state / "partial").glob("*.part"))


def test_cuts_within_one_call_are_resumed(rig: Rig) -> None:
    rig.install_running("1.0")
    bundle = rig.release("1.1")
    size = bundle.stat().st_size
    with CuttingServer(rig.repo.base, cut_at=size // 4, cuts=3) as srv:
        assert rig.updater(url=srv.url).stage("1.1") == "1.1"
    assert srv.ranges == [None, f"bytes={size // 4}-", f"bytes={size // 2}-", f"bytes={3 * size // 4}-"]


def test_rate_limit_paces_the_download(rig: Rig) -> None:
    import time

    rig.install_running("1.0")
    bundle = rig.release("1.1")
    kb = bundle.stat().st_size / 1024
    t0 = time.monotonic()
    rig.updater(rate_kbps=max(1, int(kb / 1.0))).fetch("1.1")  # about one second's worth
    assert time.monotonic() - t0 >= 0.8


def test_centre_serves_ranges_and_nothing_outside(rig: Rig) -> None:
    rig.release("1.1")
    assert rig.web is not None
    url = f"{rig.web.url}/targets/app/legal-kiosk-1.1.bundle"
    req = urllib.request.Request(url, headers={"Range": "bytes=10-19"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 206 and len(resp.read()) == 10
    with urllib.request.urlopen(f"{rig.web.url}/metadata/timestamp.json", timeout=10) as resp:
        assert b'"_type": "timestamp"' in resp.read()
    for bad in ("/metadata/..%2Fkeys%2Ftimestamp.pem", "/targets/app/..%2F..%2Fkeys%2Fsnapshot.pem",
                "/targets/keys/snapshot.pem", "/metadata/root.pem"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(rig.web.url + bad, timeout=10)
        assert err.value.code == 404, bad
