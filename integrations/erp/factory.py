"""The one place an ERP adapter is chosen, from `erp.adapter` in the settings.

Adapters are imported when chosen, so a deployment that drops files never loads an HTTP
or JSON-RPC client it does not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.erp.base import ErpAdapter

if TYPE_CHECKING:
    from integrations.erp.settings import ErpSettings, TrytonSettings


def build_erp(erp: ErpSettings) -> ErpAdapter:
    """The adapter `erp.adapter` names, configured from the rest of `erp`."""
    match erp.adapter:
        case "file_drop":
            from integrations.erp.file_drop import FileDropErp

            return FileDropErp(erp.drop_dir, erp.ledger_file, file_format=erp.file_format)
        case "rest":
            from integrations.erp.rest import RestErp

            assert erp.base_url is not None  # the settings refuse rest without it
            return RestErp(
                erp.base_url,
                orders_path=erp.orders_path,
                token=erp.token.get_secret_value() if erp.token else None,
                connect_timeout=erp.connect_timeout_seconds,
                read_timeout=erp.read_timeout_seconds,
            )
        case "tryton":
            return build_tryton(erp.tryton)


def build_tryton(config: TrytonSettings) -> ErpAdapter:
    """The Tryton adapter; refuses to start without the password (an env secret only)."""
    from integrations.erp.tryton import TrytonErp, TrytonMapping
    from integrations.erp.tryton_rpc import TrytonRpc

    if config.password is None:
        raise ValueError(
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
