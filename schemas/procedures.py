"""The procedures aryz runs, as the API sees them: slug, case number prefix, workflow, steps."""

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel

from schemas import agency_permit, kairylman, refugee, repatriation, work_permit
from schemas.calendar import Calendar
from schemas.steps import StepSpec


@dataclass(frozen=True)
class Procedure:
    slug: str
    case_prefix: str
    workflow: str
    initial_state: str
    application: type[BaseModel]
    steps: dict[str, StepSpec]
    withdrawable: frozenset[str]
    appealable: frozenset[str]
    final: frozenset[str]
    holder: str = "applicant"  # whose name documents carry: the application field of that person

    def facts(self, application: Any, lodged_on) -> dict[str, Any]:
        """The non-personal facts the workflow needs from an application."""
        if self.slug == "kairylman":
            return {"foreign_documents_legalised": application.foreign_documents_legalised,
                    "family_members": len(application.family_members)}
        if self.slug == "repatriation":
            from rules import procedure_rules, repatriation_amount

            d = application.deceased
            row = repatriation_amount(d.country_of_death, d.date_of_death)
            rules = procedure_rules(self.slug)
            deadline = Calendar(rules.calendar).due(
                datetime.combine(d.date_of_death, datetime.min.time(), timezone.utc),
                rules.period("application_deadline"))
            return {"amount": row.amount, "currency": row.currency, "legal_act": row.legal_act,
                    "country": d.country_of_death, "days_since_death": (lodged_on - d.date_of_death).days,
                    "mission": application.mission or "",
                    "late": lodged_on > Calendar(rules.calendar).last_day(deadline)}
        if self.slug == "work-permit":
            from rules import procedure_rules

            share = work_permit.foreign_share_after(application.employer)
            cap = procedure_rules(self.slug).values["foreign_staff_cap_percent"] / 100
            return {"year": application.quota_year, "sector": application.sector, "foreign_share": round(share, 4),
                    "cap_exceeded": share > cap, "multiple_fee_paid": application.employer.multiple_fee_paid}
        if self.slug == "agency-permit":
            return {"destinations": sorted(set(application.destination_countries)),
                    "partners": len(application.foreign_partners)}
        if self.slug == "refugee":
            return {"days_since_entry": (lodged_on - application.date_of_entry).days,
                    "family_members": len(application.family_members)}
        return {}

    def held_outcomes(self, submitted: dict[str, Any], application: dict[str, Any]) -> dict[tuple[str, str], tuple]:
        """(step, outcome) → (code, params) of the refusal the workflow's own check would give on this
        case: its facts as recorded when it was submitted (by the rules then in force), and the
        application. The case page says it beside the outcome instead of offering a form to be refused.
        The cap is the one the case was measured by; cases submitted before it was recorded (2026-12)
        fall back to today's rules' value."""
        if self.slug == "work-permit":
            from rules import procedure_rules

            employer = application.get("employer") or {}
            facts = {**submitted, "multiple_fee_paid": bool(employer.get("multiple_fee_paid"))}
            cap = submitted.get("cap_percent", procedure_rules(self.slug).values["foreign_staff_cap_percent"])
            problem = work_permit.cap_problem(facts, cap)
            return {("review", "issue"): problem} if problem else {}
        return {}


S = refugee.State
# Any procedure's case whose workflow an operator ended through the engine (terminated, or it failed
# or timed out): its records say so (activities/reconciler.py), and nothing on it can be decided.
ENDED_IN_ENGINE = "ENDED_IN_ENGINE"

PROCEDURES: dict[str, Procedure] = {
    "refugee": Procedure(
        slug=refugee.PROCEDURE, case_prefix=refugee.CASE_PREFIX, workflow=refugee.WORKFLOW,
        initial_state=refugee.State.LODGED,
        application=refugee.RefugeeApplication, steps=refugee.STEPS,
        withdrawable=frozenset(refugee.WITHDRAWABLE), appealable=frozenset({S.APPEAL_WINDOW}),
        # A recognised refugee's case goes on as the status (renewals, travel document) until it ends.
        final=frozenset({S.REGISTRATION_REFUSED, S.FINAL_REJECTED, S.EXIT_ASSISTED, S.WITHDRAWN, S.ABANDONED,
                         S.STATUS_LAPSED, S.CEASED, S.DEPRIVED, S.NATURALISED, ENDED_IN_ENGINE}),
    ),
    "kairylman": Procedure(
        slug=kairylman.PROCEDURE, case_prefix=kairylman.CASE_PREFIX, workflow=kairylman.WORKFLOW,
        initial_state=kairylman.State.SUBMITTED,
        application=kairylman.KairylmanApplication, steps=kairylman.STEPS,
        withdrawable=frozenset(kairylman.WITHDRAWABLE), appealable=frozenset(),
        final=frozenset(kairylman.FINAL) | {ENDED_IN_ENGINE},
    ),
    "repatriation": Procedure(
        slug=repatriation.PROCEDURE, case_prefix=repatriation.CASE_PREFIX, workflow=repatriation.WORKFLOW,
        initial_state=repatriation.State.SUBMITTED,
        application=repatriation.RepatriationApplication, steps=repatriation.STEPS,
        withdrawable=frozenset(repatriation.WITHDRAWABLE), appealable=frozenset(),
        final=frozenset(repatriation.FINAL) | {ENDED_IN_ENGINE},
    ),
    "work-permit": Procedure(
        slug=work_permit.PROCEDURE, case_prefix=work_permit.CASE_PREFIX, workflow=work_permit.WORKFLOW,
        initial_state=work_permit.State.SUBMITTED,
        application=work_permit.WorkPermitApplication, steps=work_permit.STEPS,
        withdrawable=frozenset(work_permit.WITHDRAWABLE), appealable=frozenset(),
        final=frozenset(work_permit.FINAL) | {ENDED_IN_ENGINE},
        holder="worker",
    ),
    "agency-permit": Procedure(
        slug=agency_permit.PROCEDURE, case_prefix=agency_permit.CASE_PREFIX, workflow=agency_permit.WORKFLOW,
        initial_state=agency_permit.State.SUBMITTED,
        application=agency_permit.AgencyPermitApplication, steps=agency_permit.STEPS,
        withdrawable=frozenset(agency_permit.WITHDRAWABLE), appealable=frozenset(),
        final=frozenset(agency_permit.FINAL) | {ENDED_IN_ENGINE}, holder="head",
    ),
}


def procedure_of_case(case_number: str) -> Procedure | None:
    prefix = case_number.split("-", 1)[0]
    return next((p for p in PROCEDURES.values() if p.case_prefix == prefix), None)
