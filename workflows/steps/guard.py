"""MessageGuard: a case workflow hears only messages that came through the API.

Every staff update and applicant signal carries a `Proof` signed by the API. `check` (for update
validators: read-only) verifies it against the case, the message and the workflow's clock, and
refuses a nonce seen before; `consume` remembers the nonce once the message is taken. Signals
cannot be rejected before they enter history, so `accept` verifies and consumes in one go and a
forged signal changes nothing. Nonces are kept only until their proof expires.
"""

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.proof import MAX_LIFETIME, SIGNAL_MAX_LIFETIME, TRUSTED, Proof, ProofError, Sender


class MessageGuard:
    def __init__(self, case_number: str) -> None:
        self.case_number = case_number
        self.nonces: dict[str, datetime] = {}  # nonce -> when its proof expires

    def check(self, message_name: str, message, max_lifetime=MAX_LIFETIME) -> Sender:
        """The verified sender of `message`; raises ProofError (nothing is changed)."""
        sender = TRUSTED.verify(message.proof, message_name, self.case_number, message, workflow.now(), max_lifetime)
        if message.proof.nonce in self.nonces:
            raise ProofError("this message was already delivered (replayed proof)")
        return sender

    def consume(self, proof: Proof) -> None:
        now = workflow.now()
        self.nonces = {n: exp for n, exp in self.nonces.items() if exp >= now}
        self.nonces[proof.nonce] = datetime.fromisoformat(proof.expires_at)

    def started_by_api(self, start) -> bool:
        """Whether the API started this workflow for this case (its `CaseStart` proof, bound to the
        workflow's own ID). The proof is checked as of when it was made: a worker may take the
        workflow's first task long after, and a copy of it is refused for its case, not its age."""
        if start is None or start.proof is None or start.case_number != self.case_number \
                or workflow.info().workflow_id != self.case_number:
            return False
        try:
            TRUSTED.verify(start.proof, "start", self.case_number, start, datetime.fromisoformat(start.proof.issued_at))
        except (ProofError, ValueError) as err:
            workflow.logger.error("workflow %s refused: its start was not made by the API (%s)",
                                  workflow.info().workflow_id, err)
            return False
        return True

    def accept(self, message_name: str, message) -> Sender | None:
        """For signals: the sender, or None (logged, ignored) if the proof does not hold."""
        try:
            sender = self.check(message_name, message, SIGNAL_MAX_LIFETIME)
        except ProofError as err:
            workflow.logger.warning("signal %s on %s ignored: %s", message_name, self.case_number, err)
            return None
        self.consume(message.proof)
        return sender
