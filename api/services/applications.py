"""Submitting an application: one case, one number, one workflow, however often it is retried."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from api import security
from api.errors import ApiError
from db.models import Case
from db.repositories.audit import append_audit
from db.repositories.cases import find_by_dedupe
from db.repositories.sequences import next_number
from db.sealing import session_sealer
from rules import RulesError, local_today
from schemas.procedures import Procedure


def document_key(number: str) -> str:
    return "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())[:40]


# Without an Idempotency-Key, the same application sent again within this window is a retry.
RETRY_WINDOW = timedelta(hours=24)


@dataclass
class Submitted:
    case: Case
    access_code: str | None
    replayed: bool


def _payload_hash(application: BaseModel) -> str:
    canonical = json.dumps(application.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def submit_application(session: AsyncSession, procedure: Procedure, application: BaseModel,
                             idempotency_key: str | None, secret: str, lang: str = "") -> Submitted:
    """`lang`: the language the applicant applied in, if known; their text messages are written in it."""
    try:
        # The facts the workflow will need must be derivable now (e.g. an amount in force at the
        # date of death); a case that could never start is refused here, not stored.
        procedure.facts(application, datetime.now(timezone.utc).date())
    except RulesError as err:
        raise ApiError(422, str(err), code="outside_the_rules") from None
    payload_hash = _payload_hash(application)
    dedupe_key = f"key:{idempotency_key}" if idempotency_key else f"payload:{payload_hash}"
    # Serialise submissions of the same key/payload so concurrent retries cannot both create a case.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{procedure.slug}|{dedupe_key}"})
    now = datetime.now(timezone.utc)
    if idempotency_key:
        existing = await find_by_dedupe(session, procedure.slug, dedupe_key)
    else:
        existing = await session.scalar(
            select(Case).where(Case.procedure == procedure.slug, Case.payload_hash == payload_hash,
                               Case.lodged_at > now - RETRY_WINDOW, Case.dedupe_key.like("payload:%"))
            .order_by(Case.lodged_at.desc()).limit(1))
    if existing is not None:
        if existing.payload_hash != payload_hash:
            raise ApiError(422, "this Idempotency-Key was already used for a different application", code="key_reused")
        # Only the holder of the Idempotency-Key (a secret the client chose) gets the code again;
        # the same details sent by anyone else name the case but never open it.
        code = (security.access_code(secret, existing.case_number, existing.dedupe_key, existing.access_seed)
                if idempotency_key else None)
        return Submitted(existing, code, replayed=True)
    if not idempotency_key:
        # A later identical application (outside the retry window) is a new case: keep keys unique.
        dedupe_key = f"payload:{payload_hash}:{now.isoformat()}"

    year = local_today(now).year
    number = await next_number(session, f"{procedure.case_prefix}-{year}")
    case_number = f"{procedure.case_prefix}-{year}-{number:06d}"
    seed = security.new_seed()
    code = security.access_code(secret, case_number, dedupe_key, seed)
    data = session_sealer(session).seal_application(procedure.slug, case_number, application.model_dump(mode="json"))
    case = Case(case_number=case_number, procedure=procedure.slug, state=procedure.initial_state, awaiting="",
                deadline=None, last_seq=0, region=data["region"], applicant_name=application.search_name(),
                document_key=document_key(getattr(application, procedure.holder).document_number),
                mission=getattr(application, "mission", None), lang=lang,
                application=data,
                access_code_hash=security.hash_code(code, secret), access_seed=seed, dedupe_key=dedupe_key,
                payload_hash=payload_hash, lodged_at=now, updated_at=now)
    session.add(case)
    await session.flush()
    await append_audit(session, action="application_submitted", actor="applicant", actor_role="applicant",
                       case_number=case_number, at=now, detail={"procedure": procedure.slug})
    return Submitted(case, code, replayed=False)
