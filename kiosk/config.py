"""Terminal configuration: one TOML file, validated, with errors that name the bad key."""

from __future__ import annotations

import os
import re
from datetime import date, time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.datafile import parse_toml, read_utf8
from kiosk.errors import ConfigError
from kiosk.terminal_id import TerminalId

CONFIG_FILENAME = "kiosk.toml"
DATA_DIR_ENV = "KIOSK_DATA_DIR"
APP_NAME = "legal-kiosk"


class _Section(BaseModel):
    # Unknown keys are errors: a typo in a field name must not silently fall back to
    # a default on a terminal nobody can see.
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeviceUrls(_Section):
    """One URL per device (DESIGN.md "Devices are URLs"). ``sim:`` is the simulator;
    an empty string means the terminal has no such device."""

    idcard: str = "sim:"
    printer: str = "sim:"
    camera: str = "sim:"
    mic: str = "sim:"
    speaker: str = "sim:"
    a4printer: str = ""  # most terminals have none: documents then go to the receipt printer or a QR code

    @field_validator("*")
    @classmethod
    def _is_url(cls, value: str) -> str:
        if value and not re.match(r"^[a-z][a-z0-9+.-]*:", value) and not value.startswith("/") and value != "default":
            raise ValueError(f"not a device URL: {value!r} (e.g. 'sim:' or 'serial:///dev/ttyUSB0')")
        return value


class OpeningHours(_Section):
    """When staff are there to serve tickets. Outside these hours the kiosk still
    informs and prints materials lists, but says tickets are for the next opening."""

    days: tuple[int, ...] = (1, 2, 3, 4, 5)  # ISO weekdays, Monday = 1
    open: time = time(8, 30)
    close: time = time(17, 30)
    # Dates the windows stay shut although their weekday is an opening day (holidays).
    closed_dates: tuple[date, ...] = ()

    @field_validator("days")
    @classmethod
    def _days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if not all(1 <= d <= 7 for d in days):
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        return days

    def is_open(self, weekday: int, at: time) -> bool:
        """True when the service windows are staffed at that moment."""
        return weekday in self.days and self.open <= at < self.close


class Timeouts(_Section):
    """How long the kiosk waits before it asks "还在吗？" and then ends a visit."""

    idle_seconds: int = Field(default=60, ge=10, le=3600)
    # Elder mode: a longer wait, and the visit never ends without asking first.
    elder_idle_seconds: int = Field(default=180, ge=30, le=7200)
    # How long the "are you still there?" question stays before the visit ends.
    warning_seconds: int = Field(default=20, ge=5, le=600)
    # ...in elder or voice mode (reading or hearing the question takes longer), and in
    # the middle of a multi-step application or booking (answers would be lost).
    elder_warning_seconds: int = Field(default=60, ge=5, le=600)
    flow_warning_seconds: int = Field(default=45, ge=5, le=600)


class WaitingArea(_Section):
    """Where people wait for a service's calls, in both languages."""

    zh_CN: str = Field(min_length=1)
    en: str = ""


