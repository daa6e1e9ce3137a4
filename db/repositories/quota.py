"""The quota ledger. Every change to a bucket happens under its row lock, and the database's check
constraint refuses an oversold bucket whatever the code does."""

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import QuotaAmendment, QuotaBucket, QuotaUnit


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def _bucket(session: AsyncSession, year: int, region: str, sector: str) -> QuotaBucket | None:
    return await session.scalar(select(QuotaBucket).where(
        QuotaBucket.year == year, QuotaBucket.region == region, QuotaBucket.sector == sector).with_for_update())


async def reserve(session: AsyncSession, case_number: str, year: int, region: str, sector: str) -> str:
    """'reserved' (now or before), 'released' (it was, earlier), 'exhausted' or 'no_quota'."""
    unit = await session.get(QuotaUnit, case_number)
    if unit is not None:
        return "released" if unit.status == "released" else "reserved"
    bucket = await _bucket(session, year, region, sector)
    if bucket is None or bucket.size == 0:
        return "no_quota"
    if bucket.reserved + bucket.consumed >= bucket.size:
        return "exhausted"
    bucket.reserved += 1
    bucket.updated_at = _now()
    session.add(QuotaUnit(case_number=case_number, year=year, region=region, sector=sector, status="reserved",
                          reserved_at=_now()))
    await session.flush()
    return "reserved"


async def _unit_and_bucket(session: AsyncSession, case_number: str):
    unit = await session.scalar(select(QuotaUnit).where(QuotaUnit.case_number == case_number).with_for_update())
    if unit is None:
        return None, None
    return unit, await _bucket(session, unit.year, unit.region, unit.sector)


async def consume(session: AsyncSession, case_number: str) -> None:
    unit, bucket = await _unit_and_bucket(session, case_number)
    if unit is not None and unit.status == "reserved":
        unit.status, unit.consumed_at = "consumed", _now()
        bucket.reserved -= 1
        bucket.consumed += 1
        bucket.updated_at = _now()


async def release(session: AsyncSession, case_number: str) -> None:
    unit, bucket = await _unit_and_bucket(session, case_number)
    if unit is None or unit.status == "released":
        return
    if unit.status == "reserved":
        bucket.reserved -= 1
    else:
        bucket.consumed -= 1
    unit.status, unit.released_at = "released", _now()
    bucket.updated_at = _now()


class QuotaError(ValueError):
    pass


async def set_size(session: AsyncSession, *, year: int, region: str, sector: str, size: int, legal_act: str,
                   actor: str) -> QuotaBucket:
    bucket = await _bucket(session, year, region, sector)
    old = bucket.size if bucket else 0
    if bucket is None:
        bucket = QuotaBucket(year=year, region=region, sector=sector, size=size, reserved=0, consumed=0,
                             legal_act=legal_act, updated_at=_now())
        session.add(bucket)
    else:
        if size < bucket.reserved + bucket.consumed:
            raise QuotaError(f"{bucket.reserved + bucket.consumed} units are reserved or consumed; "
                             f"the bucket cannot be smaller than that")
        bucket.size, bucket.legal_act, bucket.updated_at = size, legal_act, _now()
    session.add(QuotaAmendment(year=year, region=region, sector=sector, old_size=old, new_size=size,
                               legal_act=legal_act, actor=actor, at=_now()))
    await session.flush()
    return bucket


async def buckets(session: AsyncSession, year: int) -> list[QuotaBucket]:
    return list(await session.scalars(select(QuotaBucket).where(QuotaBucket.year == year)
                                      .order_by(QuotaBucket.region, QuotaBucket.sector)))


async def amendments(session: AsyncSession, year: int) -> list[QuotaAmendment]:
    return list(await session.scalars(select(QuotaAmendment).where(QuotaAmendment.year == year)
                                      .order_by(QuotaAmendment.at.desc(), QuotaAmendment.id.desc())))
