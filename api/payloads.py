"""Request and response bodies of the HTTP API (applications themselves live in schemas/)."""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.people import REGIONS
from schemas.steps import REASON_MAX
from schemas.text import clean_text


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _clean = model_validator(mode="before")(clean_text)


class Submitted(BaseModel):
    case_number: str
    access_code: str | None = Field(description="Shown once; needed to see the status and act on the case. "
                                               "A retry with the same Idempotency-Key gets it again; the same "
                                               "application sent again without that key does not (null).")
    state: str


class TimelineEntry(BaseModel):
    at: datetime
    state: str
    note: str = Field(description="What the applicant is told, in the Accept-Language asked for (English if none)")
    note_key: str = Field(description="The note's message key (the catalogues' `note` context)")
    params: dict[str, str] = Field(description="The note's parameters: `until` an ISO day, `document` a type, "
                                               "`amount`/`currency`, `count`, `reason` the officer's reasons")


class DocumentOut(BaseModel):
    number: str
    doc_type: str
    title: str = Field(default="", description="The document's name in the Accept-Language asked for")
    issued_at: datetime
    valid_until: datetime | None
    holder_initials: str = Field(default="", description="Whose: the applicant's, or a family member's own")


class CaseStatus(BaseModel):
    case_number: str
    procedure: str
    state: str
    state_text: str = Field(default="", description="The state in the Accept-Language asked for (ky, ru, en)")
    processing_started: bool = Field(True, description="false while the case is stored but its processing has "
                                                         "not begun (the engine was away): it will begin shortly")
    awaiting: str
    awaiting_text: str = Field(default="", description="Who is awaited, and for what, in the Accept-Language asked for")
    deadline: datetime | None
    timeline: list[TimelineEntry]
    documents: list[DocumentOut]


class Withdrawal(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "I have left the country"}]})

    reason: str = Field(default="", max_length=2000)


class DocumentRequest(Strict):
    """A recognised refugee applies online for the certificate's renewal or a travel document."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"document": "certificate_renewal"}]})

    document: Literal["certificate_renewal", "travel_document"]


class Appeal(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"grounds": "The interview record leaves out what I said about my arrest in 2024."}]})

    grounds: str = Field(min_length=10, max_length=10_000)


class Accepted(BaseModel):
    case_number: str
    accepted: bool = True
    detail: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class TaskOut(BaseModel):
    task_id: str
    case_number: str
    procedure: str
    step: str
    title: str
    role: str
    due: datetime | None
    overdue: bool
    reminded: bool
    escalated: bool
    claimed_by: str | None
    outcomes: list[str]
    data_schema: dict[str, Any]


class Claimed(BaseModel):
    task_id: str
    claimed_by: str


class DecisionRequest(Strict):
    step: str = Field(min_length=1, max_length=40)
    outcome: str = Field(min_length=1, max_length=40)
    reason: str = Field(default="", max_length=REASON_MAX)
    data: dict[str, Any] = Field(default_factory=dict)
    take_over: bool = Field(default=False, description="Decide a task another officer claimed (recorded as a take-over)")


class DecisionOut(BaseModel):
    case_number: str
    state: str
    awaiting: str


class ExtensionRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"clock": "decision", "until": "2027-03-31", "reason": "The country-of-origin report is due in March."}]})

    clock: str = Field(default="decision", max_length=40)
    until: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="New last day, YYYY-MM-DD")
    reason: str = Field(min_length=1, max_length=REASON_MAX)


class ExtensionOut(BaseModel):
    case_number: str
    clock: str
    due_at: datetime


class CaseSummary(BaseModel):
    case_number: str
    procedure: str
    state: str
    awaiting: str
    deadline: datetime | None
    applicant_name: str
    lodged_at: datetime


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int = Field(description="matches counted up to 1000 (see total_capped)")
    total_capped: bool = Field(False, description="true when there are at least `total` matches")
    page: int
    page_size: int


class CaseSearch(Strict):
    """What a search asks for, sent in a POST body: its terms may name a person or hold a passport
    number, and a URL is kept in proxies' logs and browsers' histories."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"q": "karimova", "procedure": "refugee", "page": 1}]})

    q: str | None = Field(None, max_length=100, pattern=r"^[^\x00-\x1f]*$",
                          description="a case number (or its beginning), part of a name, or a document number")
    procedure: str | None = Field(None, max_length=32, pattern=r"^[a-z-]+$")
    state: str | None = Field(None, max_length=40, pattern=r"^[A-Z_]+$")
    region: str | None = Field(None, pattern="^(" + "|".join(REGIONS) + ")$")
    due_before: date | None = Field(None, description="cases due on or before this day")
    sort: Literal["deadline", "lodged", "number"] = "deadline"
    page: int = Field(1, ge=1, le=100_000)


class TransitionOut(BaseModel):
    seq: int
    at: datetime
    event: str
    state: str
    step: str
    outcome: str
    actor: str
    actor_role: str
    reason: str
    public_note: str = Field(description="The note the applicant read, in the Accept-Language asked for")
    note_key: str
    note_params: dict[str, str]


class FileOut(BaseModel):
    file_id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class FutileOutcome(BaseModel):
    step: str
    outcome: str
    code: str = Field(description="Why it cannot stand: the refusal the workflow's check or the payment ledger "
                                  "would give (a rejection code of the catalogues)")
    params: dict[str, str]
    message: str = Field(description="The reason in the Accept-Language asked for")


class TransferOut(BaseModel):
    """One attempt to transfer a repatriation claim's reimbursement (the payment ledger's row)."""

    attempt: int
    amount: int = Field(description="in whole units of `currency`")
    currency: str = Field(description="ISO 4217")
    account: dict[str, Any] = Field(description="the account it was ordered to: holder, bank, bic, account")
    status: Literal["ordered", "paid", "failed"]
    ordered_at: datetime
    settled_at: datetime | None
    bank_reference: str = Field(description="the bank's reference of a paid transfer")
    problem: str = Field(description="why a failed transfer failed: account_closed, account_not_found, "
                                     "holder_mismatch or other")


class CaseDetail(BaseModel):
    case_number: str
    procedure: str
    state: str
    awaiting: str
    deadline: datetime | None
    lodged_at: datetime
    stalled_since: datetime | None = Field(
        default=None, description="Since when the case's processing does not answer (its workflow task failing): "
                                  "no step can be decided until it does; null while it answers")
    application: dict[str, Any] = Field(description="the parts of the application the reader's roles may see")
    hidden_parts: list[str] = Field(default_factory=list, description="parts of the dossier withheld from this reader")
    open_tasks: list[TaskOut]
    futile_outcomes: list[FutileOutcome] = Field(
        default_factory=list, description="Outcomes of the open steps that cannot stand on this case, and why "
                                          "(a work permit over the foreign-staff cap with the multiple fee unpaid; "
                                          "a claim for a death paid for in another case): a client says so instead "
                                          "of offering them")
    documents: list[DocumentOut]
    files: list[FileOut]
    transitions: list[TransitionOut]
    transfers: list[TransferOut] = Field(
        default_factory=list, description="a repatriation claim's transfers, attempt by attempt, for a reader who "
                                          "sees its payment")