class QueueSettings(_Section):
    """Queue rules."""

    # Anti-starvation: after this many priority tickets called in a row for a
    # service while normal tickets wait, the oldest normal ticket is called next.
    max_priority_streak: int = Field(default=3, ge=1, le=50)
    # Outside opening hours: issue tickets for the next opening (true), or only say
    # when service resumes (false). See docs/queue.md, "Outside opening hours".
    after_hours_tickets: bool = True
    elderly_age: int = Field(default=60, ge=50, le=80)
    # The QR on a ticket: a page where the person can follow the queue. Placeholders:
    # {terminal_id}, {date}, {number}. Never personal data. Empty (the default): the
    # QR holds the ticket's own facts as text, never a page that does not exist.
    ticket_url: str = ""
    # Where to wait once the ticket is taken (printed on it and shown): the site's
    # waiting area, and per service code where a service has its own.
    waiting_area: str = ""
    waiting_area_en: str = ""
    waiting_areas: dict[str, WaitingArea] = {}
    # Where a service's tickets are called, per service code ("2号窗口"), in both languages.
    windows: dict[str, WaitingArea] = {}

    def window_for(self, service: str, language: str) -> str:
        """The window that calls ``service`` in ``language`` ("" when none is configured)."""
        window = self.windows.get(service)
        if window is None:
            return ""
        return window.en if language == "en" and window.en else window.zh_CN

    def waiting_area_for(self, service: str, language: str) -> str:
        """The waiting area of ``service`` in ``language`` ("" when none is configured)."""
        area = self.waiting_areas.get(service)
        if area is not None:
            return area.en if language == "en" and area.en else area.zh_CN
        return self.waiting_area_en if language == "en" and self.waiting_area_en else self.waiting_area

    @field_validator("ticket_url")
    @classmethod
    def _placeholders(cls, url: str) -> str:
        unknown = set(re.findall(r"{(\w*)}", url)) - {"terminal_id", "date", "number"}
        if unknown:
            raise ValueError(f"unknown placeholders {sorted(unknown)}; use {{terminal_id}}, {{date}}, {{number}}")
        return url


class Technician(_Section):
    """Access to the technician screen."""

    pin: str = Field(default="2580", pattern=r"^\d{4,8}$")


class FleetSettings(_Section):
    """The link to the centre (fleet/agent). No broker: the fleet is off and the
    terminal works on its own, keeping events in its outbox."""

    broker: str = ""  # mqtt://host:1883 (loopback only) or mqtts://host:8883
    username: str = ""  # default: the terminal id
    password: str = ""
    credentials_file: Path | None = None  # JSON {"username", "password"} (kiosk-center terminals add --json)
    ca_file: Path | None = None  # the centre's CA (kiosk-center tls init) for mqtts://
    telemetry_seconds: int = Field(default=30, ge=1, le=3600)
    will_delay_seconds: int = Field(default=10, ge=0, le=3600)

    @field_validator("broker")
    @classmethod
    def _broker_url(cls, url: str) -> str:
        if url and not re.match(r"^mqtts?://[^/:]+(:\d+)?/?$", url):
            raise ValueError(f"not a broker URL: {url!r} (e.g. 'mqtts://centre.example:8883')")
        return url

    @property
    def enabled(self) -> bool:
        """True when a broker is configured."""
        return bool(self.broker)


class UpdateSettings(_Section):
    """Signed software updates from the centre (fleet/update, docs/update.md). Empty
    ``centre_url``: updates are off."""

    centre_url: str = Field(default="", pattern=r"^(https?://[^/\s]+(/[^\s]*)?)?$")  # http(s)://centre:8080/updates
    prefix: Path = Path("/")  # the root that holds opt/legal-kiosk (tests: a temp dir)
    trusted_root: Path | None = None  # else PREFIX/opt/legal-kiosk/update/metadata/root.json (installed)
    rate_kbps: int = Field(default=0, ge=0, le=1_000_000)  # 0: no limit
    allowed_hours: tuple[int, int] = (0, 24)  # [from, to) hours; (2, 5) = 02:00–04:59
    confirm_minutes: float = Field(default=15.0, gt=0, le=24 * 60)

    @field_validator("allowed_hours")
    @classmethod
    def _hours(cls, hours: tuple[int, int]) -> tuple[int, int]:
        if not (0 <= hours[0] <= 23 and 1 <= hours[1] <= 24):
            raise ValueError("allowed_hours is [from, to] with 0 <= from <= 23 and 1 <= to <= 24")
        return hours


class CallingSettings(_Section):
    """Calling tickets: the window console, the calling display, announcements."""

    # Windows shown on the calling display, in order; empty: every window that calls.
    windows: tuple[int, ...] = ()
    notice: str = ""  # a line scrolling along the bottom of the calling display
    console_http: str = Field(default="127.0.0.1:8088", pattern=r"^[^:\s]+:\d{1,5}$")
    # The kiosk app announces calls on its own speaker (a site with no calling display).
    announce_in_app: bool = False


