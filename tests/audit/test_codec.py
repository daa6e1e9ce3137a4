"""Personal data in Temporal is encrypted: what the engine stores is unreadable without the keys."""

import base64

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from stack.codec import REFUSED, REFUSED_BYTES, REFUSED_KEY, EncryptionCodec, KeyError_, parse_keys
from tests.api.helpers import decide, submit

K1 = {"k1": b"1" * 32}


async def test_a_rotated_key_still_decodes_what_it_encrypted():
    old = EncryptionCodec(K1)
    sealed = await old.encode([Payload(metadata={"encoding": b"json/plain"}, data=b'{"reason": "secret"}')])
    assert b"secret" not in sealed[0].data and sealed[0].metadata["encryption-key-id"] == b"k1"
    rotated = EncryptionCodec({"k2": b"2" * 32, **K1})
    assert (await rotated.decode(sealed))[0].data == b'{"reason": "secret"}'
    assert (await rotated.encode(sealed))[0].metadata["encryption-key-id"] == b"k2"
    unknown, = await EncryptionCodec({"k9": b"9" * 32}).decode(sealed)
    assert unknown.metadata["encoding"] == REFUSED_KEY and unknown.metadata["encryption-key-id"] == b"k1"
    with pytest.raises(KeyError_):
        parse_keys("k1:" + base64.b64encode(b"short").decode())


async def test_a_payload_that_cannot_be_read_is_refused_never_raised():
    """Garbage under the encrypted payload's metadata, a key id nobody holds, no key id, a payload
    cut short, or none encrypted: each becomes a payload no converter reads (the message is
    refused), never an exception that would fail every workflow task of the case."""
    codec = EncryptionCodec(K1)
    sealed, = await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"ok"')])
    garbage = Payload(metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"k1"}, data=b"\x00" * 40)
    cut = Payload(metadata=dict(sealed.metadata), data=sealed.data[:8])
    flipped = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    nameless = Payload(metadata={"encoding": b"binary/encrypted"}, data=sealed.data)
    strange = Payload(metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"\xff" * 300}, data=b"")
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"ok"')
    decoded = await codec.decode([garbage, cut, flipped, nameless, strange, plain, sealed])
    assert [p.metadata["encoding"] for p in decoded] == [REFUSED_BYTES, REFUSED_BYTES, REFUSED_BYTES, REFUSED_KEY,
                                                         REFUSED_KEY, REFUSED, b"json/plain"]
    assert all(not p.data for p in decoded[:-1]) and decoded[-1].data == b'"ok"'


async def test_the_stored_history_holds_no_reason_or_interview_in_clear(api, tokens, dev_env):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    await decide(api, tokens, n, "interview", "record_interview", "case_officer",
                 data={"held_at": "2026-11-20T10:00:00+06:00", "summary": "Tortured by the Zarafshan police."})
    raw_client = Client(dev_env.client.service_client, namespace=dev_env.client.namespace)  # no keys
    raw = (await raw_client.get_workflow_handle(n).fetch_history()).to_json()
    assert "Zarafshan" not in raw
    assert "Karimova" not in raw and "P1234567" not in raw  # never sent to the engine at all
    assert base64.b64encode(b"binary/encrypted").decode() in raw  # metadata is base64 in history JSON
    assert base64.b64encode(b"Zarafshan").decode()[:8] not in raw
    readable = (await dev_env.client.get_workflow_handle(n).fetch_history())
    decoded = await dev_env.client.data_converter.payload_codec.decode(
        [p for e in readable.events if e.HasField("workflow_execution_update_accepted_event_attributes")
         for p in e.workflow_execution_update_accepted_event_attributes.accepted_request.input.args.payloads])
    assert any(b"Zarafshan" in p.data for p in decoded)


async def test_the_web_ui_codec_endpoint_decodes_for_staff_only(api, tokens):
    sealed = await EncryptionCodec(parse_keys("t1:" + base64.b64encode(b"1" * 32).decode())).encode(
        [Payload(metadata={"encoding": b"json/plain"}, data=b'"hello"')])
    wire = {"payloads": [{"metadata": {k: base64.b64encode(v).decode() for k, v in sealed[0].metadata.items()},
                          "data": base64.b64encode(sealed[0].data).decode()}]}
    assert (await api.post("/codec/decode", json=wire)).status_code == 401
    r = await api.post("/codec/decode", json=wire, headers=await tokens("auditor"))
    assert r.status_code == 200 and base64.b64decode(r.json()["payloads"][0]["data"]) == b'"hello"'
    bad = await api.post("/codec/decode", json={"payloads": [{"metadata": {"encoding": "!!"}, "data": "x"}]},
                         headers=await tokens("auditor"))
    assert bad.status_code == 422
    pre = await api.options("/codec/decode", headers={"Origin": "http://127.0.0.1:8233",
                                                      "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "authorization"})
    assert pre.headers.get("access-control-allow-origin") == "http://127.0.0.1:8233"
