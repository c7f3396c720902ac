# SPDX-License-Identifier: MIT
"""TLS with a self-signed certificate (generated here with ``cryptography``), ``--no-auth``
on loopback (allowed, warned, anonymous admin), and the configurations that must be refused."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import subprocess
import sys

import httpx
import pytest
from _service_helpers import CALC, GOOD, LAUNCH, ServerProcess, child_env, free_port, mcp_client

from condensync_tools.store import Store


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "condensync test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "tls.crt", tmp_path / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@pytest.mark.slow
@pytest.mark.anyio
async def test_tls_and_no_auth_on_loopback(tmp_path):
    cert, key = _self_signed(tmp_path)
    db_url = f"sqlite:///{tmp_path / 'tls.db'}"
    server = ServerProcess(
        tmp_path,
        database_url=db_url,
        scheme="https",
        name="tls",
        extra_args=["--tls-cert", str(cert), "--tls-key", str(key), "--no-auth"],
    ).start()
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        server.wait_started(verify=ctx)
        async with mcp_client(server.url, verify=ctx, headers={"X-Request-ID": "tls-1"}) as c:
            r = await c.call_tool(CALC, GOOD)
            ledger = await c.call_tool(
                "verify_provenance", {"provenance_hash": r.structured_content["provenance"]["provenance_hash"]}
            )
        assert not r.is_error and not ledger.is_error and ledger.structured_content["matches"] is True
        with pytest.raises(httpx.HTTPError):  # plain HTTP on the TLS port
            httpx.get(f"http://127.0.0.1:{server.port}/health/live", timeout=5)
        with pytest.raises(httpx.HTTPError):  # an untrusted certificate is an error for clients
            httpx.get(server.base + "/health/live", timeout=5)
        assert httpx.get(server.base + "/health/ready", verify=ctx).status_code == 200
    finally:
        server.stop()
    warnings = [r for r in server.log_records() if r.get("event") == "auth_disabled"]
    assert warnings and warnings[0]["level"] == "warning"
    with Store(db_url) as store:
        entries = [e for e in store.last_entries(10) if e.request_id == "tls-1"]
    assert [e.caller for e in entries] == ["none:anonymous role=admin"] * 2


def _run(argv, tmp_path):
    return subprocess.run(
        [sys.executable, str(LAUNCH), *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(CONDENSYNC_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"),
    )


def test_refused_configurations(tmp_path):
    """--no-auth off loopback, half a TLS configuration, equal ports: exit 2 with the reason,
    before anything listens."""
    cert, _ = _self_signed(tmp_path)
    base = ["serve", "--transport", "http", "--port", str(free_port()), "--metrics-port", str(free_port())]
    procs = {
        "no_auth_public": [*base, "--host", "0.0.0.0", "--no-auth"],
        "tls_half": [*base, "--tls-cert", str(cert)],
    }
    # run both at once (each pays the import time)
    running = {
        k: subprocess.Popen(
            [sys.executable, str(LAUNCH), *v],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(CONDENSYNC_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"),
        )
        for k, v in procs.items()
    }
    out = {k: (p.wait(120), *p.communicate()) for k, p in running.items()}
    rc, stdout, stderr = out["no_auth_public"]
    assert rc == 2 and "--no-auth is refused on a non-loopback host (0.0.0.0)" in stderr and stdout == ""
    rc, stdout, stderr = out["tls_half"]
    assert rc == 2 and "TLS needs both --tls-cert and --tls-key" in stderr
