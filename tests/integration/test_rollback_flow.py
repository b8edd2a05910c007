"""The `rollback` deployment's flow under a Prefect test server: it calls the rollback use
case with the UI's parameters, ends Completed with the report (and publishes it as an
artifact), ends Failed with the refusal for a non-administrator, and a cancellation it
could not make is retried by the `submit-approved` flow (as by every nightly run)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from order_factory import uow_factory
from rollback_night import ADMIN, ANN, night_with_orders, statuses

from flows.rollback import RollbackIncomplete, roll_back
from flows.submit_approved import submit_approved
from integrations.erp.file_drop import FileDropErp
from storage.database import make_engine, migrate
from storage.unit_of_work import UnitOfWork

pytestmark = [pytest.mark.prefect, pytest.mark.usefixtures("prefect_server")]


@pytest.fixture
def uows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], UnitOfWork]:
    """The flow's settings, from the environment as a worker has them; its own database."""
    url = f"sqlite:///{tmp_path / 'flow.db'}"
    for name, value in {
        "DATABASE_URL": url,
        "ERP__DROP_DIR": str(tmp_path / "erp-drop"),
        "EMAIL__OUTBOX_DIR": str(tmp_path / "outbox"),
        "APPROVALS__ADMINISTRATORS": f'["{ADMIN}"]',
        "APPROVALS__OPERATOR": "ops@example.com",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"REPLENISH_{name}", value)
    engine = make_engine(url)
    migrate(engine)
    return uow_factory(engine)


def test_the_flow_rolls_the_night_back_and_publishes_the_report(
    uows: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    night = night_with_orders(uows, FileDropErp(tmp_path / "erp-drop"))

    state = roll_back(run_id=night.run_id, reason="wrong price list", requested_by=ADMIN,
                      return_state=True)  # fmt: skip

    assert state.is_completed(), state.message
    result = state.result()
    assert result["counts"]["withdrawn"] == 3
    assert result["counts"]["cancelled"] == 2
    assert result["channel"] == "prefect-ui"
    assert statuses(uows, night)["waiting"] == "withdrawn"
    with uows() as uow:
        last = uow.orders.audit_trail(night.keys["sent_a"])[-1]
    assert (last.actor, last.channel, last.to_state) == (ADMIN, "prefect-ui", "cancelled")
    mails = sorted(p.read_text() for p in (tmp_path / "outbox").glob("*.eml"))
    assert any("To: ops@example.com" in m and night.run_id in m for m in mails)
    assert any(f"To: {ANN}" in m and night.run_id in m for m in mails)

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def artifacts() -> list[str]:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["rollback"])),
                limit=50,
            )
        return [str(a.data) for a in found]

    assert any(night.keys["sent_a"] in text for text in asyncio.run(artifacts()))


def test_a_non_administrator_gets_a_failed_run_with_the_refusal_and_nothing_changes(
    uows: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    night = night_with_orders(uows, FileDropErp(tmp_path / "erp-drop"))
    before = statuses(uows, night)

    state = roll_back(run_id=night.run_id, reason="oops", requested_by=ANN, return_state=True)

    assert state.is_failed()
    assert "is not an administrator" in str(state.message)
    assert statuses(uows, night) == before


def test_a_cancellation_the_rollback_could_not_make_is_made_by_the_next_submission_run(
    uows: Callable[[], UnitOfWork], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = tmp_path / "erp-drop"
    night = night_with_orders(uows, FileDropErp(drop))
    drop.rename(tmp_path / "imported")
    drop.write_text("the share is not mounted")
    monkeypatch.setenv("REPLENISH_ERP__CALL_ATTEMPTS", "1")

    state = roll_back(run_id=night.run_id, reason="bad night", requested_by=ADMIN,
                      return_state=True)  # fmt: skip

    assert state.is_failed()  # red: two orders are not taken back yet
    incomplete = state.result(raise_on_failure=False)
    assert isinstance(incomplete, RollbackIncomplete)
    assert incomplete.summary["counts"]["failed"] == 2
    drop.unlink()

    sent = submit_approved(return_state=True)

    assert sent.is_completed(), sent.message
    assert sent.result()["cancellations_retried"] == {
        night.keys["sent_a"]: "cancelled",
        night.keys["sent_b"]: "cancelled",
    }
    assert statuses(uows, night)["sent_a"] == statuses(uows, night)["sent_b"] == "cancelled"
    assert sorted(p.name for p in drop.iterdir()) == sorted(
        f"CANCEL-{night.keys[role]}.json" for role in ("sent_a", "sent_b")
    )
