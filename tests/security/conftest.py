"""Fixtures of the security tests: the fleet (a real Mosquitto on loopback, the centre's
link and store), the centre with its web server and intake, the appointment centre."""

from tests.appointments.conftest import appt_fleet  # noqa: F401  (fixtures re-exported)
from tests.fleet.conftest import Fleet, fleet, until  # noqa: F401
from tests.legal_aid.conftest import centre, centre_dir, keys  # noqa: F401
