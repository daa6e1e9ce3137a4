"""Refugee recognition (Law No. 44 "On Refugees"; Res. No. 188): application, states, steps."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from schemas.people import Contact, FamilyMember, Person, Region, Strict
from schemas.refugee_status import STATUS_STEPS
from schemas.steps import FamilyExclusions, Outcome, StepData, StepSpec, request_documents_outcome
from schemas.text import problem

PROCEDURE = "refugee"
CASE_PREFIX = "REF"
WORKFLOW = "RefugeeRecognitionWorkflow"


class State(StrEnum):
    LODGED = "LODGED"
    REGISTRATION_REFUSED = "REGISTRATION_REFUSED"
    REGISTERED = "REGISTERED"
    INTERVIEWED = "INTERVIEWED"
    VERIFIED = "VERIFIED"
    CONCLUSION_DRAFTED = "CONCLUSION_DRAFTED"
    RECOGNISED = "RECOGNISED"
    REJECTED = "REJECTED"
    APPEAL_WINDOW = "APPEAL_WINDOW"
    IN_APPEAL = "IN_APPEAL"
    OVERTURNED = "OVERTURNED"
    FINAL_REJECTED = "FINAL_REJECTED"
    EXIT_ASSISTED = "EXIT_ASSISTED"
    CERT_ISSUED = "CERT_ISSUED"
    WITHDRAWN = "WITHDRAWN"
    ABANDONED = "ABANDONED"
    # The recognised refugee's status (workflows/refugee_status.py).
    STATUS_ACTIVE = "STATUS_ACTIVE"
    CERT_EXPIRED = "CERT_EXPIRED"  # not renewed yet: the grace period runs
    ENDING_PROPOSED = "ENDING_PROPOSED"
    STATUS_LAPSED = "STATUS_LAPSED"
    CEASED = "CEASED"
    DEPRIVED = "DEPRIVED"
    NATURALISED = "NATURALISED"


EXAMPLE = {
    "applicant": {"family_name": "Karimova", "given_names": "Dilnoza", "patronymic": "", "date_of_birth": "1990-04-12",
                     "sex": "F", "nationality": "AFG", "document_type": "passport", "document_number": "P1234567"},
    "family_members": [{"family_name": "Karimov", "given_names": "Timur", "date_of_birth": "2015-02-01", "sex": "M",
                        "nationality": "AFG", "relationship": "child"}],
    "date_of_entry": "2026-11-01", "region": "GB", "lodged_at_border": False, "languages": ["dari", "russian"],
    "grounds": "Persecution for political opinion in the country of origin.",
    "contact": {"address": "Bishkek, Chui avenue 1", "phone": "+996555000111"},
}


class RefugeeApplication(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    applicant: Person
    family_members: list[FamilyMember] = Field(default_factory=list, max_length=30)
    date_of_entry: date
    region: Region = Field(description="ISO 3166-2:KG code of the office where the application is lodged")
    lodged_at_border: bool = False
    languages: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        min_length=1, max_length=5, description="Languages the applicant speaks")
    grounds: str = Field(min_length=10, max_length=10_000, description="Why the applicant seeks protection")
    contact: Contact

    @model_validator(mode="after")
    def entry_is_plausible(self) -> "RefugeeApplication":
        if self.date_of_entry > date.today():
            raise problem("date_in_future", "date_of_entry is in the future", "date_of_entry")
        if self.date_of_entry < self.applicant.date_of_birth:
            raise problem("entry_before_birth", "date_of_entry is before the applicant's date of birth",
                          "date_of_entry")
        return self

    def search_name(self) -> str:
        a = self.applicant
        return f"{a.family_name} {a.given_names} {a.patronymic}".strip()


# Grounds for refusing registration that SMS proposed in 2020 [S7]; enactment unverified.
class RegistrationRefusal(StepData):
    ground: Literal[
        "earlier_refusal_without_new_circumstances",
        "serious_crime_conviction_in_kr",
        "former_refugee_left_voluntarily",
    ]


class InterviewSchedule(StepData):
    future_fields: ClassVar[tuple[str, ...]] = ("interview_at",)

    interview_at: datetime
    place: str = Field(min_length=1, max_length=200)
    interpreter_language: str = Field(default="", max_length=50)


class InterviewRecord(StepData):
    past_fields: ClassVar[tuple[str, ...]] = ("held_at",)

    held_at: datetime
    interpreter_language: str = Field(default="", max_length=50)
    summary: str = Field(min_length=1, max_length=20_000)


class Verification(StepData):
    """Verification is complete only when both are true; until then the step stays open."""

    identity_established: bool
    security_checks_done: bool
    notes: str = Field(default="", max_length=10_000)

    @model_validator(mode="after")
    def complete(self) -> "Verification":
        if not (self.identity_established and self.security_checks_done):
            raise problem("verification_incomplete", "verification is complete only once the identity is "
                          "established and the security checks are done")
        return self


class RejectionGround(StepData):
    ground: Literal[
        "no_well_founded_fear",
        "exclusion_clause",
        "not_credible",
        "protection_available_elsewhere",
    ]


class Recognition(FamilyExclusions):
    """Recognition extends to the family members named in the application, each with a refugee
    certificate of their own, unless the decision excludes some (numbered as in the application)."""


class ExitAssistance(StepData):
    exit_visa_issued: bool
    notes: str = Field(default="", max_length=2000)


REGISTRATION = StepSpec(
    "registration", "registrar", "Register the application",
    (Outcome("register"), Outcome("refuse_registration", True, RegistrationRefusal), request_documents_outcome()),
)
REFUSAL_SIGNOFF = StepSpec(
    "registration_refusal_signoff", "supervisor", "Sign off the refusal to register",
    (Outcome("confirm_refusal"), Outcome("return_for_registration", True)),
    not_same_actor_as=("registration",),
)
INTERVIEW = StepSpec(
    "interview", "case_officer", "Invite the applicant and record the interview",
    (Outcome("schedule_interview", data=InterviewSchedule), Outcome("record_interview", data=InterviewRecord)),
)
VERIFICATION = StepSpec(
    "verification", "case_officer", "Verify documents and credibility",
    (Outcome("complete_verification", data=Verification), request_documents_outcome()),
)
CONCLUSION = StepSpec(
    "conclusion", "case_officer", "Draft the conclusion",
    (Outcome("recommend_recognition", True), Outcome("recommend_rejection", True, RejectionGround)),
)
DECISION = StepSpec(
    "decision", "supervisor", "Decide on recognition",
    (Outcome("recognise", True, Recognition), Outcome("reject", True, RejectionGround)),
    not_same_actor_as=("conclusion",),
)
APPEAL_REVIEW = StepSpec(
    "appeal_review", "legal_officer", "Review the appeal",
    (Outcome("overturn", True), Outcome("uphold", True)),
    not_same_actor_as=("decision",),
)
EXIT_ASSISTANCE = StepSpec(
    "exit_assistance", "case_officer", "Assist with exit after the final refusal",
    (Outcome("record_exit_assistance", data=ExitAssistance),),
)

STEPS = {s.name: s for s in (
    REGISTRATION, REFUSAL_SIGNOFF, INTERVIEW, VERIFICATION, CONCLUSION, DECISION, APPEAL_REVIEW, EXIT_ASSISTANCE,
    *STATUS_STEPS,
)}
# States in which the applicant may still withdraw.
WITHDRAWABLE = {State.LODGED, State.REGISTERED, State.INTERVIEWED, State.VERIFIED, State.CONCLUSION_DRAFTED,
                State.APPEAL_WINDOW, State.IN_APPEAL}