# --- remote video consultation (kiosk/video_call) -----------------------------------------
class IceServer(_Section):
    """One STUN/TURN server for WebRTC (e.g. the centre's coturn). Never a public server
    by default: with none configured, calls use host candidates only (a LAN or VPN)."""

    urls: tuple[str, ...] = Field(min_length=1)
    username: str = ""
    credential: str = ""

    @field_validator("urls")
    @classmethod
    def _ice_urls(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for u in urls:
            if not re.match(r"^(stun|stuns|turn|turns):[^\s]+$", u):
                raise ValueError(f"not an ICE server URL: {u!r} (e.g. 'turn:turn.example.gov.cn:3478?transport=udp')")
        return urls


class VideoSettings(_Section):
    """Video consultation with the centre's duty lawyers (remote_video/)."""

    enabled: bool = True  # shown only when the terminal also has a centre and a camera
    ice_servers: tuple[IceServer, ...] = ()
    # The village line: start here and step down when the path degrades (docs/video.md).
    max_bitrate_kbps: int = Field(default=500, ge=100, le=4000)
    width: int = Field(default=640, ge=160, le=1920)
    height: int = Field(default=480, ge=120, le=1080)
    fps: int = Field(default=15, ge=5, le=30)
    volume: int = Field(default=80, ge=0, le=100)  # the call's loudness, percent
    # The centre's policy on refused consent: True lets the person talk without
    # recording; False asks them to go back (and take a ticket) instead.
    allow_unrecorded: bool = True


# --- legal-aid applications (kiosk/legal_aid) --------------------------------------------
class LegalAidSettings(_Section):
    """Applying for legal aid at the terminal (docs/legal_aid.md). Without the centre's
    ``public_key`` the kiosk takes no application (it could not keep it unreadable) and
    offers a ticket for the window instead."""

    # The centre's X25519 public key (base64), printed by `kiosk-center intake key`;
    # usually pushed to terminals as desired configuration.
    public_key: str = ""
    centre_name: str = "法律援助中心"
    centre_name_en: str = "Legal Aid Centre"
    centre_address: str = ""
    centre_address_en: str = ""
    centre_phone: str = "12348"
    # The QR on the receipt: the centre's public progress page. Placeholders: {number}
    # (the application number) and {code} (its check code). Never personal data. Empty
    # (the default): the QR holds the number and code as text, never a placeholder link.
    progress_url: str = ""
    # Four digits in every application number from this terminal (default: derived
    # from the terminal id); give each terminal its own to keep numbers unique.
    number_prefix: str = Field(default="", pattern=r"^(\d{4})?$")

    @field_validator("progress_url")
    @classmethod
    def _progress_placeholders(cls, url: str) -> str:
        unknown = set(re.findall(r"{(\w*)}", url)) - {"number", "code"}
        if unknown:
            raise ValueError(f"unknown placeholders {sorted(unknown)}; use {{number}}, {{code}}")
        return url


# --- appointments (kiosk/appointments) -----------------------------------------------
class AppointmentSettings(_Section):
    """Booking visits at the terminal (docs/appointments.md); slots come from the centre."""

    site_address: str = ""  # printed on the slip: where to come
    site_address_en: str = ""
    days: int = Field(default=7, ge=1, le=31)  # working days offered ahead
    # Check-in: from this long before the slot; later than ``late_minutes`` after its
    # start the person joins the queue as a walk-in.
    early_minutes: int = Field(default=60, ge=0, le=480)
    late_minutes: int = Field(default=15, ge=0, le=240)
    # The QR on the slip: where to see or change the booking. Placeholder {code}.
    slip_url: str = "https://12348.example.gov.cn/appointment?c={code}"


# --- law look-up (kiosk/lookup) ---------------------------------------------------------
class LookupSettings(_Section):
    """The law library (docs/lookup.md): a content package replaceable without a software
    update. Default file: ``<data_dir>/lookup/library.sqlite3``."""

    library: Path | None = None
    # Where a phone reads an article (its QR code on screen and on paper); empty: no QR.
    # Placeholders: {title} (short title, URL-encoded), {number}, {sub}, {version}.
    url_template: str = ""
    # Where a phone reads a guide (办事指南, its QR code on paper); empty: no QR.
    # Placeholders: {id} (the guide's id), {title} (URL-encoded).
    guide_url_template: str = ""


# --- unattended running (docs/terminal.md) ------------------------------------------------
class ScheduleSettings(_Section):
    """What the terminal does by itself: the screen off outside opening hours (a touch,
    a card or a voice wakes it), a nightly restart at a quiet hour (never during a
    visit), a power-on alarm where the machine has an RTC, and the frozen-screen watch."""

    screen_off: bool = True
    screen_on_before_minutes: int = Field(default=15, ge=0, le=240)  # on before opening
    screen_off_after_minutes: int = Field(default=30, ge=0, le=240)  # off this long after closing
    wake_minutes: int = Field(default=5, ge=1, le=120)  # awake this long after a touch at night
    # /sys/class/backlight/<name> to switch off with the screen; "" finds the first one,
    # "none" leaves the backlight alone (a black screen only).
    backlight: str = ""
    nightly_restart: time | None = time(3, 30)
    power_on: time | None = None  # RTC alarm (rtcwake) for the next opening day
    # The attract screen's clock changes every minute: unchanged this long means frozen.
    frozen_screen_minutes: int = Field(default=60, ge=2, le=1440)
    # A terminal runs for weeks: should its memory (RSS) ever pass this, it restarts the
    # next time it stands idle on the attract screen, never during a visit. Well above a
    # kiosk's own use with the speech model loaded (docs/performance.md); 0: no bound.
    memory_restart_mb: int = Field(default=1536, ge=0, le=65536)

    @field_validator("memory_restart_mb")
    @classmethod
    def _memory_bound(cls, v: int) -> int:
        # Below what any kiosk uses idle, every run would end in a restart.
        if 0 < v < 256:
            raise ValueError("0 (no bound) or at least 256 MB")
        return v


# --- the wake word (kiosk/wake) -----------------------------------------------------------
# Ordinary words the recogniser may hear other speech as, so that it is not forced onto
# the name: greetings (你好 alone is not the name) and what people say in a legal service
# room. None may sound like a word of the name, or the name itself is heard as it
# (docs/voice.md). Words the model cannot spell are left out of the grammar (logged once).
_WAKE_DECOYS = (
    "你好", "您好", "谢谢", "请问", "什么", "怎么", "怎么办", "没有", "知道", "可以", "我们", "你们",
    "他们", "这个", "那个", "现在", "时候", "今天", "明天", "工作", "问题", "一下", "好的", "不是",
    "对不起", "再见", "孩子", "法律", "律师", "咨询", "办理", "排队", "取号",
    "老师", "多少", "身份证", "窗口",
)


def _wake_words(text: str) -> str:
    # Letters of any script (汉字, 한글, Latin) and single spaces between words: what a
    # recogniser's vocabulary can spell. Digits and punctuation are said differently
    # by different people.
    words = text.split()
    if not words or not all(ch.isalpha() for w in words for ch in w):
        raise ValueError(f"{text!r}: letters only (汉字 or another script), words separated by single spaces")
    return " ".join(words)


class WakeSettings(_Section):
    """The wake word (docs/voice.md "Wake word"): on the attract screen the terminal
    listens for its name and starts voice mode. Never without a speech model."""

    enabled: bool = True
    phrase: str = Field(default="你好小法", min_length=2, max_length=16)
    # How sure the recogniser must be of each word of the name (0–1): higher means fewer
    # false wakes in a noisy hall and more names missed (figures in docs/voice.md).
    threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    decoys: tuple[str, ...] = Field(default=_WAKE_DECOYS, max_length=200)

    @field_validator("phrase")
    @classmethod
    def _phrase(cls, value: str) -> str:
        phrase = _wake_words(value)
        if len(phrase.replace(" ", "")) < 2:
            raise ValueError("the name must be at least two characters long")
        return phrase

    @field_validator("decoys")
    @classmethod
    def _decoys(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_wake_words(v) for v in values)
class PresenceSettings(_Section):
    """Noticing people with the camera (docs/presence.md): anonymous, nothing kept."""

    enabled: bool = True
    fps: float = Field(default=4.0, ge=1.0, le=15.0)  # looks a second
    engage_seconds: float = Field(default=1.5, ge=0.5, le=10.0)  # facing the screen this long: engaged
    engage_size: float = Field(default=0.22, gt=0.05, lt=1.0)  # face height over frame height: close enough
    leave_seconds: float = Field(default=2.0, ge=0.5, le=30.0)  # out of view this long: gone
    greet: bool = True
    greeting: str = Field(default="", max_length=60)  # "": the catalogue's presence.greeting
    quiet_hours: tuple[int, int] = (20, 8)  # [from, to) local hours: no greeting aloud
    detector: str = Field(default="devices.camera.presence:open_face_finder", pattern=r"^[\w.]+:\w+$")

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not all(0 <= h <= 24 for h in v):
            raise ValueError("quiet_hours are hours 0-24, e.g. [20, 8]")
        return v


class KioskConfig(_Section):
    """The whole configuration of one terminal."""

    terminal_id: TerminalId = "T0001"
    site_name: str = Field(default="公共法律服务工作室", min_length=1)
    site_name_en: str = "Public Legal Service Room"
    hotline: str = "12348"
    language: str = Field(default="zh_CN", pattern=r"^(zh_CN|en)$")
    catalog: Path | None = None  # a site's own catalogue file; default: the shipped one
    devices: DeviceUrls = DeviceUrls()
    hours: OpeningHours = OpeningHours()
    timeouts: Timeouts = Timeouts()
    queue: QueueSettings = QueueSettings()
    technician: Technician = Technician()
    fleet: FleetSettings = FleetSettings()
    calling: CallingSettings = CallingSettings()
    video: VideoSettings = VideoSettings()
    legal_aid: LegalAidSettings = LegalAidSettings()
    appointments: AppointmentSettings = AppointmentSettings()
    update: UpdateSettings = UpdateSettings()  # signed software updates (fleet/update)
    lookup: LookupSettings = LookupSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    wake: WakeSettings = WakeSettings()
    presence: PresenceSettings = PresenceSettings()


def parse_config(text: str, source: str = "<config>") -> KioskConfig:
    """Parse and validate configuration TOML."""
    return parse_toml(text, source, KioskConfig, "configuration", ConfigError)


def resolve_data_dir(cli_value: str | os.PathLike[str] | None) -> Path:
    """``--data-dir``, else ``$KIOSK_DATA_DIR``, else the platform's user data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir  # deferred: only when no data directory is given

    return Path(user_data_dir(APP_NAME, appauthor=False))


def load_config(path: str | os.PathLike[str] | None, data_dir: Path) -> KioskConfig:
    """Load ``path`` (``--config``), else ``<data_dir>/kiosk.toml`` if present, else defaults.

    A path given explicitly must exist; the default one may be absent.
    """
    if path is not None:
        p = Path(path).expanduser()
        if not p.is_file():
            raise ConfigError(f"{p}: configuration file not found")
    else:
        p = data_dir / CONFIG_FILENAME
        if not p.is_file():
            return KioskConfig()
    cfg = parse_config(read_utf8(p, ConfigError), str(p))
    # Relative paths in the file are relative to the file, wherever the kiosk runs from.
    def near(path: Path | None) -> Path | None:
        return p.parent / path if path is not None and not path.is_absolute() else path

    fleet = cfg.fleet.model_copy(update={"credentials_file": near(cfg.fleet.credentials_file), "ca_file": near(cfg.fleet.ca_file)})
    return cfg.model_copy(update={"catalog": near(cfg.catalog), "fleet": fleet})
