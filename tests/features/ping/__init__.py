"""A toy feature, "ping": one state, one screen, one home tile. It lives in this
package alone and is added to a terminal by one registration (``REGISTRATION``), which
is what adding a real feature takes too (docs/architecture.md)."""

from kiosk.feature import Registration

REGISTRATION = Registration("tests.features.ping.core:setup", "tests.features.ping.ui:PingUi")
