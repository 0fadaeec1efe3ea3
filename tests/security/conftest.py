"""The fleet fixtures (a real Mosquitto on loopback, the centre's link and store)."""

from tests.fleet.conftest import Fleet, fleet, until  # noqa: F401  (fixtures re-exported)
