"""Configuration: defaults, validation errors that name the key, where the data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_config, parse_config, resolve_data_dir
from kiosk.errors import ConfigError


def test_defaults_are_a_working_simulated_terminal() -> None:
    cfg = KioskConfig()
    assert cfg.devices.idcard == "sim:" and cfg.devices.printer == "sim:"
    assert cfg.language == "zh_CN"
    assert cfg.timeouts.elder_idle_seconds > cfg.timeouts.idle_seconds


def test_error_names_the_bad_key_and_the_unknown_key() -> None:
    text = '[devices]\nprinterr = "sim:"\n[timeouts]\nidle_seconds = 1\n'
    with pytest.raises(ConfigError) as err:
        parse_config(text, "site.toml")
    msg = str(err.value)
    assert "site.toml" in msg
    assert "devices.printerr: unknown key" in msg
    assert "timeouts.idle_seconds" in msg


def test_bad_device_url_and_bad_toml_are_reported() -> None:
    with pytest.raises(ConfigError, match="devices.printer"):
        parse_config('[devices]\nprinter = "not a url"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("terminal_id = \n")


def test_ticket_url_placeholders_are_checked() -> None:
    with pytest.raises(ConfigError, match="queue.ticket_url"):
        parse_config('[queue]\nticket_url = "https://x/{id_number}"\n')


def test_opening_hours() -> None:
    cfg = parse_config('[hours]\ndays = [1, 2, 3, 4, 5, 6]\nopen = 09:00:00\nclose = 12:00:00\n')
    from datetime import time

    assert cfg.hours.is_open(6, time(10, 0))
    assert not cfg.hours.is_open(7, time(10, 0))
    assert not cfg.hours.is_open(1, time(12, 0))


def test_data_dir_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(str(tmp_path / "cli")) == tmp_path / "cli"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("KIOSK_DATA_DIR")
    assert "legal-kiosk" in str(resolve_data_dir(None))


def test_load_config_from_data_dir_and_explicit_path(tmp_path: Path) -> None:
    assert load_config(None, tmp_path) == KioskConfig()  # absent default file: defaults
    (tmp_path / "kiosk.toml").write_text(
        'terminal_id = "HS-0042"\ncatalog = "my-catalog.toml"\n[fleet]\nbroker = "mqtt://127.0.0.1:1883"\ncredentials_file = "cred.json"\n',
        encoding="utf-8",
    )
    cfg = load_config(None, tmp_path)
    assert cfg.terminal_id == "HS-0042"
    assert cfg.catalog == tmp_path / "my-catalog.toml"  # relative to the config file
    assert cfg.fleet.credentials_file == tmp_path / "cred.json"
    assert cfg.fleet.ca_file is None
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", tmp_path)


def test_the_readme_examples_are_valid_configurations() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0] for part in readme.split("```toml\n")[1:]]
    configs = [parse_config(block, "README.md") for block in blocks]
    assert any(c.terminal_id == "HS-XL-0042" and c.devices.printer.startswith("escpos+serial://") for c in configs)
    assert any(c.fleet.enabled for c in configs)


def test_bom_is_dropped_and_non_utf8_names_file_and_offset(tmp_path: Path) -> None:
    bom = tmp_path / "bom.toml"
    bom.write_bytes("\ufeffsite_name = \"下陆区\"\n".encode("utf-8"))
    assert load_config(bom, tmp_path).site_name == "下陆区"
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xef\xbb\xbfhotline = \"12348\"\nsite_name = \"\xcf\xc2\"\n")
    with pytest.raises(ConfigError) as err:
        load_config(bad, tmp_path)
    offset = bad.read_bytes().index(b"\xcf")  # counted in the file, the BOM included
    assert str(err.value) == f"{bad}: not UTF-8 text: byte 0xcf at offset {offset}; save the file as UTF-8"


def test_catalogue_file_with_bom_or_bad_bytes(tmp_path: Path) -> None:
    from importlib import resources

    from kiosk.catalog import load_catalog
    from kiosk.errors import CatalogError

    shipped = resources.files("kiosk.data").joinpath("catalog.toml").read_bytes()
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + shipped)
    assert load_catalog(tmp_path / "bom.toml").services
    (tmp_path / "bad.toml").write_bytes(b"\xff" + shipped)
    with pytest.raises(CatalogError, match="not UTF-8 text: byte 0xff at offset 0"):
        load_catalog(tmp_path / "bad.toml")
