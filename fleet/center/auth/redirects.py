"""Where a sign-in may send the browser next: only a path on this site."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit

# A browser removes tab and newline anywhere in a URL and strips leading and trailing
# controls and spaces, and reads a backslash as "/": so "/\t/evil.example" becomes
# "//evil.example", another site. Nothing outside printable ASCII is let through.
_PRINTABLE = frozenset(chr(c) for c in range(0x21, 0x7F)) - {"\\"}
_PROBE = "http://centre.invalid/"  # any origin: only whether the result stays on it matters


def safe_next(value: str | None) -> str:
    """``value`` if a browser sent there stays on this site at a path, else "".

    Accepted: a path starting with a single "/" (with a query and a fragment), made only
    of printable ASCII other than a backslash, with no empty segment ("//") in its
    path, no scheme and no host. It is rebuilt from its parts, so what is returned is
    what was checked."""
    if not value or len(value) > 2000 or not set(value) <= _PRINTABLE:
        return ""
    # Judged on the raw string too: urlsplit reads "///evil.example" as the path
    # "/evil.example", a browser as the host evil.example.
    raw_path = value.split("?", 1)[0].split("#", 1)[0]
    if not raw_path.startswith("/") or "//" in raw_path:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "//" in parts.path:
        return ""
    rebuilt = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    if not rebuilt.startswith("/") or rebuilt.startswith("//"):
        return ""
    landed = urlsplit(urljoin(_PROBE, rebuilt))
    if f"{landed.scheme}://{landed.netloc}/" != _PROBE:
        return ""
    return rebuilt
