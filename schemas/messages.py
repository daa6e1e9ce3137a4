"""Messages to and from case workflows, and activity inputs. One dataclass per message."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas.proof import Proof
from schemas.rules import ProcedureRules


@dataclass
class CaseInput:
    """Start of any procedure. Personal data stays in the database, out of workflow history;
    `facts` carries only what the procedure's rules need (e.g. days since entry)."""

    case_number: str
    procedure: str
    lodged_at: datetime
    region: str
    rules: ProcedureRules
    facts: dict[str, Any] = field(default_factory=dict)
    # The API's proof that it started this workflow for this case (CaseStart): a workflow started
    # around the API from a copied input, under another ID, records nothing. None in cases begun
    # before it existed (their histories replay without the check: workflows/steps/case_workflow.py).
    start: "CaseStart | None" = None


@dataclass
class CaseOutcome:
    case_number: str
    state: str


class Signed:
    """A message from a person. Who sent it is what its `proof` (made by the API) says, nothing else."""

    proof: Proof | None

    @property
    def actor(self) -> str:
        return self.proof.actor if self.proof else ""

    @property
    def actor_roles(self) -> list[str]:
        return list(self.proof.roles) if self.proof else []


@dataclass
class CaseStart(Signed):
    """What the API signs when it starts a case's workflow (message "start"): the case and its
    procedure. Also the start's memo, so the API can tell its own workflow under a case number from
    one someone else started there (api/services/workflows.py)."""

    case_number: str
    procedure: str
    proof: Proof | None = None


@dataclass
class DecisionInput(Signed):
    step: str
    outcome: str
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    proof: Proof | None = None


@dataclass
class DecisionResult:
    state: str
    awaiting: str


@dataclass
class ExtensionInput(Signed):
    clock: str
    until: str  # ISO date: the new last day
    reason: str
    proof: Proof | None = None


@dataclass
class ExtensionResult:
    clock: str
    due_at: datetime


@dataclass
class FileRef:
    file_id: str
    filename: str
    sha256: str


@dataclass
class DocumentsProvided(Signed):
    files: list[FileRef]
    note: str = ""
    proof: Proof | None = None


@dataclass
class WithdrawalInput(Signed):
    reason: str = ""
    proof: Proof | None = None


@dataclass
class AppealInput(Signed):
    grounds: str
    proof: Proof | None = None


@dataclass
class TaskRecord:
    task_id: str
    step: str
    role: str
    title: str
    due_at: datetime | None
    outcomes: list[str]
    escalated: bool = False
    kind: str = "task"  # "task": work due in an inbox; "action": available on the case, not due
    clock: str = ""  # the officers' deadline it runs on, which a supervisor may extend ("" if none)


@dataclass
class TransitionRecord:
    """One transition of a case: read model, tasks and audit entry, written together."""

    case_number: str
    seq: int
    at: datetime
    state: str
    event: str
    awaiting: str = ""
    deadline: datetime | None = None
    step: str = ""
    outcome: str = ""
    actor: str = "system"
    actor_role: str = ""
    reason: str = ""
    public_note: str = ""  # what the applicant is told: a key of schemas.notes.NOTES
    note_params: dict[str, str] = field(default_factory=dict)
    open_tasks: list[TaskRecord] = field(default_factory=list)
    close_tasks: list[str] = field(default_factory=list)
    escalate_tasks: list[str] = field(default_factory=list)
    remind_tasks: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    notify_applicant: bool = False
    # Written by a local activity (see workflows/steps/recorder.py): the mark of the workflow task
    # that wrote it, which grows with every task of the case, a retried one included (0: written by
    # an activity task), and every task open after it, so that a retried workflow task can
    # supersede what an attempt that never completed wrote.
    task_mark: int = 0
    open_now: list[str] | None = None
    # The first run ID of the writing workflow's chain of runs: only the chain serving the case
    # writes its records ("" from workflows that wrote before it was sent).
    chain: str = ""


