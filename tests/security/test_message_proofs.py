"""Only the API can speak for a person: forged, unsigned, altered, replayed or expired messages
sent straight to Temporal are refused before they enter history (updates) or change nothing
(signals)."""

import base64
import dataclasses
import os
from datetime import datetime, timedelta, timezone

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.converter import DataConverter, PayloadCodec
from temporalio.exceptions import ApplicationError

from schemas.messages import DecisionInput, DecisionResult, WithdrawalInput
from schemas.proof import TRUSTED, ProofError
from stack.proofs import MessageSigner
from tests.conftest import API_QUEUE, SIGNER, eventually
from tests.workflows.harness import CaseDriver, workflow_task_in_flight

MALLORY = MessageSigner.from_spec("tm1:" + base64.b64encode(b"x" * 32).decode())  # same key id, other key


@pytest.fixture
async def case(dev_env, sessions, dev_worker):
    driver = CaseDriver(dev_env.client, sessions, API_QUEUE)
    await driver.lodge()
    await driver.wait_task("registration")
    # Count the history once no workflow task is still completing (its events would land after).
    await eventually(lambda: _idle(driver))
    yield driver


async def _idle(driver: CaseDriver) -> bool:
    return not await workflow_task_in_flight(driver.handle)


async def history_length(driver: CaseDriver) -> int:
    """Events other than workflow-task bookkeeping (a refused update may still cost a workflow task
    when the workflow was not in the worker's cache), i.e. what the case's record holds."""
    events = (await driver.handle.fetch_history()).events
    return sum(1 for e in events if not e.WhichOneof("attributes").startswith("workflow_task_"))


async def refused(driver: CaseDriver, message, name: str = "decide") -> str:
    before = await history_length(driver)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await driver.handle.execute_update(name, message, result_type=DecisionResult)
    assert await history_length(driver) == before, "a refused message left an event in history"
    assert (await driver.case()).state == "LODGED"
    cause = err.value.cause
    return f"{getattr(cause, 'type', '')}: {cause}"


def register() -> DecisionInput:
    return DecisionInput("registration", "register")


async def test_an_unsigned_decision_is_refused(case):
    assert "Untrusted" in await refused(case, register())


async def test_a_decision_signed_with_another_key_is_refused(case):
    forged = MALLORY.attach("decide", case.case_number, "mallory", ["registrar"], register())
    assert "signature" in await refused(case, forged)


async def test_a_role_claimed_in_the_payload_proves_nothing(case):
    message = SIGNER.attach("decide", case.case_number, "finance_officer", ["finance_officer"], register())
    message.proof = dataclasses.replace(message.proof, roles=["registrar"])  # edited after signing
    assert "signature" in await refused(case, message)


async def test_an_altered_decision_is_refused(case):
    message = SIGNER.attach("decide", case.case_number, "registrar", ["registrar"],
                            DecisionInput("registration", "refuse_registration", "x", {"ground": "other"}))
    message.outcome = "register"
    assert "altered" in await refused(case, message)


async def test_a_proof_for_another_case_or_message_is_refused(case):
    other = SIGNER.attach("decide", "REF-2026-999999", "registrar", ["registrar"], register())
    assert "another message or case" in await refused(case, other)


async def test_an_expired_proof_is_refused(case):
    old = datetime.now(timezone.utc) - timedelta(minutes=30)
    stale = SIGNER.attach("decide", case.case_number, "registrar", ["registrar"], register(), now=old)
    assert "expired" in await refused(case, stale)


async def test_a_replayed_decision_is_refused(case):
    await case.decide("registration", "register", "registrar")
    await case.wait_task("interview")
    at = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    schedule = SIGNER.attach("decide", case.case_number, "case_officer", ["case_officer"],
                             DecisionInput("interview", "schedule_interview", "", {"interview_at": at, "place": "B"}))
    await case.handle.execute_update("decide", schedule, result_type=DecisionResult)
    await case.wait_event("decided")
    with pytest.raises(WorkflowUpdateFailedError) as err:  # the interview step is open again
        await case.handle.execute_update("decide", schedule, result_type=DecisionResult)
    assert isinstance(err.value.cause, ApplicationError) and "replayed" in str(err.value.cause)


async def test_an_unencrypted_message_from_the_temporal_cli_is_refused(case, dev_env):
    raw = Client(dev_env.client.service_client, namespace=dev_env.client.namespace)  # plain JSON, as the CLI sends
    signed = SIGNER.attach("decide", case.case_number, "registrar", ["registrar"], register())
    before = await history_length(case)
    with pytest.raises(WorkflowUpdateFailedError):
        await raw.get_workflow_handle(case.case_number).execute_update("decide", signed)
    assert await history_length(case) == before
    assert (await case.case()).state == "LODGED"


class PoisonCodec(PayloadCodec):
    """Payloads that say `binary/encrypted` but hold garbage, or name a key nobody holds."""

    def __init__(self, kid: bytes) -> None:
        self.kid = kid

    async def encode(self, payloads):
        return [Payload(metadata={"encoding": b"binary/encrypted", "encryption-key-id": self.kid},
                        data=os.urandom(64)) for _ in payloads]

    async def decode(self, payloads):
        return list(payloads)


