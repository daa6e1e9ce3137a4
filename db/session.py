"""Engine and session factory."""

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine


def make_engine(url: str, **kwargs) -> AsyncEngine:
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine, audit_keys=None, sealer=None) -> async_sessionmaker:
    """Sessions that carry the audit log's HMAC keys (db.repositories.audit.AuditKeys) and the
    data keys (db.sealing.Sealer): whatever appends an audit entry, or stores or reads sealed
    personal data, uses them."""
    return async_sessionmaker(engine, expire_on_commit=False, info={"audit_keys": audit_keys, "sealer": sealer})
