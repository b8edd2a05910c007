"""SQLAlchemy tables: what a run read, forecast, proposed, decided and submitted.

The tables are the product's memory between nights: a re-run must find the orders it
already proposed and submitted, a buyer's decision must outlive the process that asked
for it, and an auditor must be able to trace an order line back to the run that made it.
Money is `Numeric` (never float) so totals in the database match the ERP to the cent.
"""

from storage.models.base import NAMING_CONVENTION, Base, Money, Quantity
from storage.models.mail import Notification, QueuedMail
from storage.models.orders import (
    AuditRecord,
    Decision,
    OrderLine,
    PurchaseOrder,
    ReviewFlag,
    Submission,
)
from storage.models.proposals import ParameterProposal
from storage.models.rollbacks import Rollback, RollbackOrder
from storage.models.runs import Forecast, InputFile, MonitoringResult, RowDisposition, Run, RunLock

__all__ = [
    "NAMING_CONVENTION",
    "AuditRecord",
    "Base",
    "Decision",
    "Forecast",
    "InputFile",
    "Money",
    "MonitoringResult",
    "Notification",
    "OrderLine",
    "ParameterProposal",
    "PurchaseOrder",
    "Quantity",
    "QueuedMail",
    "ReviewFlag",
    "Rollback",
    "RollbackOrder",
    "RowDisposition",
    "Run",
    "RunLock",
    "Submission",
]
