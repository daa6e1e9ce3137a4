"""The remote codec the Temporal Web UI calls to show decrypted payloads to auditors.

Decoding only: there is no encode endpoint, so nobody can have the API encrypt a message to
send around it (and an encrypted message still needs the API's signed proof to be heard)."""

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from temporalio.api.common.v1 import Payload

from api.deps import Staff, require_roles
from api.errors import ApiError
from db.repositories.audit import append_audit
from stack.codec import EncryptionCodec

router = APIRouter(prefix="/codec", tags=["ops"])


class WirePayload(BaseModel):
    metadata: dict[str, str] = {}
    data: str = ""


class Payloads(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"payloads": [
        {"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "ImhlbGxvIg=="}]}]})

    payloads: list[WirePayload]


def _from_wire(p: WirePayload) -> Payload:
    try:
        return Payload(metadata={k: base64.b64decode(v) for k, v in p.metadata.items()}, data=base64.b64decode(p.data))
    except ValueError:
        raise ApiError(422, "payload metadata and data must be base64", code="not_base64") from None


def _to_wire(p: Payload) -> WirePayload:
    return WirePayload(metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                       data=base64.b64encode(p.data).decode())


def _codec(request: Request) -> EncryptionCodec:
    return request.app.state.temporal.data_converter.payload_codec


@router.post("/decode", response_model=Payloads, summary="Decode payloads for the Temporal UI")
async def decode(body: Payloads, request: Request, staff: Annotated[Staff, Depends(require_roles("auditor"))]) -> Payloads:
    """The Temporal Web UI's remote codec: an auditor's browser sends the sealed payloads of a
    history and gets them back readable. Nothing is encoded here: workflows are only started by aryz."""
    try:
        decoded = await _codec(request).decode([_from_wire(p) for p in body.payloads[:1000]])
    except (ValueError, KeyError):
        raise ApiError(422, "a payload could not be decrypted with the configured keys", code="not_decrypted") from None
    async with request.app.state.sessions.begin() as session:
        await append_audit(session, action="payloads_decoded", actor=staff.username, actor_role=",".join(staff.roles),
                           detail={"count": len(decoded), "namespace": request.headers.get("x-namespace", "")})
    return Payloads(payloads=[_to_wire(p) for p in decoded])
