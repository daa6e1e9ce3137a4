"""Connecting to Temporal."""

from temporalio.client import Client
from temporalio.service import TLSConfig

from settings import Settings
from stack.codec import data_converter, parse_keys


def converter(settings: Settings):
    if settings.payload_keys is None:
        raise RuntimeError("ARYZ_PAYLOAD_KEYS is not set: payloads of personal data must be encrypted")
    return data_converter(parse_keys(settings.payload_keys.get_secret_value()))


async def connect(settings: Settings) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                tls=TLSConfig() if settings.temporal_tls else False, api_key=api_key,
                                data_converter=converter(settings))
