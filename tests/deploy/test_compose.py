"""The production topology as written in docker-compose.yml, checked without a Docker engine:
the services, their order and health checks, no secret in clear, and the same ARYZ_* settings
the code reads."""

import re
from pathlib import Path

import pytest
import yaml

from settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = re.compile(r"(PASSWORD|PWD|SECRET|KEY|KEYS|TOKEN|JWT)$")
ONE_SHOT = {"temporal-schema", "temporal-namespace", "migrate"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    return {k: str(v) for k, v in env.items()} if isinstance(env, dict) else dict(e.split("=", 1) for e in env)


def test_the_topology_has_every_piece(compose):
    services = compose["services"]
    assert {"app-db", "temporal-db", "temporal-schema", "temporal", "temporal-namespace", "temporal-ui", "migrate",
            "api", "worker", "proxy"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2 and services["worker"]["deploy"]["replicas"] == 2
    assert services["temporal"]["image"].startswith("temporalio/server")
    assert services["temporal-schema"]["image"].startswith("temporalio/admin-tools")
    assert "temporal-sql-tool" in " ".join(services["temporal-schema"]["command"])
    assert env_of(services["temporal-ui"])["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    assert {"app-db-data", "temporal-db-data"} <= set(compose["volumes"])


def test_every_long_running_service_has_a_health_check_and_waits_for_what_it_needs(compose):
    for name, service in compose["services"].items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
            continue
        assert "healthcheck" in service and service["healthcheck"]["test"], name
        for dependency, rule in (service.get("depends_on") or {}).items():
            expected = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert rule["condition"] == expected, (name, dependency)
    assert compose["services"]["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert compose["services"]["temporal"]["depends_on"]["temporal-schema"]["condition"] == \
        "service_completed_successfully"


def test_no_secret_is_written_in_clear(compose):
    for name, service in compose["services"].items():
        for key, value in env_of(service).items():
            if value.startswith("/certs/"):
                continue  # a path to a mounted file, not the secret itself
            if SECRET_NAME.search(key) or "://" in value and "@" in value:
                assert "${" in value, f"{name}: {key} holds a secret in clear"


def test_the_temporal_server_is_protected(compose):
    env = env_of(compose["services"]["temporal"])
    assert env["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    assert env["TEMPORAL_AUTH_AUTHORIZER"] == "default" and env["TEMPORAL_AUTH_CLAIM_MAPPER"] == "default"
    assert env["TEMPORAL_JWT_KEY_SOURCE1"].startswith("${")
    ui = env_of(compose["services"]["temporal-ui"])
    assert ui["TEMPORAL_AUTH_ENABLED"] == "true"
    assert all(p.startswith("127.0.0.1:") for p in compose["services"]["temporal-ui"]["ports"])
    assert "ports" not in compose["services"]["temporal"], "the frontend is reached only inside the network"


def test_aryz_services_use_only_settings_the_code_reads(compose):
    known = {f"ARYZ_{name.upper()}" for name in Settings.model_fields}
    for name in ("migrate", "api", "worker"):
        used = {k for k in env_of(compose["services"][name]) if k.startswith("ARYZ_")}
        assert used <= known, (name, used - known)
    worker = env_of(compose["services"]["worker"])
    assert "ARYZ_MESSAGE_SIGNING_KEY" not in worker and "ARYZ_SECRET_KEY" not in worker
    assert env_of(compose["services"]["api"])["ARYZ_ENVIRONMENT"] == "production"


def test_every_variable_is_in_the_env_example(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert used <= example, used - example
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_image_is_slim_and_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert stages and all(s.startswith("python:3.11-slim") for s in stages)
    final = dockerfile.rsplit("FROM ", 1)[1]
    assert re.search(r"^USER aryz$", final, re.M) and "gcc" not in final and "build-essential" not in final
    # Only the runtime libraries WeasyPrint renders documents with, and no package lists left behind.
    for run in (r for r in final.split("\nRUN ") if "apt-get" in r):
        assert "--no-install-recommends" in run and "-dev" not in run and "rm -rf /var/lib/apt/lists" in run
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and not any("embedded" in line for line in installs)  # no dev server or embedded database


def test_the_file_follows_the_compose_specification(compose):
    """Against the Compose Specification's JSON schema (a pinned copy: tests/deploy/compose-spec.md)."""
    import json

    import jsonschema

    schema = json.loads((ROOT / "tests" / "deploy" / "compose-spec.json").read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:10])


def test_every_image_is_named_with_a_tag_and_every_variable_is_in_the_example_env(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        assert ":" in image.rsplit("/", 1)[-1], f"{name}: {image} has no tag"
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", text))
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert used - example == set(), "variables docker-compose.yml reads that .env.example lacks"
    assert example - used == set(), "variables in .env.example that nothing reads"


def test_every_public_address_names_a_port_the_proxy_publishes_and_serves(compose):
    """Seen: the UI's sign-in callback and the codec's allowed origin named :8443, which nothing served."""
    text = (ROOT / "docker-compose.yml").read_text()
    proxy = compose["services"]["proxy"]
    published = {int(p.split(":")[-2]) for p in proxy["ports"]}
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    served = {int(m) for m in re.findall(r"^\{\$ARYZ_PUBLIC_HOST\}:(\d+)", caddy, re.M)} | {443}
    for port in {int(p) for p in re.findall(r"https://\$\{ARYZ_PUBLIC_HOST\}:(\d+)", text)} | {443}:
        assert port in published and port in served, port
    assert re.search(r"^\{\$ARYZ_PUBLIC_HOST\}:8443 \{\n\treverse_proxy temporal-ui:8080", caddy, re.M)


def test_the_image_carries_the_compiled_catalogues():
    """The catalogues are compiled in the build stage into the installed package that the final
    stage copies (before: into /src, which it does not copy), and the build checks they are there."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    build, final = dockerfile.split("\nFROM ")[1:3]
    installed = build.index("pip install --no-cache-dir .")
    compiled = build.index("-m api.i18n.catalogues")
    assert installed < compiled and "cd / && /opt/aryz/bin/python -m api.i18n.catalogues" in build
    assert "site-packages/api/locale/*/LC_MESSAGES/messages.mo" in build[compiled:]
    assert "COPY --from=build /opt/aryz /opt/aryz" in final
