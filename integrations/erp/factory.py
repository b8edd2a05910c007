"""Pick the ERP adapter the settings name: the one place that knows every adapter."""

from __future__ import annotations

from integrations.erp.base import ErpAdapter
from integrations.erp.file_drop import FileDropErp
from integrations.erp.tryton import TrytonErp, TrytonMapping
from integrations.erp.tryton_rpc import TrytonRpc
from replenish.settings import Settings, SettingsError, TrytonSettings


def build_erp(settings: Settings) -> ErpAdapter:
    erp = settings.erp
    match erp.adapter:
        case "file_drop":
            return FileDropErp(erp.drop_dir, erp.ledger_file)
        case "tryton":
            return build_tryton(erp.tryton)


def build_tryton(config: TrytonSettings) -> TrytonErp:
    """The Tryton adapter; refuses to start without the password (an env secret only)."""
    if config.password is None:
        raise SettingsError(
            "erp.adapter = 'tryton' needs the password in REPLENISH_ERP__TRYTON__PASSWORD"
        )
    rpc = TrytonRpc(
        config.url,
        config.database,
        config.login,
        config.password.get_secret_value(),
        timeout=config.timeout_seconds,
    )
    mapping = TrytonMapping(config.products, config.suppliers, config.warehouses)
    return TrytonErp(rpc, mapping, config.approval)
