"""The TUF client's network: plain HTTP(S) with resumable downloads.

A village link drops often and is slow; a bundle is tens of megabytes. A target is
written into ``<partial>/<hash of url>.part`` and a cut connection leaves what arrived
there: the next attempt (in the same call or a later one) asks for the rest with an
HTTP ``Range`` header. A rate limit in KB/s leaves room for the terminal's other
traffic (video calls). The TUF updater verifies length and hashes of what this yields
before anything uses it; a file that fails that check is deleted, not resumed.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from tuf.api import exceptions
from tuf.ngclient import FetcherInterface

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


class ResumingFetcher(FetcherInterface):
    """HTTP fetcher with resume into ``partial_dir`` and a rate limit (0: none)."""

    def __init__(self, partial_dir: Path, *, rate_kbps: int = 0, timeout: float = 30.0, attempts: int = 5) -> None:
        self.partial_dir = partial_dir
        self.rate_kbps = rate_kbps
        self.timeout = timeout
        self.attempts = attempts
        # Only URLs under this prefix (the targets) are resumed; None: every URL.
        self.resume_under: str | None = None

    def _request(self, url: str, start: int = 0) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise exceptions.DownloadError(f"not an http(s) URL: {url}")
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = cls(parts.hostname, parts.port, timeout=self.timeout)
        headers = {"Range": f"bytes={start}-"} if start else {}
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        return conn, conn.getresponse()

    def _fetch(self, url: str) -> Iterator[bytes]:
        conn, resp = self._request(url)
        if resp.status != 200:
            conn.close()
            raise exceptions.DownloadHTTPError(f"{url}: HTTP {resp.status}", resp.status)

        def chunks() -> Iterator[bytes]:
            try:
                while block := resp.read(CHUNK):
                    yield block
            finally:
                conn.close()

        return chunks()

    def part_path(self, url: str) -> Path:
        """Where the partial download of ``url`` is kept."""
        return self.partial_dir / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".part")

    @contextmanager
    def download_file(self, url: str, max_length: int) -> Iterator[IO[bytes]]:
        """Download ``url`` (at most ``max_length`` bytes), resuming a partial file;
        yields it opened for reading. Raises ``DownloadError`` when every attempt was cut
        (what arrived is kept for the next call)."""
        if self.resume_under is not None and not url.startswith(self.resume_under):
            # Metadata is small and changes between tries: fetch it whole, never resume.
            with super().download_file(url, max_length) as f:
                yield f
            return
        self.partial_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        part = self.part_path(url)
        last: Exception | None = None
        for _ in range(self.attempts):
            try:
                if self._continue(url, part, max_length):
                    break
            except exceptions.DownloadHTTPError:
                raise
            except (OSError, http.client.HTTPException) as exc:
                last = exc
                log.info("download of %s cut at %d bytes (%s); resuming", url, part.stat().st_size if part.exists() else 0, exc)
                time.sleep(0.2)
        else:
            raise exceptions.DownloadError(f"{url}: cut {self.attempts} times ({last}); {part.stat().st_size if part.exists() else 0} bytes kept")
        f = open(part, "rb")
        try:
            yield f
        except BaseException:
            # Failed verification: these bytes are wrong, never resume from them.
            f.close()
            part.unlink(missing_ok=True)
            raise
        else:
            f.close()
            part.unlink(missing_ok=True)

    def _continue(self, url: str, part: Path, max_length: int) -> bool:
        """One attempt; True when the whole file is in ``part``."""
        have = part.stat().st_size if part.exists() else 0
        if have > max_length:
            part.unlink()
            have = 0
        if have == max_length and have > 0:
            return True  # all there from an earlier try; the hashes will tell
        conn, resp = self._request(url, have)
        try:
            if resp.status == 416:  # the partial file is not a prefix of this file any more
                part.unlink(missing_ok=True)
                raise http.client.HTTPException("range not satisfiable; starting over")
            if resp.status == 206:
                crange = resp.getheader("Content-Range", "")
                if not crange.startswith(f"bytes {have}-"):
                    raise exceptions.DownloadError(f"{url}: server sent {crange!r} for bytes {have}-")
                mode = "ab"
            elif resp.status == 200:
                have, mode = 0, "wb"  # the server ignored the range: start over
            else:
                raise exceptions.DownloadHTTPError(f"{url}: HTTP {resp.status}", resp.status)
            expected = resp.getheader("Content-Length")
            started, got = time.monotonic(), 0
            with open(part, mode) as out:
                while block := resp.read(CHUNK):
                    got += len(block)
                    if have + got > max_length:
                        raise exceptions.DownloadLengthMismatchError(f"{url}: more than {max_length} bytes")
                    out.write(block)
                    out.flush()
                    if self.rate_kbps > 0:
                        ahead = got / (self.rate_kbps * 1024) - (time.monotonic() - started)
                        if ahead > 0:
                            time.sleep(ahead)
            if expected is not None and got < int(expected):
                raise http.client.IncompleteRead(b"", int(expected) - got)
            return True
        except exceptions.DownloadLengthMismatchError:
            part.unlink(missing_ok=True)
            raise
        finally:
            conn.close()
