"""The worker and the API take their Temporal connection from ARYZ_* settings alone: a local dev
server, a self-hosted cluster with mutual TLS and a JWT, or Temporal Cloud with an API key."""

import base64

import pytest
from temporalio.service import TLSConfig

from settings import Settings
from stack.temporal import client_options

KEYS = "k1:" + base64.b64encode(b"k" * 32).decode()


def test_a_local_server_needs_no_tls():
    options = client_options(Settings(temporal_address="127.0.0.1:7233", payload_keys=KEYS))
    assert options["tls"] is False and options["api_key"] is None
    assert options["data_converter"].payload_codec is not None


def test_a_self_hosted_cluster_with_mutual_tls_and_a_jwt(tmp_path):
    for name in ("ca.pem", "client.pem", "client.key"):
        (tmp_path / name).write_bytes(f"-----{name}-----".encode())
    options = client_options(Settings(
        temporal_address="temporal:7233", temporal_namespace="aryz", payload_keys=KEYS,
        temporal_tls_ca=tmp_path / "ca.pem", temporal_tls_cert=tmp_path / "client.pem",
        temporal_tls_key=tmp_path / "client.key", temporal_tls_server_name="temporal", temporal_api_key="eyJ.jwt"))
    tls = options["tls"]
    assert isinstance(tls, TLSConfig) and tls.client_cert == b"-----client.pem-----"
    assert tls.server_root_ca_cert == b"-----ca.pem-----" and tls.domain == "temporal"
    assert options["api_key"] == "eyJ.jwt" and options["namespace"] == "aryz"


def test_temporal_cloud_with_an_api_key():
    options = client_options(Settings(temporal_address="aryz.a1b2c.tmprl.cloud:7233", temporal_tls=True,
                                      temporal_api_key="cloud-key", payload_keys=KEYS))
    assert isinstance(options["tls"], TLSConfig) and options["tls"].client_cert is None
    assert options["api_key"] == "cloud-key"


def test_half_a_client_certificate_is_refused(tmp_path):
    (tmp_path / "client.pem").write_text("x")
    with pytest.raises(RuntimeError, match="go together"):
        client_options(Settings(temporal_address="t:7233", payload_keys=KEYS, temporal_tls_cert=tmp_path / "client.pem"))
