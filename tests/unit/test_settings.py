"""Settings: file + environment, fail fast with the file and field named, no secrets in files."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_files import write_config

from settings import SettingsError, load_settings

pytestmark = pytest.mark.usefixtures("no_replenish_variables")


def test_embedded_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///replenish.db"
    assert settings.email.transport == "outbox"
    assert settings.erp.drop_dir == Path("erp-drop")
    assert settings.source.kind == "csv_folder"


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "[flags]\nline_value_limit = 100.0\norder_value_limit = 700.0\n"
    config = write_config(tmp_path, text)
    monkeypatch.setenv("REPLENISH_FLAGS__LINE_VALUE_LIMIT", "250")
    monkeypatch.setenv("REPLENISH_DATABASE_URL", "postgresql+psycopg://app@db/replenish")
    settings = load_settings(config)
    assert settings.flags.line_value_limit == 250.0  # environment wins
    assert settings.flags.order_value_limit == 700.0  # the file still fills the rest
    assert settings.database_url == "postgresql+psycopg://app@db/replenish"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[email]\nsmtp_password = "hunter22"\n', "email.smtp_password"),
        ('database_url = "postgresql+psycopg://app:hunter22@db/x"\n', "password in database_url"),
        (
            '[source]\nkind = "sql"\n[source.sql]\nurl = "postgresql://a:pw@h/d"\n'
            '[source.sql.tables]\nitems = "items"\n',
            "password in source.sql.url",
        ),
    ],
)
def test_secrets_in_the_file_are_refused(tmp_path: Path, text: str, fragment: str) -> None:
    config = write_config(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert str(config) in message
    assert fragment in message
    assert "hunter22" not in message
    assert "must come from the environment" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[flags\n", "not valid TOML"),
        ("[flags]\nline_value_limit = -5\n", "flags.line_value_limit"),
        ("[flags]\nlin_value_limit = 5\n", "flags.lin_value_limit"),
        ('[forecast]\nfrequency = "Y"\n', "forecast.frequency"),
        ('[source]\nkind = "sql"\n', "needs a [source.sql] table"),
        ('environment = "production"\n', "production needs a server database"),
    ],
)
def test_bad_config_names_the_file_and_the_field(tmp_path: Path, text: str, fragment: str) -> None:
    config = write_config(tmp_path, text)
    with pytest.raises(SettingsError, match=str(config)) as caught:
        load_settings(config)
    assert fragment in str(caught.value)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_the_example_config_loads(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "config.example.toml"
    settings = load_settings(example)
    assert settings.flags.line_value_limit == 2500.0
    assert settings.approvals.review_hours == 24


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[email]\nsmtp_hots = 'mail'\n", "unknown setting email.smtp_hots"),
        ("[erp]\ndrop_folder = 'x'\n", "unknown setting erp.drop_folder"),
        ("[approvals]\ndefault_aprover = 'a@example.com'\n", "approvals.default_aprover"),
        ("[validation]\nmax_quantty = 5\n", "unknown setting validation.max_quantty"),
        ("[flags]\norder_value_limit = inf\n", "flags.order_value_limit: must be a finite"),
        ("[validation]\nmax_unit_cost = nan\n", "validation.max_unit_cost"),
    ],
)
def test_typos_and_infinite_limits_are_refused(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(write_config(tmp_path, text))
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_keys_in_routing_rules_are_refused(tmp_path: Path) -> None:
    text = "[[approvals.rules]]\napprover = 'b@example.com'\nsuplier = 'ACME'\n"
    with pytest.raises(SettingsError, match=r"approvals\.rules\[0\]\.suplier"):
        load_settings(write_config(tmp_path, text))


def test_an_infinite_limit_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPLENISH_FLAGS__ORDER_VALUE_LIMIT", "inf")
    with pytest.raises(SettingsError, match=r"flags\.order_value_limit: must be a finite"):
        load_settings()


def test_replenish_source_names_the_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variable an operator sets on a worker must not crash the settings (it did)."""
    monkeypatch.setenv("REPLENISH_SOURCE", "/data/tonight")
    settings = load_settings()
    assert settings.source.kind == "csv_folder"
    assert settings.source.folder == Path("/data/tonight")


def test_replenish_config_names_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, "[flags]\nline_value_limit = 123.0\n")
    monkeypatch.setenv("REPLENISH_CONFIG", str(config))
    assert load_settings().flags.line_value_limit == 123.0


def test_an_unknown_schedule_timezone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLENISH_SCHEDULE_TIMEZONE", "Europe/Atlantis")
    with pytest.raises(SettingsError, match="not an IANA time zone"):
        load_settings()


PRODUCTION = {
    "REPLENISH_ENVIRONMENT": "production",
    "REPLENISH_DATABASE_URL": "postgresql+psycopg://app@db/replenish",
    "REPLENISH_EMAIL__TRANSPORT": "smtp",
    "REPLENISH_EMAIL__SENDER": "replenish@acme.test",
    "REPLENISH_APPROVALS__OPERATOR": "it-ops@acme.test",
    "REPLENISH_APPROVALS__DEFAULT_APPROVER": "buyers@acme.test",
    "REPLENISH_REVIEW_BASE_URL": "https://replenish.acme.test",
    "REPLENISH_REVIEW__SECRET": "a-long-random-secret-for-the-tests-only-0123456789",
}


def test_a_complete_production_setup_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    assert load_settings().environment == "production"


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("REPLENISH_APPROVALS__OPERATOR", "operator@example.com", "approvals.operator"),
        ("REPLENISH_EMAIL__SENDER", "replenish@example.com", "email.sender"),
        ("REPLENISH_APPROVALS__DEFAULT_APPROVER", "buyer@example.com", "default_approver"),
        ("REPLENISH_APPROVALS__DEPUTIES", '{"buyers@acme.test": "x@mail.example.org"}', "deputies"),
        ("REPLENISH_REVIEW_BASE_URL", "http://127.0.0.1:8765", "review_base_url"),
        ("REPLENISH_REVIEW_BASE_URL", "http://localhost:8765", "review_base_url"),
    ],
)
def test_production_refuses_placeholders(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    for key, setting in PRODUCTION.items():
        monkeypatch.setenv(key, setting)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match="production needs") as caught:
        load_settings()
    assert fragment in str(caught.value)


def test_production_sends_the_erp_token_over_https_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**PRODUCTION, "REPLENISH_ERP__ADAPTER": "rest"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("REPLENISH_ERP__BASE_URL", "http://erp.acme.test/api")
    with pytest.raises(SettingsError, match=r"https:// erp\.base_url"):
        load_settings()
    monkeypatch.setenv("REPLENISH_ERP__BASE_URL", "https://erp.acme.test/api")
    assert load_settings().erp.base_url == "https://erp.acme.test/api"


def test_every_section_forbids_unknown_keys() -> None:
    """A typo fails only where the model forbids extra keys: every model the settings hold."""
    from typing import get_args

    from pydantic import BaseModel

    from settings import Settings

    def models(annotation: object) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for argument in get_args(annotation) for m in models(argument)]

    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Settings]
    while todo:
        model = todo.pop()
        seen.add(model)
        assert model.model_config.get("extra") == "forbid", model.__name__
        for field in model.model_fields.values():
            todo.extend(m for m in models(field.annotation) if m not in seen)
