"""Wiring a terminal: a missing or broken device never stops the kiosk."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path

from kiosk.bootstrap import build_terminal
from kiosk.config import parse_config
from kiosk.ports import DeviceKind, DeviceState, PrinterStatus, Simulated
from kiosk.receipt import test_receipt as sample_receipt
from kiosk.terminal import AbsentDevice, PendingDevice


def test_devices_start_pending_then_open_or_stand_absent(data_dir: Path) -> None:
    cfg = parse_config('[devices]\nidcard = "nosuch://x"\nprinter = ""\ncamera = "sim:"\nmic = "sim:"\nspeaker = "sim:"\n')
    terminal = build_terminal(cfg, data_dir)
    assert isinstance(terminal.devices[DeviceKind.IDCARD], PendingDevice)
    assert terminal.devices[DeviceKind.IDCARD].health().state is DeviceState.UNKNOWN
    assert isinstance(terminal.devices[DeviceKind.PRINTER], AbsentDevice)  # "" = none
    events: list[object] = []
    terminal.start_devices(events.append).join(timeout=10)
    try:
        assert terminal.devices_ready.is_set()
        reader = terminal.devices[DeviceKind.IDCARD].health()
        assert reader.state is DeviceState.ABSENT and "unsupported URL 'nosuch://x'" in reader.detail
        assert terminal.devices[DeviceKind.PRINTER].health().detail == "not configured"
        assert terminal.devices[DeviceKind.SPEAKER].health().state is DeviceState.READY
        terminal.open_devices()  # a second call opens nothing twice
    finally:
        terminal.close()


def test_simulate_replaces_every_url(data_dir: Path) -> None:
    cfg = parse_config('[devices]\nidcard = "serial:///dev/ttyNOSUCH"\nprinter = "escpos+tcp://127.0.0.1:9"\n')
    terminal = build_terminal(cfg, data_dir, simulate=True)
    assert {d.url for d in terminal.devices.values()} == {"sim:"}


def _wait(pred, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return bool(pred())


def test_each_device_is_handed_out_as_its_port_once_open(data_dir: Path) -> None:
    """Until the devices have started nothing is handed out; then each works as its
    port says: the printer prints, the speaker speaks, the camera gives frames, the
    microphone gives audio, the speaker's level can be set."""
    terminal = build_terminal(parse_config(""), data_dir, simulate=True)
    assert (terminal.card_reader(), terminal.printer(), terminal.camera(), terminal.mic(), terminal.speaker()) == (None,) * 5
    assert terminal.volume_control() is None and terminal.sim_devices() == []
    terminal.start_devices(lambda event: None).join(timeout=10)
    try:
        reader, printer, camera, mic, speaker = (terminal.card_reader(), terminal.printer(), terminal.camera(),
                                                 terminal.mic(), terminal.speaker())
        assert reader is terminal.devices[DeviceKind.IDCARD] and reader.health().kind is DeviceKind.IDCARD
        assert printer is not None and camera is not None and mic is not None and speaker is not None
        printer.print_receipt(sample_receipt(terminal.config))
        assert (data_dir / "printer" / "last.bin").stat().st_size > 0  # what the fake printer received
        assert printer.last_status is PrinterStatus.READY
        speaker.say("请到三号窗口")
        assert _wait(lambda: speaker.spoken() == ["请到三号窗口"])
        assert _wait(lambda: camera.latest_frame() is not None)
        chunk = next(iter(mic.chunks(seconds=0.1)))
        assert chunk.sample_rate == 16000 and len(chunk.pcm) > 0
        volume = terminal.volume_control()
        assert volume is speaker
        volume.set_volume(30)
        assert volume.volume == 30
    finally:
        terminal.close()


def test_absent_or_unfit_devices_are_not_handed_out(data_dir: Path) -> None:
    """A device that is not configured, or whose URL no driver takes, stands absent in
    the table (for the technician) and is never handed out as a port."""
    cfg = parse_config('[devices]\nidcard = "nosuch://x"\nprinter = ""\ncamera = ""\nmic = ""\nspeaker = "sim:"\n')
    terminal = build_terminal(cfg, data_dir)
    terminal.start_devices(lambda event: None).join(timeout=10)
    try:
        assert terminal.devices[DeviceKind.PRINTER].health().state is DeviceState.ABSENT
        assert (terminal.card_reader(), terminal.printer(), terminal.camera(), terminal.mic()) == (None,) * 4
        assert terminal.speaker() is terminal.devices[DeviceKind.SPEAKER]
    finally:
        terminal.close()


def test_simulators_are_known_by_what_they_are_not_by_their_url(data_dir: Path, tmp_path: Path) -> None:
    """A recording standing in for the microphone and a speaker writing WAV files are
    real adapters, not simulators: the technician screen offers no controls for them,
    and a video call plays and sends their sound. Every ``sim:`` device offers its
    controls, each named after its device."""
    wav = tmp_path / "quiet.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 1600)
    cfg = parse_config(f'[devices]\nidcard = ""\nprinter = ""\ncamera = ""\nmic = "wav://{wav}"\n'
                       f'speaker = "espeak+wav://{tmp_path / "said"}?realtime=0"\n')
    real = build_terminal(cfg, data_dir)
    real.open_devices()
    try:
        mic, speaker = real.mic(), real.speaker()
        assert mic is not None and speaker is not None
        assert not isinstance(mic, Simulated) and not isinstance(speaker, Simulated)
        assert real.sim_devices() == []
    finally:
        real.close()
    sims = build_terminal(parse_config(""), tmp_path / "sim", simulate=True)
    sims.open_devices()
    try:
        owners = {action.action_id.split(".")[0] for device in sims.sim_devices() for action in device.sim_actions()}
        assert owners == {kind.value for kind in DeviceKind}
    finally:
        sims.close()


def test_no_microphone_means_no_speech_model_loaded(data_dir: Path) -> None:
    """Voice input needs something to hear with: without a microphone the installed
    speech model (hundreds of MB, seconds to load) is not loaded at all."""
    model = data_dir / "models" / "vosk-small-cn"
    for name, data in {"am/final.mdl": b"acoustic", "conf/model.conf": b"\n", "graph/HCLr.fst": b"h", "graph/Gr.fst": b"g"}.items():
        (model / name).parent.mkdir(parents=True, exist_ok=True)
        (model / name).write_bytes(data)
    with_mic = build_terminal(parse_config(""), data_dir, simulate=True)
    with_mic.open_devices()
    try:
        assert with_mic.voice_input_factory is not None and with_mic.voice_input_factory() is not None
    finally:
        with_mic.close()
    cfg = parse_config('[devices]\nidcard = ""\nprinter = ""\ncamera = ""\nmic = ""\nspeaker = "sim:"\n')
    deaf = build_terminal(cfg, data_dir)
    deaf.open_devices()
    try:
        assert deaf.voice_input_factory is not None and deaf.voice_input_factory() is None
    finally:
        deaf.close()


def test_closing_while_the_devices_still_start_leaves_nothing_running(data_dir: Path) -> None:
    """systemd stops a slow board during start-up: the devices the worker has not opened
    yet are not opened after the terminal closed (their threads would keep the process
    alive), and one it was opening meanwhile is closed."""
    before = set(threading.enumerate())
    terminal = build_terminal(parse_config(""), data_dir, simulate=True)
    worker = terminal.start_devices(lambda event: None)
    terminal.close()
    worker.join(timeout=30)
    assert not worker.is_alive()

    def running() -> list[str]:
        return [t.name for t in threading.enumerate() if t not in before and t.is_alive()]

    assert _wait(lambda: not running()), running()
