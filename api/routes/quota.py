"""The foreign-labour quota: admins set bucket sizes under a legal act and see what is left."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep, Staff, require_roles
from api.openapi import refusals
from api.payloads import Strict
from api.services import administration
from db.repositories import quota
from schemas.people import REGIONS
from schemas.work_permit import SECTORS

router = APIRouter(prefix="/quota", tags=["quota"])
Admin = Annotated[Staff, Depends(require_roles("admin"))]


class BucketOut(BaseModel):
    year: int
    region: str
    sector: str
    size: int
    reserved: int
    consumed: int
    free: int
    legal_act: str


class BucketSize(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"size": 120, "legal_act": "Cabinet of Ministers order No. 17 of 2026-01-20"}]})

    size: int = Field(ge=0, le=1_000_000)
    legal_act: str = Field(min_length=3, max_length=500, description="The Cabinet order that sets or amends it")


def _out(b) -> BucketOut:
    return BucketOut(year=b.year, region=b.region, sector=b.sector, size=b.size, reserved=b.reserved,
                     consumed=b.consumed, free=b.size - b.reserved - b.consumed, legal_act=b.legal_act)


@router.get("", response_model=list[BucketOut], summary="List the work-permit quota")
async def list_buckets(session: SessionDep, staff: Admin,
                       year: Annotated[int, Query(ge=2000, le=2100)]) -> list[BucketOut]:
    """Each region and sector's quota for the year: its size, the units reserved and consumed, what is free."""
    return [_out(b) for b in await quota.buckets(session, year)]


@router.put("/{year}/{region}/{sector}", response_model=BucketOut, summary="Set a quota bucket's size",
            responses=refusals(409))
async def set_bucket(body: BucketSize, session: SessionDep, staff: Admin,
                     year: Annotated[int, Path(ge=2000, le=2100)],
                     region: Annotated[str, Path(pattern="^(" + "|".join(REGIONS) + ")$")],
                     sector: Annotated[str, Path(pattern="^(" + "|".join(SECTORS) + ")$")]) -> BucketOut:
    """Sets a bucket's size as a Cabinet order does, naming the act; never below what is already taken (409)."""
    bucket = await administration.set_quota(session, staff, year=year, region=region, sector=sector,
                                            size=body.size, legal_act=body.legal_act)
    return _out(bucket)
