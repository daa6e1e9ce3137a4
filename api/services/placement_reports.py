"""Agencies' quarterly placement reports: filed by the agency (with its access code) for the
quarter that is due, stored before the workflow hears of it, and summed into statistics."""

from datetime import datetime

from pydantic import ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.errors import conflict
from api.forms.fields import form_fields
from api.payloads import Strict
from api.services.case_actions import signal_case
from db.models import Case, CaseTransition, PlacementReport
from db.repositories.audit import append_audit
from schemas.agency_permit import State
from schemas.countries import Country
from schemas.messages import PlacementLine, PlacementReportInput
from schemas.text import problem
from schemas.work_permit import Sector
from stack.proofs import MessageSigner

REPORTING = {State.ACTIVE, State.SUSPENDED}


class PlacementLineIn(Strict):
    country: Country
    sector: Sector
    placed: int = Field(ge=0, le=100_000)


class PlacementReportIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"lines": [
        {"country": "KOR", "sector": "manufacturing", "placed": 12}, {"country": "DEU", "sector": "health", "placed": 3}]}]})

    lines: list[PlacementLineIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def one_line_each(self) -> "PlacementReportIn":
        pairs = [(line.country, line.sector) for line in self.lines]
        if len(set(pairs)) != len(pairs):
            raise problem("repeated_line", "each country and sector once", "lines")
        return self


# The report's one question as a web form: its lines, read from the model (api/forms).
REPORT_FIELD = form_fields(PlacementReportIn)[0]


async def due_period(session: AsyncSession, case: Case) -> tuple[int, datetime] | None:
    """The quarter whose report is due now (its number and end), if any."""
    if case.procedure != "agency-permit" or case.state not in REPORTING:
        return None
    events = list(await session.execute(
        select(CaseTransition.event, CaseTransition.detail).where(
            CaseTransition.case_number == case.case_number,
            CaseTransition.event.in_(("report_due", "report_filed", "report_missed")))
        .order_by(CaseTransition.seq.desc()).limit(1)))
    if not events or events[0].event != "report_due":
        return None
    detail = events[0].detail
    return int(detail["period"]), datetime.fromisoformat(detail["period_ended"])


async def file_report(session: AsyncSession, temporal: Client, signer: MessageSigner, case: Case,
                      report: PlacementReportIn) -> int:
    due = await due_period(session, case)
    if due is None:
        raise conflict(f"no placement report is due on {case.case_number}", code="no_report_due")
    period, ended = due
    for line in report.lines:
        await session.execute(insert(PlacementReport).values(
            case_number=case.case_number, period=period, country=line.country, sector=line.sector,
            placed=line.placed, period_ended=ended).on_conflict_do_nothing())
    await append_audit(session, action="placement_report_filed", actor="applicant", actor_role="applicant",
                       case_number=case.case_number, detail={"period": period,
                                                             "placed": sum(line.placed for line in report.lines)})
    await session.commit()  # stored before the workflow hears of it; a retry stores nothing twice
    await signal_case(temporal, signer, case, "file_report", PlacementReportInput(
        period, [PlacementLine(line.country, line.sector, line.placed) for line in report.lines]))
    return period


async def placements(session: AsyncSession, year: int) -> list[dict]:
    """Citizens placed abroad in quarters that ended in `year`, by destination and sector."""
    rows = await session.execute(
        select(PlacementReport.country, PlacementReport.sector, func.sum(PlacementReport.placed),
               func.count(func.distinct(PlacementReport.case_number)))
        .where(func.extract("year", PlacementReport.period_ended) == year)
        .group_by(PlacementReport.country, PlacementReport.sector)
        .order_by(PlacementReport.country, PlacementReport.sector))
    return [{"country": country, "sector": sector, "placed": int(placed), "agencies": int(agencies)}
            for country, sector, placed, agencies in rows]
