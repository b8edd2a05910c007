"""Pointing the product at Tryton: the file names it, the environment holds the password."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_files import write_config

from integrations.erp.factory import build_erp
from integrations.erp.tryton import TrytonErp
from settings import SettingsError, load_settings

CONFIG = """
[erp]
adapter = "tryton"
[erp.tryton]
url = "http://tryton.internal:8000"
database = "erp"
approval = "erp"
[erp.tryton.products]
"SKU-1" = "TRY-0001"
"""


pytestmark = pytest.mark.usefixtures("no_replenish_variables")


def test_the_file_and_the_environment_make_a_tryton_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__PASSWORD", "from-the-environment")
    monkeypatch.setenv("REPLENISH_ERP__TRYTON__LOGIN", "buyer-bot")

    erp = build_erp(load_settings(write_config(tmp_path, CONFIG)).erp)

    assert isinstance(erp, TrytonErp)
    assert erp.rpc.endpoint == "http://tryton.internal:8000/erp/rpc/"
    assert erp.rpc.login == "buyer-bot"
    assert erp.mapping.products == {"SKU-1": "TRY-0001"}
    assert erp.approves_in_erp()


def test_a_password_in_the_file_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path, CONFIG.replace('database = "erp"', 'password = "leaked"'))

    with pytest.raises(SettingsError, match=r"erp\.tryton\.password"):
        load_settings(config)


def test_tryton_without_a_password_names_the_variable(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, CONFIG))

    with pytest.raises(ValueError, match="REPLENISH_ERP__TRYTON__PASSWORD"):
        build_erp(settings.erp)


def test_a_mistyped_tryton_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"erp\.tryton\.approvl"):
        load_settings(write_config(tmp_path, CONFIG.replace("approval =", "approvl =")))
