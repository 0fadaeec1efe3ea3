"""Legal Kiosk: the core of a public-legal-service terminal (no UI, no device libraries)."""

__version__ = "0.1.0"
