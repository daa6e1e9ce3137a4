"""The payment and quota ledgers under concurrency: one payment per death, no bucket oversold."""

import asyncio
import random
import uuid

from sqlalchemy import select

from activities.payments import PaymentActivities
from api.services.applications import submit_application
from db.models import Payment
from schemas.messages import OrderPaymentInput
from schemas.procedures import PROCEDURES
from schemas.repatriation import RepatriationApplication
from tests.conftest import SECRET
from tests.factories import repatriation_application


async def claim(sessions, personal_number: str) -> str:
    data = repatriation_application()
    data["deceased"]["personal_number"] = personal_number
    async with sessions.begin() as s:
        app = RepatriationApplication.model_validate(data)
        return (await submit_application(s, PROCEDURES["repatriation"], app, str(uuid.uuid4()), SECRET)).case.case_number


async def test_simultaneous_claims_for_one_death_order_exactly_one_payment(sessions):
    pin = "2" + "".join(random.choice("0123456789") for _ in range(13))
    cases = [await claim(sessions, pin) for _ in range(8)]
    acts = PaymentActivities(sessions)
    results = await asyncio.gather(*(acts.order_payment(OrderPaymentInput(n, 1, 100000, "RUB")) for n in cases))
    assert sorted(r.status for r in results) == ["already_paid"] * 7 + ["ordered"]
    async with sessions() as s:
        rows = list(await s.scalars(select(Payment).where(Payment.case_number.in_(cases))))
    assert len(rows) == 1


async def test_a_retried_order_returns_the_same_payment(sessions):
    n = await claim(sessions, "2" + "".join(random.choice("0123456789") for _ in range(13)))
    acts = PaymentActivities(sessions)
    first = await acts.order_payment(OrderPaymentInput(n, 1, 100000, "RUB"))
    again = await asyncio.gather(*(acts.order_payment(OrderPaymentInput(n, 1, 100000, "RUB")) for _ in range(4)))
    assert {r.idempotency_key for r in again} == {first.idempotency_key}
    assert {r.status for r in again} == {"ordered"}


async def test_a_bucket_of_three_gives_three_units_to_twenty_simultaneous_reservations(sessions):
    from activities.quota import QuotaActivities
    from db.repositories.quota import set_size
    from schemas.messages import QuotaRequest
    from schemas.work_permit import WorkPermitApplication
    from tests.factories import work_permit_application

    year = random.randint(2030, 2099)
    async with sessions.begin() as s:
        await set_size(s, year=year, region="T", sector="agriculture", size=3, legal_act="test", actor="admin")
    cases = []
    for _ in range(20):
        async with sessions.begin() as s:
            app = WorkPermitApplication.model_validate(work_permit_application(quota_year=year, region="T",
                                                                               sector="agriculture"))
            cases.append((await submit_application(s, PROCEDURES["work-permit"], app, str(uuid.uuid4()),
                                                   SECRET)).case.case_number)
    acts = QuotaActivities(sessions)
    results = await asyncio.gather(*(acts.reserve_quota(QuotaRequest(n, year, "T", "agriculture")) for n in cases))
    assert sorted(results) == ["exhausted"] * 17 + ["reserved"] * 3
    again = await asyncio.gather(*(acts.reserve_quota(QuotaRequest(n, year, "T", "agriculture")) for n in cases))
    assert again == results  # a retried reservation answers the same
