"""Connecting to Temporal."""

from temporalio.client import Client
from temporalio.service import TLSConfig

from settings import Settings


async def connect(settings: Settings) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                tls=TLSConfig() if settings.temporal_tls else False, api_key=api_key)
