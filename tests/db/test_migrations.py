"""Migrations that carry data over, on a database of their own at the revision before them."""

import asyncio
import uuid

import asyncpg
from sqlalchemy.engine import make_url

from db.migrate import upgrade


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_documents_learn_whose_they_are_from_their_issue_key(owner_database_url):
    name = f"aryz_mig_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(_plain(owner_database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(owner_database_url).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url, "0014")
        db = await asyncpg.connect(_plain(url))
        try:
            await db.execute(
                "INSERT INTO cases (case_number, procedure, state, awaiting, last_seq, region, applicant_name, "
                "application, access_code_hash, access_seed, dedupe_key, payload_hash) VALUES "
                "('REF-2026-000001', 'refugee', 'STATUS_ACTIVE', '', 0, 'GB', 'x', '{}', 'h', 's', 'd', 'p')")
            for number, key in (("RC-GB-2026-000001", "REF-2026-000001:RC:1"),
                                ("RC-GB-2026-000002", "REF-2026-000001:RC.m1:1"),
                                ("RC-GB-2026-000003", "REF-2026-000001:RC.m12:2")):
                await db.execute("INSERT INTO documents (number, issue_key, case_number, doc_type, issued_at, "
                                 "holder_initials, doc_kind, status, status_ground, seal, sha256) "
                                 "VALUES ($1, $2, 'REF-2026-000001', 'RC', now(), 'A. B.', 'certificate', "
                                 "'valid', '', '', '')", number, key)
            await asyncio.to_thread(upgrade, url, "head")
            members = dict(await db.fetch("SELECT number, member FROM documents"))
            assert members == {"RC-GB-2026-000001": 0, "RC-GB-2026-000002": 1, "RC-GB-2026-000003": 12}
        finally:
            await db.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
