"""The review link secret: from the environment, refused in the config file, required in
production, and in development generated once beside the database (owner-only)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from replenish.review_secret import dev_secret_path, review_secret
from settings import Settings, SettingsError, load_settings

pytestmark = pytest.mark.usefixtures("no_replenish_variables")


def test_development_generates_one_secret_beside_the_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'data' / 'replenish.db'}")
    first = review_secret(settings)
    path = tmp_path / "data" / "replenish.db.review-secret"
    assert dev_secret_path(settings.database_url) == path
    assert path.read_text() == first
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert review_secret(settings) == first  # the run and the server agree


def test_the_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPLENISH_REVIEW__SECRET", "s" * 40)
    monkeypatch.setenv("REPLENISH_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert review_secret(load_settings()) == "s" * 40
    assert not (tmp_path / "x.db.review-secret").exists()


def test_the_secret_is_refused_in_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[review]\nsecret = "hunter22hunter22hunter22hunter22"\n')
    with pytest.raises(SettingsError, match=r"review\.secret") as caught:
        load_settings(config)
    assert "hunter22" not in str(caught.value)


def test_production_needs_a_long_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'environment = "production"\ndatabase_url = "postgresql+psycopg://app@db/r"\n'
        'review_base_url = "https://replenish.corp.test"\n'
        '[email]\ntransport = "smtp"\nsender = "replenish@corp.test"\n'
        '[approvals]\ndefault_approver = "buyer@corp.test"\noperator = "it@corp.test"\n'
    )
    with pytest.raises(SettingsError, match="REPLENISH_REVIEW__SECRET"):
        load_settings(config)
    monkeypatch.setenv("REPLENISH_REVIEW__SECRET", "p" * 48)
    assert load_settings(config).review.secret is not None


def test_administrators_compare_case_insensitively(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[approvals]\nadministrators = ["IT.Admin@corp.test"]\n')
    policy = load_settings(config).approvals
    assert policy.is_administrator("it.admin@CORP.test ")
    assert not policy.is_administrator("buyer@corp.test")
