"""One typed settings object: a TOML config file, overridden by `REPLENISH_*` variables.

Precedence, highest first: environment (`REPLENISH_DATABASE_URL`,
`REPLENISH_FLAGS__LINE_VALUE_LIMIT`, ...), then the config file, then the defaults
below, which are the embedded defaults `make demo` runs on. Secrets are refused in the
config file: they come from the environment (or a Prefect block) only, so a committed
config can never leak one.
"""

from integrations.erp.settings import ErpSettings, TrytonSettings
from settings.config_file import SECRET_KEYS, SettingsError
from settings.loading import CONFIG_VARIABLE, load_settings
from settings.model import Settings
from settings.sections import (
    ApprovalRouting,
    EmailSettings,
    MonitoringSettings,
    ReviewSettings,
    SourceSettings,
)
from settings.value import ValueSettings

__all__ = [
    "CONFIG_VARIABLE",
    "SECRET_KEYS",
    "ApprovalRouting",
    "EmailSettings",
    "ErpSettings",
    "MonitoringSettings",
    "ReviewSettings",
    "Settings",
    "SettingsError",
    "SourceSettings",
    "TrytonSettings",
    "ValueSettings",
    "load_settings",
]