@pytest.mark.parametrize("kid", [b"k1", b"nobody-holds-this"], ids=["garbage", "unknown-key"])
async def test_a_message_whose_payload_cannot_be_decrypted_is_refused_and_the_case_goes_on(case, dev_env, kid):
    poisoned = Client(dev_env.client.service_client, namespace=dev_env.client.namespace,
                      data_converter=dataclasses.replace(DataConverter.default, payload_codec=PoisonCodec(kid)))
    handle = poisoned.get_workflow_handle(case.case_number)
    signed = SIGNER.attach("decide", case.case_number, "registrar", ["registrar"], register())
    before = await history_length(case)
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update("decide", signed)
    assert await history_length(case) == before
    await handle.signal("withdraw", WithdrawalInput("poison"))
    await handle.signal("provide_documents", WithdrawalInput("poison"))
    # Every workflow task of the case still completes: the registrar decides, a deadline can fire.
    await case.decide("registration", "register", "registrar")
    assert (await case.wait_state("REGISTERED")).state == "REGISTERED"
    assert "withdrawn" not in await case.events()
    assert not await workflow_task_in_flight(case.handle)


async def test_a_forged_withdrawal_signal_changes_nothing(case):
    await case.handle.signal("withdraw", WithdrawalInput("forged"))
    await case.handle.signal("withdraw", MALLORY.attach("withdraw", case.case_number, "applicant", ["applicant"],
                                                        WithdrawalInput("forged")))
    await case.decide("registration", "register", "registrar")  # the case goes on: nothing was withdrawn
    assert (await case.wait_state("REGISTERED")).state == "REGISTERED"
    assert "withdrawn" not in await case.events()


def test_verification_needs_no_clock_or_io():
    message = SIGNER.attach("decide", "REF-2026-000001", "registrar", ["registrar"], register())
    issued = datetime.fromisoformat(message.proof.issued_at)
    sender = TRUSTED.verify(message.proof, "decide", "REF-2026-000001", message, issued)
    assert sender.actor == "registrar" and sender.roles == ("registrar",)
    with pytest.raises(ProofError):
        TRUSTED.verify(message.proof, "decide", "REF-2026-000001", message, issued + timedelta(hours=1))


async def test_a_rotated_key_keeps_old_messages_verifiable(case):
    """A new signing key (new key id) takes over; the old public key stays trusted, so messages
    signed before the rotation still verify (and histories that hold them still replay)."""
    from stack.proofs import trust_public_keys

    retired = MessageSigner.from_spec("tm0:" + base64.b64encode(b"o" * 32).decode())
    trust_public_keys(retired.public_spec())
    message = retired.attach("decide", case.case_number, "registrar", ["registrar"], register())
    result = await case.handle.execute_update("decide", message, result_type=DecisionResult)
    assert result.state == "REGISTERED"


def test_an_applicants_message_outlives_a_worker_outage_but_not_forever():
    """A signal is checked when a worker takes it, maybe after an outage: a day-long proof holds
    then (its nonce still stops a replay); a decision's proof may not live that long."""
    from schemas.proof import SIGNAL_MAX_LIFETIME
    from stack.proofs import SIGNAL_TTL

    sent = datetime.now(timezone.utc)
    message = SIGNER.attach("withdraw", "REF-2026-000001", "applicant", ["applicant"], WithdrawalInput("x"),
                            now=sent, ttl=SIGNAL_TTL)
    later = sent + timedelta(hours=3)
    assert TRUSTED.verify(message.proof, "withdraw", "REF-2026-000001", message, later, SIGNAL_MAX_LIFETIME)
    with pytest.raises(ProofError):  # as a decision's proof it would be too long-lived
        TRUSTED.verify(message.proof, "withdraw", "REF-2026-000001", message, later)
    with pytest.raises(ProofError):
        TRUSTED.verify(message.proof, "withdraw", "REF-2026-000001", message, sent + timedelta(days=3),
                       SIGNAL_MAX_LIFETIME)


def test_the_mission_a_proof_names_is_signed_and_an_old_proof_without_one_still_verifies():
    now = datetime.now(timezone.utc)
    message = DecisionInput("mission_document_check", "documents_ok")
    SIGNER.attach("decide", "RPT-2026-000001", "consul.ru", ["consular_officer"], message, now, mission="RUS")
    assert TRUSTED.verify(message.proof, "decide", "RPT-2026-000001", message, now).mission == "RUS"
    moved = dataclasses.replace(message.proof, mission="TUR")  # a consul elsewhere, claiming Moscow's step
    with pytest.raises(ProofError, match="signature"):
        TRUSTED.verify(moved, "decide", "RPT-2026-000001", message, now)
    added = dataclasses.replace(SIGNER.attach("decide", "RPT-2026-000001", "registrar", ["registrar"],
                                              DecisionInput("document_check", "documents_ok"), now).proof,
                                mission="RUS")  # a mission added to a home officer's proof
    with pytest.raises(ProofError, match="signature"):
        TRUSTED.verify(added, "decide", "RPT-2026-000001", DecisionInput("document_check", "documents_ok"), now)
    plain = SIGNER.attach("decide", "RPT-2026-000001", "registrar", ["registrar"],
                          DecisionInput("document_check", "documents_ok"), now)
    assert "mission" not in plain.proof.signed_bytes().decode()  # proofs signed before missions existed verify
