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

    def accept(self, message_name: str, message) -> Sender | None:
        """For signals: the sender, or None (logged, ignored) if the proof does not hold."""
        try:
            sender = self.check(message_name, message, SIGNAL_MAX_LIFETIME)
        except ProofError as err:
            workflow.logger.warning("signal %s on %s ignored: %s", message_name, self.case_number, err)
            return None
        self.consume(message.proof)
        return sender
