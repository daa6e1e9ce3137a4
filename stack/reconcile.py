"""`aryz reconcile`: hold every case's read model against the engine's history, once, and bring
those that say more than the engine recorded to its state (activities/reconciler.py)."""

from datetime import timedelta

from activities.reconciler import Reconciler
from db.session import make_engine, make_sessionmaker
from settings import audit_keys, data_sealer, get_settings
from stack.temporal import connect


async def reconcile_command(settings=None) -> int:
    settings = settings or get_settings()
    if not settings.database_url or settings.temporal_address is None:
        print("aryz reconcile: set ARYZ_DATABASE_URL and ARYZ_TEMPORAL_ADDRESS (or run it beside `aryz run`)")
        return 2
    engine = make_engine(settings.database_url)
    try:
        client = await connect(settings)
        reconciler = Reconciler(client, make_sessionmaker(engine, audit_keys(settings), data_sealer(settings)),
                                grace=timedelta(seconds=settings.reconcile_grace_seconds))
        found = await reconciler.round(since=None)
    finally:
        await engine.dispose()
    for number in found.reconciled:
        print(f"{number}: brought to the engine's state (audited: transitions_reconciled)")
    for number in sorted(set(found.out_of_step) - set(found.reconciled)):
        print(f"{number}: out of step, but it moved meanwhile; run again")
    for number in found.not_answering:
        print(f"{number}: its workflow did not answer (a workflow task failing, or no workflow): see the worker's log")
    print(f"{found.checked} case(s) checked, {len(found.reconciled)} reconciled, "
          f"{len(found.not_answering)} not answering")
    return 1 if found.not_answering or set(found.out_of_step) - set(found.reconciled) else 0
