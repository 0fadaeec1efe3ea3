"""The feature registry: each feature stands alone; a step into a feature that is not
registered is left out rather than leading to a screen nobody brings."""

from __future__ import annotations

from pathlib import Path

from kiosk import events as ev
from kiosk.bootstrap import FEATURES, build_terminal
from kiosk.config import KioskConfig
from kiosk.ratings.events import RatingOpened
from kiosk.states import VisitState
from kiosk.video_call import events as call_ev
from kiosk.video_call.states import VideoCallState


def test_each_feature_brings_its_own_states_screens_and_tiles(tmp_path: Path) -> None:
    t = build_terminal(KioskConfig(), tmp_path, with_devices=False)
    features = t.flow.features
    assert [f.name for f in features] == ["legal_aid", "appointments", "ratings", "video_call", "lookup", "publicity", "wake", "documents", "presence", "mediation"]
    for f in features:
        # Every state a feature owns has its screen, named after it, in the feature's package.
        assert sorted(f.screens) == sorted(s.value for s in f.states), f.name
        assert all(path.startswith(f"screens.{f.name}.") for path in f.screens.values()), f.name
    tiles = {x.action: x for x in features.tiles()}
    assert set(tiles) == {"la:open", "la:progress_open", "appt:open", "rate:ticket", "call:open", "law:open", "law:open:guides", "doc:open", "mediation:open"}
    # No call port here (no devices wired): the video tile is not offered, and not explained.
    answer = tiles["call:open"].availability()
    assert not answer and getattr(answer, "hidden", False)
    # No centre: no mediation invitation, so no tile (and nothing to explain).
    answer = tiles["mediation:open"].availability()
    assert not answer and getattr(answer, "hidden", False)


def test_without_ratings_the_call_ends_without_a_rating_step(tmp_path: Path) -> None:
    without = tuple(r for r in FEATURES if not r.core.startswith("kiosk.ratings."))
    t = build_terminal(KioskConfig(), tmp_path, with_devices=False, features=without)
    f = t.flow
    assert f.features.get("ratings") is None
    f.handle(ev.Started())
    f.handle(call_ev.CallOpened())
    f.handle(call_ev.CallConsented(record=True))
    assert f.handle(call_ev.CallEnded("c1", "no_lawyer")) is VideoCallState.CALL_ENDED
    assert f.handle(RatingOpened("video")) is VideoCallState.CALL_ENDED  # nobody brings the rating screen
    assert f.handle(ev.HomePressed()) is VisitState.HOME


def test_with_ratings_the_call_ends_in_its_rating(tmp_path: Path) -> None:
    t = build_terminal(KioskConfig(), tmp_path, with_devices=False)
    f = t.flow
    f.handle(ev.Started())
    f.handle(call_ev.CallOpened())
    f.handle(call_ev.CallConsented(record=True))
    f.handle(call_ev.CallEnded("c1", "lawyer_hung_up"))
    assert f.handle(RatingOpened("video")).value == "rate"
