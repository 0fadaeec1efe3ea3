"""Errors the core raises. Each carries a translation key for the person at the kiosk
and a plain English message for the technician."""

from __future__ import annotations


class KioskError(Exception):
    """Base of the core's errors. ``message_key`` names the Chinese-first message to show."""

    message_key = "error.generic"

    def __init__(self, detail: str, *, message_key: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if message_key is not None:
            self.message_key = message_key


class ConfigError(KioskError):
    """The configuration file is missing a value, has a wrong one, or an unknown key."""

    message_key = "error.config"


class CatalogError(KioskError):
    """A data file (service catalogue, translation catalogue) is invalid."""

    message_key = "error.catalog"


class DeviceError(KioskError):
    """A device could not be opened or answered wrongly."""

    message_key = "error.device"


class PrinterError(DeviceError):
    """A receipt could not be printed; ``status`` says why when the printer told us."""

    message_key = "printer.error"

    def __init__(self, detail: str, *, status: object | None = None, message_key: str | None = None) -> None:
        super().__init__(detail, message_key=message_key)
        self.status = status


class QueueError(KioskError):
    """A queue operation was refused (unknown service, ticket not in a callable state…)."""

    message_key = "error.queue"
