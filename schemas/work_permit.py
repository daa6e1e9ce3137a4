"""Work permit for a foreign worker within the annual quota: application, states, steps."""

from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field

from schemas.people import Contact, Person, Region, Strict
from schemas.steps import Outcome, StepData, StepSpec, request_documents_outcome

PROCEDURE = "work-permit"
CASE_PREFIX = "WPM"
WORKFLOW = "WorkPermitWorkflow"

# Economic sectors of the quota order [D]: the 2025 order dropped activity types [S48].
SECTORS = ("agriculture", "mining", "manufacturing", "energy", "construction", "trade", "transport",
           "hospitality", "it_communications", "finance", "education", "health", "other")
Sector = Literal["agriculture", "mining", "manufacturing", "energy", "construction", "trade", "transport",
                 "hospitality", "it_communications", "finance", "education", "health", "other"]


class State(StrEnum):
    SUBMITTED = "SUBMITTED"
    QUOTA_RESERVED = "QUOTA_RESERVED"
    UNDER_REVIEW = "UNDER_REVIEW"
    ISSUED_60D = "ISSUED_60D"
    ACTIVE_360D = "ACTIVE_360D"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class Employer(Strict):
    name: str = Field(min_length=1, max_length=300)
    tax_id: str = Field(pattern=r"^\d{14}$", description="ИНН of the employer")
    foreign_staff: int = Field(ge=0, le=1_000_000)
    local_staff: int = Field(ge=0, le=1_000_000)
    multiple_fee_paid: bool = Field(default=False, description="Paid the multiple state fee for exceeding the 20 % cap")


EXAMPLE = {
    "employer": {"name": "Kumtor Build LLC", "tax_id": "02108201910123", "foreign_staff": 3, "local_staff": 40},
    "worker": {"family_name": "Zhang", "given_names": "Wei", "patronymic": "", "date_of_birth": "1985-03-03",
                     "sex": "M", "nationality": "CHN", "document_type": "passport", "document_number": "E99887766"},
    "region": "C", "sector": "construction", "position": "Site engineer", "quota_year": 2026, "fee_paid": True,
    "contact": {"address": "Bishkek, Chui avenue 100", "phone": "+996312000333"},
}


class WorkPermitApplication(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    employer: Employer
    worker: Person
    region: Region
    sector: Sector
    position: str = Field(min_length=1, max_length=200)
    quota_year: int = Field(ge=2024, le=2100)
    fee_paid: bool = Field(description="The state fee is paid at application (single permit)")
    contact: Contact

    def search_name(self) -> str:
        w = self.worker
        return f"{w.family_name} {w.given_names} ({self.employer.name})"[:320]


def foreign_share_after(employer: Employer) -> float:
    """The foreign share of the headcount once this worker is hired."""
    return (employer.foreign_staff + 1) / (employer.foreign_staff + employer.local_staff + 1)


def cap_problem(facts: dict, cap_percent: float) -> tuple[str, dict[str, str]] | None:
    """Why a permit may not be issued on a case's facts: the foreign staff over the cap, the multiple
    state fee unpaid. The workflow refuses the decision with it; the case page says it beside the
    outcome before the officer tries. Numbers only: each language puts its own percent sign."""
    if facts.get("cap_exceeded") and not facts.get("multiple_fee_paid"):
        share = f"{facts['foreign_share'] * 100:.1f}".removesuffix(".0")  # 20.4 is over a cap of 20
        return "cap_needs_multiple_fee", {"share": share, "cap": f"{cap_percent:g}"}
    return None


class Rejection(StepData):
    ground: Literal["qualified_locals_available", "inaccurate_data", "employer_not_operating",
                    "foreign_staff_cap_exceeded", "entry_ban"]


class Cancellation(StepData):
    ground: Literal["employment_ended", "employer_stopped_operating", "inaccurate_data", "entry_ban"]


REVIEW = StepSpec("review", "case_officer", "Review the work permit application",
                  (Outcome("issue"), Outcome("reject", True, Rejection), request_documents_outcome()))
CANCELLATION = StepSpec("cancellation", "supervisor", "Cancel the work permit",
                        (Outcome("cancel", True, Cancellation),))

STEPS = {s.name: s for s in (REVIEW, CANCELLATION)}
WITHDRAWABLE = {State.SUBMITTED, State.QUOTA_RESERVED, State.UNDER_REVIEW}
FINAL = {State.EXPIRED, State.CANCELLED, State.REJECTED, State.WITHDRAWN}
