"""Permit for a private employment agency placing KR citizens abroad: application, states, steps."""

from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field

from schemas.countries import Country, CountryCode
from schemas.people import Contact, Person, Region, Strict
from schemas.steps import CommissionSession, Outcome, StepData, StepSpec, request_documents_outcome

PROCEDURE = "agency-permit"
CASE_PREFIX = "AGP"
WORKFLOW = "AgencyPermitWorkflow"


class State(StrEnum):
    SUBMITTED = "SUBMITTED"
    DOC_CHECK = "DOC_CHECK"
    AWAITING_DOCS = "AWAITING_DOCS"
    ON_COMMISSION_AGENDA = "ON_COMMISSION_AGENDA"
    APPROVED_PENDING_DEPOSIT = "APPROVED_PENDING_DEPOSIT"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class Founder(Strict):
    name: str = Field(min_length=1, max_length=300)
    nationality: CountryCode


class ForeignPartner(Strict):
    name: str = Field(min_length=1, max_length=300)
    country: Country
    agreement_number: str = Field(min_length=1, max_length=60)


EXAMPLE = {
    "agency_name": "Ish Jolu LLC", "tax_id": "02503201810077",
    "head": {"family_name": "Osmonov", "given_names": "Talant", "patronymic": "", "date_of_birth": "1980-10-10",
                     "sex": "M", "nationality": "KGZ", "document_type": "passport", "document_number": "AC7654321"},
    "founders": [{"name": "Osmonov Talant", "nationality": "KGZ"}], "destination_countries": ["KOR", "DEU"],
    "foreign_partners": [{"name": "Hanil Staffing", "country": "KOR", "agreement_number": "HS-2026-4"}],
    "region": "GB", "contact": {"address": "Bishkek, Manas avenue 40", "phone": "+996312555000", "email": "office@ishjolu.kg"},
}


class AgencyPermitApplication(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    agency_name: str = Field(min_length=1, max_length=300)
    tax_id: str = Field(pattern=r"^\d{14}$")
    head: Person
    founders: list[Founder] = Field(min_length=1, max_length=50)
    destination_countries: list[Country] = Field(min_length=1, max_length=60)
    foreign_partners: list[ForeignPartner] = Field(min_length=1, max_length=100)
    region: Region
    contact: Contact

    def search_name(self) -> str:
        return self.agency_name[:320]


class CommissionRefusal(CommissionSession):
    ground: Literal["incomplete_documents", "false_information", "no_foreign_partner_agreement", "other"]


class DepositReceipt(StepData):
    deposit_som: int = Field(ge=0)
    fee_som: int = Field(ge=0)
    payment_reference: str = Field(min_length=1, max_length=60)


class Suspension(StepData):
    ground: Literal["false_cooperation_data", "migrant_complaints", "placement_report_not_filed", "other_breach"]


DOC_CHECK = StepSpec("doc_check", "registrar", "Check the agency's documents",
                     (Outcome("documents_ok"), request_documents_outcome()))
COMMISSION = StepSpec("commission_decision", "commission", "Record the commission's decision on the permit",
                      (Outcome("approve", data=CommissionSession), Outcome("refuse", True, CommissionRefusal)))
DEPOSIT = StepSpec("deposit", "finance_officer", "Confirm the deposit and fee",
                   (Outcome("confirm_deposit", data=DepositReceipt),))
SUSPEND = StepSpec("suspension", "supervisor", "Suspend the permit", (Outcome("suspend", True, Suspension),))
RESUME = StepSpec("resumption", "supervisor", "Resume the suspended permit", (Outcome("resume", True),))
COMMISSION_ACTIONS = StepSpec("permit_commission", "commission", "Extend or cancel the permit",
                              (Outcome("extend_permit", True, CommissionSession),
                               Outcome("cancel_permit", True, CommissionSession)))

STEPS = {s.name: s for s in (DOC_CHECK, COMMISSION, DEPOSIT, SUSPEND, RESUME, COMMISSION_ACTIONS)}
WITHDRAWABLE = {State.SUBMITTED, State.DOC_CHECK, State.AWAITING_DOCS, State.ON_COMMISSION_AGENDA,
                State.APPROVED_PENDING_DEPOSIT}
FINAL = {State.EXPIRED, State.CANCELLED, State.REJECTED, State.WITHDRAWN}
