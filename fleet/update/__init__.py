"""Signed software updates on a terminal: the version layout under /opt/legal-kiosk,
release bundles, the TUF client that fetches them, and the health gate that switches
back to the previous version when a new one does not prove itself (docs/update.md)."""
