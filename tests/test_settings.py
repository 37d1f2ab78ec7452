"""Settings precedence: defaults < TOML file < GOVINSPECT_* environment < explicit values."""

from pathlib import Path

import pytest

from govinspect.errors import ConfigError
from govinspect.settings import load_settings


def test_defaults_are_polite_and_safe() -> None:
    s = load_settings()
    assert s.fetch.allow_private is False
    assert s.fetch.obey_robots is True
    assert s.fetch.total_timeout == 15.0
    assert s.fetch.max_redirects == 10
    assert s.crawl.page_budget == 300
    assert "govinspect/" in s.fetch.effective_user_agent()
    assert s.fetch.contact_url in s.fetch.effective_user_agent()


def test_precedence_file_env_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text('profile = "from-file"\n[fetch]\nper_host_rate = 3.0\ntotal_timeout = 9.0\n'
                   '[crawl]\npage_budget = 50\n', encoding="utf-8")
    s = load_settings(cfg)
    assert (s.profile, s.fetch.per_host_rate, s.fetch.total_timeout, s.crawl.page_budget) == ("from-file", 3.0, 9.0, 50)

    monkeypatch.setenv("GOVINSPECT_FETCH__TOTAL_TIMEOUT", "7")
    monkeypatch.setenv("GOVINSPECT_FETCH__ALLOW_PRIVATE", "1")
    s = load_settings(cfg)
    assert s.fetch.total_timeout == 7.0  # env beats file
    assert s.fetch.per_host_rate == 3.0  # file value kept where env is silent
    assert s.fetch.allow_private is True

    s = load_settings(cfg, fetch={"total_timeout": 2.0}, profile=None)
    assert s.fetch.total_timeout == 2.0  # explicit beats env
    assert s.profile == "from-file"  # None does not mask the file


def test_bad_config_gives_one_line_error(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[fetch]\nper_host_rate = 'fast'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="fetch.per_host_rate"):
        load_settings(cfg)
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[fetch\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'red'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_settings(unknown)
