"""The window console's API on a real server (127.0.0.1): concurrent windows, actions, PIN."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig
from kiosk.tickets import Priority
from tests.calling.support import console, request


def seed(data_dir: Path, n: int) -> list[str]:
    terminal = build_terminal(KioskConfig(), data_dir, with_devices=False)
    services = ("consultation", "legal_aid", "mediation")
    return [terminal.queue.take(services[i % 3], Priority.ELDERLY if i % 5 == 0 else Priority.NORMAL).number for i in range(n)]


def test_windows_calling_at_once_on_two_consoles_never_get_the_same_ticket(data_dir: Path) -> None:
    issued = seed(data_dir, 60)
    called: list[tuple[int, str]] = []
    lock = threading.Lock()
    errors: list[object] = []

    start = threading.Barrier(4)

    with console(data_dir) as a, console(data_dir) as b:
        def window(base: str, number: int) -> None:
            start.wait()  # all four windows begin at the same moment
            # A window calling as fast as it can until nobody waits (calling the next
            # finishes the one before, as at a real window).
            while True:
                status, doc = request(base, "POST", "/api/call", {"window": number, "services": []})
                if status != 200:
                    errors.append((number, status, doc))
                    return
                if doc["ticket"] is None:
                    return
                with lock:
                    called.append((number, doc["ticket"]["number"]))

        threads = [threading.Thread(target=window, args=(base, w)) for base, w in ((a, 1), (b, 2), (a, 3), (b, 4))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        status, state = request(a, "GET", "/api/state?window=1&services=")
    assert errors == []
    numbers = [n for _, n in called]
    assert Counter(numbers).most_common(1)[0][1] == 1, "a ticket was called at two windows"
    assert sorted(numbers) == sorted(issued)
    # SQLite's lock is not fair — one process may take most of the calls — which is fine
    # at human pace: what matters is that no ticket is called twice, and none is lost.
    assert status == 200 and state["waiting_count"] == 0


def test_four_windows_calling_the_same_moment_get_four_different_tickets(data_dir: Path) -> None:
    issued = seed(data_dir, 4)
    start = threading.Barrier(4)
    got: dict[int, str] = {}
    with console(data_dir) as a, console(data_dir) as b:
        def window(base: str, number: int) -> None:
            start.wait()
            status, doc = request(base, "POST", "/api/call", {"window": number, "services": []})
            if status == 200 and doc["ticket"] is not None:
                got[number] = doc["ticket"]["number"]

        threads = [threading.Thread(target=window, args=(base, w)) for base, w in ((a, 1), (b, 2), (a, 3), (b, 4))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(got) == [1, 2, 3, 4]  # four calls at once, each got a ticket
    assert sorted(got.values()) == sorted(issued)  # four different ones


def test_console_actions_and_state(data_dir: Path) -> None:
    seed(data_dir, 6)  # A001 (elderly) B001 C001 A002 B002 C002 (elderly)
    with console(data_dir) as base:
        status, setup = request(base, "GET", "/api/setup?lang=zh_CN")
        assert status == 200 and setup["texts"]["call_next"] == "叫下一位" and not setup["pin_required"]
        assert [s["code"] for s in setup["services"]][:3] == ["consultation", "legal_aid", "mediation"]
        assert request(base, "GET", "/api/setup?lang=en")[1]["texts"]["call_next"] == "Call next"

        status, doc = request(base, "POST", "/api/sign-in", {"window": 2, "services": ["consultation"]})
        assert status == 200 and doc == {"window": 2, "services": ["consultation"]}
        assert request(base, "POST", "/api/sign-in", {"window": 2, "services": ["divorce"]})[0] == 400

        _, doc = request(base, "POST", "/api/call", {"window": 2, "services": ["consultation"]})
        assert doc["ticket"]["number"] == "A001" and doc["ticket"]["window"] == 2
        _, state = request(base, "GET", "/api/state?window=2&services=consultation")
        assert state["serving"]["number"] == "A001"
        assert [t["number"] for t in state["upcoming"]] == ["A002"] and state["waiting_count"] == 1

        _, doc = request(base, "POST", "/api/recall", {"window": 2})
        assert doc["ticket"]["recalls"] == 1
        # Transfer A001 to mediation: it goes ahead of C001 and C002, issued after it.
        _, doc = request(base, "POST", "/api/transfer", {"window": 2, "service": "mediation"})
        assert doc["ticket"]["number"] == "A001" and doc["ticket"]["service"] == "mediation" and doc["ticket"]["state"] == "waiting"
        _, state = request(base, "GET", "/api/state?window=3&services=mediation")
        assert state["serving"] is None
        assert [t["number"] for t in state["upcoming"]] == ["A001", "C002", "C001"]  # A001 and C002 are elderly

        status, doc = request(base, "POST", "/api/skip", {"window": 2})
        assert status == 409 and doc["error"] == "console.window_idle"
        _, doc = request(base, "POST", "/api/call", {"window": 3, "services": ["mediation"]})
        assert doc["ticket"]["number"] == "A001"
        _, doc = request(base, "POST", "/api/skip", {"window": 3})
        assert doc["ticket"]["state"] == "no_show"
        _, doc = request(base, "POST", "/api/call", {"window": 3, "services": ["mediation"]})
        _, doc = request(base, "POST", "/api/done", {"window": 3})
        assert (doc["ticket"]["number"], doc["ticket"]["state"]) == ("C002", "done")
        _, state = request(base, "GET", "/api/state?window=1&services=")
        assert state["windows"] == []  # nobody is being served anywhere now
        assert request(base, "POST", "/api/call", {"window": 0})[0] == 400
        assert request(base, "POST", "/api/call", ["not", "an", "object"])[0] == 400  # type: ignore[arg-type]


def test_a_site_pin_is_required_when_set(data_dir: Path) -> None:
    seed(data_dir, 1)
    with console(data_dir, pin="4321") as base:
        assert request(base, "GET", "/api/setup")[1]["pin_required"] is True
        status, doc = request(base, "POST", "/api/sign-in", {"window": 1, "services": [], "pin": "0000"})
        assert status == 403 and doc["error"] == "console.bad_pin"
        assert request(base, "POST", "/api/call", {"window": 1})[0] == 403
        assert request(base, "GET", "/api/state?window=1")[0] == 403
        assert request(base, "POST", "/api/sign-in", {"window": 1, "services": [], "pin": "4321"})[0] == 200
        status, doc = request(base, "POST", "/api/call", {"window": 1}, pin="4321")
        assert status == 200 and doc["ticket"]["number"] == "A001"
