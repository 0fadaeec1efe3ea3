"""The fleet fixtures (a real Mosquitto, the centre's link and store) for the video tests."""

from tests.fleet.conftest import fleet  # noqa: F401 — re-exported fixture
