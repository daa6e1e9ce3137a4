"""Statistics for the ministry: figures summed from what the procedures record, no person in them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.deps import SessionDep, Staff, require_roles
from api.services.placement_reports import placements

router = APIRouter(prefix="/statistics", tags=["statistics"])
Reader = Annotated[Staff, Depends(require_roles("supervisor", "commission", "auditor"))]


class PlacementOut(BaseModel):
    country: str
    sector: str
    placed: int
    agencies: int


@router.get("/placements", response_model=list[PlacementOut], summary="Citizens placed abroad by agencies")
async def placements_by_destination(session: SessionDep, staff: Reader,
                                    year: Annotated[int, Query(ge=2000, le=2100)]) -> list[PlacementOut]:
    """The agencies' quarterly reports for quarters that ended in `year`: citizens placed abroad by
    destination country and sector, and how many agencies reported each."""
    return [PlacementOut(**row) for row in await placements(session, year)]
