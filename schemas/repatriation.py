"""Repatriation cost reimbursement (Decree No. 56; Res. No. 169): application, states, steps."""

import hashlib
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from schemas.countries import Country
from schemas.people import Contact, Person, Region, Strict
from schemas.steps import Outcome, StepData, StepSpec, request_documents_outcome
from schemas.text import problem

PROCEDURE = "repatriation"
CASE_PREFIX = "RPT"
WORKFLOW = "RepatriationReimbursementWorkflow"


def deceased_key(personal_number: str) -> str:
    """Who died, as the payment ledger knows them: a digest of the personal number, so that one
    death is paid once whoever claims, and the number itself is kept in no other table."""
    return hashlib.sha256(f"kg-pin:{personal_number}".encode()).hexdigest()


class State(StrEnum):
    SUBMITTED = "SUBMITTED"
    DOCS_CHECK = "DOCS_CHECK"
    AWAITING_DOCS = "AWAITING_DOCS"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    PAYMENT_ORDERED = "PAYMENT_ORDERED"
    AWAITING_ACCOUNT = "AWAITING_ACCOUNT"
    PAID = "PAID"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"


class Deceased(Strict):
    family_name: str = Field(min_length=1, max_length=100)
    given_names: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    # Personal identification number (ПИН) of a citizen of the Kyrgyz Republic: one payment per person.
    personal_number: str = Field(pattern=r"^[12]\d{13}$")
    citizen_of_kr: bool
    date_of_death: date
    country_of_death: Country
    death_document: Literal["notarised_copy", "consular_legalisation", "apostille", "consular_registration_mark"]


class BankAccount(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"holder": "Asanova Gulnara", "bank": "KICB", "bic": "KICBKG22", "account": "1280000000000042"}]})

    holder: str = Field(min_length=1, max_length=200)
    bank: str = Field(min_length=1, max_length=200)
    bic: str = Field(pattern=r"^[A-Z0-9]{6,11}$")
    account: str = Field(pattern=r"^[A-Z0-9]{8,34}$", description="Account number or IBAN, no spaces")


EXAMPLE = {
    "applicant": {"family_name": "Asanova", "given_names": "Gulnara", "patronymic": "", "date_of_birth": "1975-02-11",
                     "sex": "F", "nationality": "KGZ", "document_type": "passport", "document_number": "AN1234567"},
    "relationship": "spouse", "power_of_attorney_number": "",
    "deceased": {"family_name": "Asanov", "given_names": "Bakyt", "date_of_birth": "1972-05-20",
                 "personal_number": "21205197200123", "citizen_of_kr": True, "date_of_death": "2026-10-20",
                 "country_of_death": "RUS", "death_document": "consular_registration_mark"},
    "costs_borne_by_applicant": True, "region": "C",
    "bank_account": {"holder": "Asanova Gulnara", "bank": "Optima Bank", "bic": "OPTIKG22", "account": "1090000123456789"},
    "contact": {"address": "Tokmok, Lenin street 10", "phone": "+996700111222"},
}


class RepatriationApplication(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    applicant: Person
    relationship: Literal["spouse", "child", "parent", "sibling", "grandparent", "grandchild",
                          "attorney_of_close_relative"]
    power_of_attorney_number: str = Field(default="", max_length=60, description="Notarised power of attorney, if any")
    deceased: Deceased
    costs_borne_by_applicant: bool
    region: Region
    # Relatives may lodge the claim and receive the payment at a diplomatic mission abroad, in
    # foreign currency, by transfer or in cash if they have no account (domain.md §3 [S15]).
    mission: Country | None = Field(default=None, description="The country of the diplomatic mission where the "
                                    "claim is lodged and paid; none: at home")
    bank_account: BankAccount | None = Field(default=None, description="Required at home; at a mission, "
                                             "none means the payment is made in cash")
    contact: Contact

    @model_validator(mode="after")
    def consistent(self) -> "RepatriationApplication":
        d = self.deceased
        if d.date_of_death > date.today():
            raise problem("date_in_future", "deceased.date_of_death is in the future", "deceased.date_of_death")
        if d.date_of_death < d.date_of_birth:
            raise problem("death_before_birth", "deceased.date_of_death is before the date of birth",
                          "deceased.date_of_death")
        if self.relationship == "attorney_of_close_relative" and not self.power_of_attorney_number:
            raise problem("attorney_without_power", "an attorney must give the number of the notarised power of attorney",
                          "power_of_attorney_number")
        if self.bank_account is None and self.mission is None:
            raise problem("no_bank_account", "a claim paid at home needs the bank account to transfer to",
                          "bank_account")
        return self

    def search_name(self) -> str:
        a = self.applicant
        return f"{a.family_name} {a.given_names} {a.patronymic}".strip()


# [D] refusal grounds (domain.md §3).
class Refusal(StepData):
    ground: Literal["not_a_kr_citizen", "deadline_missed", "not_the_cost_bearer", "already_paid",
                    "defective_death_document", "excluded_by_law_enforcement"]


class PaymentConfirmation(StepData):
    bank_reference: str = Field(min_length=1, max_length=60)


class PaymentFailure(StepData):
    problem: Literal["account_closed", "account_not_found", "holder_mismatch", "other"]


class MissionPayment(StepData):
    """What the mission paid, in the currency it paid in (at the rate of the day of payment)."""

    method: Literal["transfer", "cash"]
    bank_reference: str = Field(min_length=1, max_length=60, description="Transfer reference or cash receipt number")
    paid_amount: int = Field(gt=0, le=100_000_000)
    paid_currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. RUB, USD, TRY")


DOCUMENT_CHECK = StepSpec("document_check", "registrar", "Check the documents",
                          (Outcome("documents_ok"), Outcome("refuse", True, Refusal), request_documents_outcome()))
APPROVAL = StepSpec("approval", "finance_officer", "Approve the reimbursement",
                    (Outcome("approve"), Outcome("refuse", True, Refusal)),
                    not_same_actor_as=("document_check", "mission_document_check"))
PAYMENT = StepSpec("payment", "finance_officer", "Confirm the transfer",
                   (Outcome("confirm_paid", data=PaymentConfirmation),
                    Outcome("payment_failed", True, PaymentFailure)))

# The consular route: the mission where the claim was lodged checks the documents and pays.
MISSION_DOCUMENT_CHECK = StepSpec("mission_document_check", "consular_officer", "Check the documents at the mission",
                                  (Outcome("documents_ok"), Outcome("refuse", True, Refusal), request_documents_outcome()),
                                  at_mission=True)
MISSION_PAYMENT = StepSpec("mission_payment", "consular_officer", "Record the payment at the mission",
                           (Outcome("confirm_paid", data=MissionPayment),
                            Outcome("payment_failed", True, PaymentFailure)), at_mission=True)

STEPS = {s.name: s for s in (DOCUMENT_CHECK, APPROVAL, PAYMENT, MISSION_DOCUMENT_CHECK, MISSION_PAYMENT)}
WITHDRAWABLE = {State.SUBMITTED, State.DOCS_CHECK, State.AWAITING_DOCS}
FINAL = {State.REJECTED, State.CLOSED, State.WITHDRAWN}