@dataclass
class RecordedState:
    """Query `recorded` of every case workflow: what the engine's history has recorded of the case
    (its last transition's seq, state, awaited party, deadline and the tasks it holds open), which
    the reconciler holds the read model against (activities/reconciler.py)."""

    seq: int
    state: str
    awaiting: str
    deadline: datetime | None
    open_tasks: list[str]
    clocks: list[str] = field(default_factory=list)  # the statutory clocks running
    # How the workflow was ended through the engine (TERMINATED, FAILED…), said by the reconciler
    # from its description, never by the workflow: "" while it runs or ended by its procedure.
    ended: str = ""


@dataclass
class LetterFacts:
    """What a refusal or termination letter says: the decision, its ground and reasons (as the
    officer wrote them), and the last day to appeal."""

    outcome: str
    ground: str = ""
    reasons: str = ""
    appeal_until: datetime | None = None


@dataclass
class IssueDocumentInput:
    """One document to issue. The holder's name and dates come from the case in the database,
    never through the engine's history."""

    case_number: str
    doc_type: str
    issue_key: str  # the same key always yields the same document (retries, replays)
    region: str
    valid_from: datetime
    valid_until: datetime | None
    replaces: str = ""  # the number of the document this one replaces (a renewal, an extension)
    letter: LetterFacts | None = None
    details: dict[str, str] = field(default_factory=dict)  # non-personal lines, e.g. the amount decided
    member: int = 0  # whose: 0 the applicant, n the n-th family member named in the application


@dataclass
class IssuedDocument:
    number: str
    doc_type: str
    valid_until: datetime | None
    sha256: str = ""  # of the PDF as issued
    member: int = 0  # 0 the applicant, n the n-th family member named in the application


@dataclass
class CarriedRuns:
    """What a case's next run (after continue-as-new) must know of the runs before it."""

    run: int = 0  # runs before this one
    seq: int = 0  # the last transition recorded
    issued: dict[str, int] = field(default_factory=dict)  # documents issued per type (their issue keys)
    nonces: dict[str, str] = field(default_factory=dict)  # proofs already taken → when they expire (ISO)
    deciders: dict[str, str] = field(default_factory=dict)  # step → who decided it last (four eyes)


@dataclass
class RefugeeStatusCarry:
    """A recognised refugee's status, carried from one run (one certificate period) to the next."""

    case: CaseInput
    certificate: IssuedDocument  # the refugee certificate in force
    certificate_from: datetime
    travel_document: IssuedDocument | None = None
    runs: CarriedRuns = field(default_factory=CarriedRuns)
    family: list[IssuedDocument] = field(default_factory=list)  # the family members' refugee certificates
    # Requests still unanswered (step -> when asked, ISO 8601): their clocks go on in the next run.
    requested: dict[str, str] = field(default_factory=dict)


@dataclass
class DocumentStatusInput:
    """Ends (revoked, expired), suspends or reinstates (valid) the case's documents that are in
    force; letters and replaced documents keep their state."""

    case_number: str
    status: str  # valid | suspended | revoked | expired
    ground: str
    at: datetime


@dataclass
class OrderPaymentInput:
    case_number: str
    attempt: int
    amount: int
    currency: str


@dataclass
class PaymentOrder:
    idempotency_key: str
    status: str  # "ordered", "paid", "failed", or "already_paid" (refused: someone was paid for this death)


@dataclass
class SettlePaymentInput:
    idempotency_key: str
    paid: bool
    reference: str = ""
    failure: str = ""


@dataclass
class PlacementLine:
    country: str  # ISO 3166-1 alpha-3 of the destination
    sector: str
    placed: int


@dataclass
class PlacementReportInput(Signed):
    """An agency's report for one period: how many citizens it placed abroad, by country and sector."""

    period: int
    lines: list[PlacementLine]
    proof: Proof | None = None


@dataclass
class AccountCorrected(Signed):
    note: str = ""
    proof: Proof | None = None


@dataclass
class StatusDocumentRequest(Signed):
    """A recognised refugee asks for the certificate's renewal or a travel document online."""

    document: str = ""  # one of schemas.refugee_status.REQUESTABLE
    proof: Proof | None = None


@dataclass
class QuotaRequest:
    case_number: str
    year: int
    region: str
    sector: str
