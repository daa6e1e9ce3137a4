"""Connecting to Temporal: the embedded dev server, a self-hosted cluster with mutual TLS (and a
JWT for its authorizer, sent as the API key), or Temporal Cloud (TLS and an API key)."""

import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from temporalio.client import Client
from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)
from temporalio.service import TLSConfig

from settings import Settings
from stack.codec import data_converter, parse_keys


def converter(settings: Settings):
    if settings.payload_keys is None:
        raise RuntimeError("ARYZ_PAYLOAD_KEYS is not set: payloads of personal data must be encrypted")
    return data_converter(parse_keys(settings.payload_keys.get_secret_value()))


def tls_config(settings: Settings) -> TLSConfig | bool:
    """False for a plain local server; otherwise server verification with the given CA (or the
    system's), and a client certificate when one is configured (mTLS)."""
    files = (settings.temporal_tls_ca, settings.temporal_tls_cert, settings.temporal_tls_key)
    if not settings.temporal_tls and not any(files):
        return False
    if bool(settings.temporal_tls_cert) != bool(settings.temporal_tls_key):
        raise RuntimeError("ARYZ_TEMPORAL_TLS_CERT and ARYZ_TEMPORAL_TLS_KEY go together (mutual TLS)")

    def read(path: Path | None) -> bytes | None:
        return Path(path).read_bytes() if path else None

    return TLSConfig(server_root_ca_cert=read(settings.temporal_tls_ca), client_cert=read(settings.temporal_tls_cert),
                     client_private_key=read(settings.temporal_tls_key), domain=settings.temporal_tls_server_name)


def client_options(settings: Settings) -> dict[str, Any]:
    """Everything `Client.connect` is given, from ARYZ_* settings alone."""
    return {"target_host": settings.temporal_address, "namespace": settings.temporal_namespace,
            "tls": tls_config(settings), "data_converter": converter(settings),
            "api_key": settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None}


def telemetry_runtime(metrics_address: str | None = None) -> Runtime:
    """The SDK's runtime for this process: its core's logs forwarded into Python logging (so they
    are JSON lines like every other), warnings and above; its metrics on `metrics_address` if given."""
    forwarding = LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                               forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")))
    metrics = PrometheusConfig(bind_address=metrics_address) if metrics_address else None
    return Runtime(telemetry=TelemetryConfig(logging=forwarding, metrics=metrics))


_RUNTIME: Runtime | None = None


async def connect(settings: Settings, **extra) -> Client:
    global _RUNTIME
    if "runtime" not in extra:
        _RUNTIME = _RUNTIME or telemetry_runtime()
        extra["runtime"] = _RUNTIME
    return await Client.connect(**client_options(settings), **extra)


def exit_without_teardown(code: int) -> NoReturn:
    """Ends a process whose work with a Temporal client is done, skipping the interpreter's
    teardown. The SDK's Rust threads may still call into Python while it finalizes, which aborts
    the process (SIGABRT, exit 134) after its work has succeeded (temporalio/sdk-python#300; seen
    here at the end of a benchmark); a deploy script running `aryz replay --all-open`, or `aryz
    run`'s supervisor, would take that for a failure."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
