"""The fleet fixture (a real Mosquitto and centre) for the rating tests."""

from tests.fleet.conftest import fleet  # noqa: F401 — re-exported fixture
