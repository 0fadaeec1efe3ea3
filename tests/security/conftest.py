"""The fleet fixtures (a real Mosquitto, the centre's link and store) for these tests."""

from tests.fleet.conftest import fleet  # noqa: F401 — re-exported fixture
