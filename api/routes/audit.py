"""Auditors: verify that the audit log was not altered."""

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.deps import SessionDep, Staff, require_roles
from db.repositories.audit import append_audit, verify_chain

router = APIRouter(prefix="/audit", tags=["auditors"])
Auditor = Annotated[Staff, Depends(require_roles("auditor"))]


class Verification(BaseModel):
    ok: bool
    entries: int
    first_bad: int | None
    problem: str


@router.get("/verify", response_model=Verification)
async def verify(session: SessionDep, staff: Auditor) -> Verification:
    check = await verify_chain(session)
    await append_audit(session, action="audit_verified", actor=staff.username, actor_role="auditor",
                       detail={"ok": check.ok, "entries": check.entries, "first_bad": check.first_bad})
    return Verification(ok=check.ok, entries=check.entries, first_bad=check.first_bad, problem=check.problem)
