"""A recognised refugee's status (Law No. 44 "On Refugees", Art. 15-1 travel documents; cessation
as the Refugee Convention's Art. 1C, deprivation for false information, naturalisation; domain.md
§1 point 10): the steps that keep it, extend it and end it."""

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from schemas.calendar import Calendar
from schemas.rules import ProcedureRules
from schemas.steps import Outcome, StepData, StepSpec


class Cessation(StepData):
    # [I] Refugee Convention Art. 1C as domain.md sources it: the person re-availed themselves of
    # their country's protection, acquired a new nationality, re-established themselves there, or
    # the circumstances of the recognition ceased to exist.
    ground: Literal["re_availment_of_protection", "new_nationality", "voluntary_re_establishment",
                    "circumstances_ceased"]


class Deprivation(StepData):
    ground: Literal["false_information", "concealed_facts"]


class Naturalisation(StepData):
    past_fields: ClassVar[tuple[str, ...]] = ("granted_on",)

    decree: str = Field(min_length=1, max_length=60, description="The decree granting KR citizenship")
    granted_on: date


# What a refugee may ask for online while the status holds, and the step that answers it.
REQUESTABLE = {"certificate_renewal": "certificate_renewal", "travel_document": "travel_document"}


def renewal_opens(calendar: Calendar, rules: ProcedureRules, certificate_from: datetime) -> datetime:
    """From when the holder may apply online to renew the certificate: when they are reminded to
    (a month before it expires); the registrar may renew at any time."""
    return calendar.due(certificate_from, rules.period("refugee_renewal_reminder"))


# A request made online is answered, or declined with the reasons (the step is offered again later).
DECLINE = Outcome("decline_request", True, answers_request=True)
RENEWAL = StepSpec("certificate_renewal", "registrar", "Renew the refugee certificate",
                   (Outcome("renew_certificate"), DECLINE))
TRAVEL_DOCUMENT = StepSpec("travel_document", "registrar", "Issue the refugee travel document",
                           (Outcome("issue_travel_document"), DECLINE))
ENDING = StepSpec("status_ending", "supervisor", "End the refugee status",
                  (Outcome("cease", True, Cessation), Outcome("deprive", True, Deprivation),
                   Outcome("naturalise", True, Naturalisation)))
ENDING_SIGNOFF = StepSpec("status_ending_signoff", "legal_officer", "Sign off the end of the refugee status",
                          (Outcome("confirm_ending", True), Outcome("return_ending", True)),
                          not_same_actor_as=("status_ending",))

STATUS_STEPS = (RENEWAL, TRAVEL_DOCUMENT, ENDING, ENDING_SIGNOFF)
# What each ending does to the case, its documents (the status ground /verify shows) and the note.
ENDINGS = {"cease": ("CEASED", "cessation", "status_ceased"),
           "deprive": ("DEPRIVED", "deprivation", "status_deprived"),
           "naturalise": ("NATURALISED", "naturalisation", "status_naturalised")}
