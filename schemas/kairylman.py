"""Kairylman status (Law No. 175; Res. No. 402): application, states, steps."""

from datetime import date
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from schemas.countries import Country
from schemas.people import Contact, FamilyMember, Person, Region, Strict
from schemas.steps import CommissionSession, FamilyExclusions, Outcome, StepData, StepSpec, request_documents_outcome
from schemas.text import problem

PROCEDURE = "kairylman"
CASE_PREFIX = "KRL"
WORKFLOW = "KairylmanStatusWorkflow"


class State(StrEnum):
    SUBMITTED = "SUBMITTED"
    DOCS_INCOMPLETE = "DOCS_INCOMPLETE"
    DOCS_OK = "DOCS_OK"
    ON_COMMISSION_AGENDA = "ON_COMMISSION_AGENDA"
    GRANTED = "GRANTED"
    REFUSED = "REFUSED"
    ACTIVE = "ACTIVE"
    CITIZENSHIP_APPLIED = "CITIZENSHIP_APPLIED"
    CLOSED_CITIZEN = "CLOSED_CITIZEN"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"
    WITHDRAWN = "WITHDRAWN"


# Documents of Res. No. 402 [S18][S25]: what the applicant says they bring; the registrar checks.
Evidence = Literal["passport", "birth_certificate", "relative_birth_certificate", "parents_marriage_certificate",
                   "cousin_birth_certificate", "residence_certificate", "marriage_certificate",
                   "family_composition_certificate"]


EXAMPLE = {
    "applicant": {"family_name": "Tashieva", "given_names": "Aizada", "patronymic": "", "date_of_birth": "1988-07-03",
                     "sex": "F", "nationality": "CHN", "document_type": "passport", "document_number": "E12345678"},
    "family_members": [],
    "country_of_residence": "CHN", "region": "O",
    "documents": ["passport", "birth_certificate", "family_composition_certificate"],
    "foreign_documents_legalised": True, "contact": {"address": "Osh, Lenin street 5", "phone": "+996777000222"},
}


class KairylmanApplication(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    applicant: Person
    family_members: list[FamilyMember] = Field(default_factory=list, max_length=30)
    country_of_residence: Country
    region: Region = Field(description="ISO 3166-2:KG code of the office handling the case")
    documents: list[Evidence] = Field(min_length=1, max_length=20, description="Documents the applicant submits")
    foreign_documents_legalised: bool = Field(description="Legalised or apostilled, with notarised translation")
    contact: Contact

    @model_validator(mode="after")
    def proves_nationality(self) -> "KairylmanApplication":
        proofs = {"birth_certificate", "relative_birth_certificate", "parents_marriage_certificate",
                  "cousin_birth_certificate"}
        if not proofs & set(self.documents):
            raise problem("no_ethnicity_proof", "documents must include a birth certificate, or a close relative's or "
                          "cousin's birth certificate, or the parents' marriage certificate, to prove Kyrgyz ethnicity",
                          "documents")
        return self

    def search_name(self) -> str:
        a = self.applicant
        return f"{a.family_name} {a.given_names} {a.patronymic}".strip()


class CaseFilePrepared(StepData):
    security_checks_requested: bool
    notes: str = Field(default="", max_length=5000)


# [D] refusal grounds (domain.md §2): none were found in law.
class KairylmanGrant(CommissionSession, FamilyExclusions):
    """The status extends to the family members moving with the applicant, each with a kairylman
    certificate of their own, unless the commission excludes some (e.g. already citizens)."""


class CommissionRefusal(CommissionSession):
    ground: Literal["ethnicity_not_proved", "security_objection", "forged_documents", "already_kr_citizen"]


class CitizenshipApplication(StepData):
    past_fields: ClassVar[tuple[str, ...]] = ("applied_on",)

    applied_on: date
    application_number: str = Field(min_length=1, max_length=40)


class CitizenshipAcquired(StepData):
    past_fields: ClassVar[tuple[str, ...]] = ("acquired_on",)

    decree: str = Field(min_length=1, max_length=80, description="Presidential decree granting citizenship")
    acquired_on: date


class Termination(StepData):
    ground: Literal["false_information", "permanent_departure"]


class CertificateExtension(StepData):
    until: date


INTAKE = StepSpec("intake", "registrar", "Check the application is complete",
                  (Outcome("accept_complete"), request_documents_outcome()))
CASE_FILE = StepSpec("case_file", "case_officer", "Prepare the case file for the commission",
                     (Outcome("put_on_agenda", data=CaseFilePrepared),))
COMMISSION = StepSpec("commission_decision", "commission", "Record the commission's decision",
                      (Outcome("grant", data=KairylmanGrant), Outcome("refuse", True, CommissionRefusal)))
CITIZENSHIP = StepSpec("citizenship", "registrar", "Record the holder's citizenship case",
                       (Outcome("record_citizenship_application", data=CitizenshipApplication),
                        Outcome("record_citizenship_acquired", data=CitizenshipAcquired)))
TERMINATION = StepSpec("termination", "supervisor", "Terminate the kairylman status",
                       (Outcome("terminate", True, Termination),))
EXTENSION = StepSpec("certificate_extension", "supervisor", "Extend the certificate while citizenship is pending",
                     (Outcome("extend_certificate", True, CertificateExtension),))

STEPS = {s.name: s for s in (INTAKE, CASE_FILE, COMMISSION, CITIZENSHIP, TERMINATION, EXTENSION)}
WITHDRAWABLE = {State.SUBMITTED, State.DOCS_INCOMPLETE, State.DOCS_OK, State.ON_COMMISSION_AGENDA}
FINAL = {State.REFUSED, State.CLOSED_CITIZEN, State.EXPIRED, State.TERMINATED, State.WITHDRAWN}
