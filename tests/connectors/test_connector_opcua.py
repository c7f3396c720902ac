# SPDX-License-Identifier: MIT
"""OPC UA connector against a real asyncua server on 127.0.0.1.

One server per module (``Server.init`` costs 1-4 s): it offers a plain endpoint and a
Basic256Sha256 Sign&Encrypt endpoint with self-signed certificates generated into a temporary
directory. The restart test runs last and replaces the server by a new one on the same port.
"""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from asyncua import Server, ua
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from asyncua.crypto.truststore import TrustStore
from asyncua.crypto.validator import CertificateValidator, CertificateValidatorOptions
from cryptography.x509.oid import ExtendedKeyUsageOID

from connectors.freshness import check_fresh
from connectors.opcua import OpcUaConnector
from connectors.resilience import BreakerState
from connectors.settings import BreakerSettings, OpcUaSettings, OpcUaTag, RetrySettings
from connectors.types import (
    BadQualityError,
    CircuitOpenError,
    ConnectorError,
    ConnectorUnavailable,
    Quality,
    RequestRejectedError,
    StaleDataError,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

NS_URI = "urn:condensync:test:condenser"
SERVER_URI = "urn:condensync:test:server"
CLIENT_URI = "urn:condensync:test:client"
FAST = BreakerSettings(fail_max=50, call_timeout_s=3.0, reset_timeout_s=1.0)
QUICK_RETRY = RetrySettings(attempts=2, backoff_initial_s=0.05, backoff_max_s=0.1, jitter_s=0.0)


async def make_certificates(pki: Path) -> Path:
    """Self-signed server and client certificates; the client's is trusted by the server."""
    host = socket.gethostname()
    server_auth, client_auth = [ExtendedKeyUsageOID.SERVER_AUTH], [ExtendedKeyUsageOID.CLIENT_AUTH]
    await setup_self_signed_certificate(
        pki / "srv_key.pem",
        pki / "srv_cert.der",
        SERVER_URI,
        host,
        server_auth,
        {"commonName": "test-server"},
    )
    (pki / "trusted").mkdir()
    await setup_self_signed_certificate(
        pki / "cli_key.pem",
        pki / "trusted" / "cli_cert.der",
        CLIENT_URI,
        host,
        client_auth,
        {"commonName": "condensync"},
    )
    await setup_self_signed_certificate(
        pki / "rogue_key.pem", pki / "rogue_cert.der", CLIENT_URI, host, client_auth, {"commonName": "rogue"}
    )
    return pki


class PlantServer:
    """An asyncua server with a small condenser address space (plain + Sign&Encrypt)."""

    def __init__(self, port: int, pki: Path) -> None:
        self.url = f"opc.tcp://127.0.0.1:{port}/condenser/"
        self.pki = pki
        self.server = Server()
        self.vars: dict[str, object] = {}
        self.idx = 0

    async def prepare(self, pressure: float = 8.5) -> PlantServer:
        """Build the address space (slow) without listening yet."""
        srv = self.server
        await srv.init()
        srv.set_endpoint(self.url)
        await srv.set_application_uri(SERVER_URI)
        srv.set_security_policy([ua.SecurityPolicyType.NoSecurity, ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
        await srv.load_certificate(str(self.pki / "srv_cert.der"))
        await srv.load_private_key(str(self.pki / "srv_key.pem"))
        store = TrustStore([self.pki / "trusted"], [])
        await store.load()
        options = CertificateValidatorOptions.TRUSTED_VALIDATION | CertificateValidatorOptions.PEER_CLIENT
        srv.set_certificate_validator(CertificateValidator(options, store).validate)
        self.idx = idx = await srv.register_namespace(NS_URI)
        cond = await srv.nodes.objects.add_object(idx, "Condenser")
        for key, browse, value in (
            ("VacuumPressure", "VacuumPressure_kPa", pressure),
            ("CWInletTemp", "CWInletTemp_C", 25.0),
            ("CWOutletTemp", "CWOutletTemp_C", 35.0),
        ):
            self.vars[key] = await cond.add_variable(
                ua.NodeId(f"Condenser.{key}", idx),
                ua.QualifiedName(browse, idx),
                ua.Variant(value, ua.VariantType.Double),
            )
        await srv.historize_node_data_change(self.vars["VacuumPressure"], period=None, count=1000)
        return self

    async def start(self, pressure: float = 8.5) -> PlantServer:
        await self.prepare(pressure)
        await self.server.start()
        return self

    async def write(
        self, key: str, value: float, status: int = ua.StatusCodes.Good, ts: datetime | None = None
    ) -> datetime:
        ts = ts or datetime.now(UTC)
        dv = ua.DataValue(
            ua.Variant(value, ua.VariantType.Double), StatusCode=ua.StatusCode(status), SourceTimestamp=ts
        )
        await self.vars[key].write_value(dv)  # type: ignore[attr-defined]
        return ts

    async def stop(self) -> None:
        await self.server.stop()

    def adopt(self, other: PlantServer) -> None:
        """Take over ``other``'s server: the plant after a restart on the same port."""
        self.server, self.vars, self.idx = other.server, other.vars, other.idx


def tags(idx: int) -> list[OpcUaTag]:
    return [
        OpcUaTag(name="condenser_pressure", node_id=f"nsu={NS_URI};s=Condenser.VacuumPressure", unit="kPa"),
        OpcUaTag(name="cw_inlet_temp", browse_path=f"{idx}:Condenser/{idx}:CWInletTemp_C", unit="degC"),
        OpcUaTag(
            name="cw_outlet_temp",
            node_id=f"ns={idx};s=Condenser.CWOutletTemp",
            unit="degC",
            stale_after_s=0.5,
        ),
    ]


def settings(url: str, idx: int, **kw: object) -> OpcUaSettings:
    base: dict[str, object] = {
        "endpoint": url,
        "timeout_s": 1.0,
        "subscription_interval_ms": 100,
        "breaker": FAST,
        "retry": QUICK_RETRY,
        "reconnect_max_delay_s": 1.0,
        "tags": tags(idx),
    }
    return OpcUaSettings(**(base | kw))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pki(tmp_path_factory):
    return await make_certificates(tmp_path_factory.mktemp("pki"))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def plant(free_port, pki):
    srv = await PlantServer(free_port(), pki).start()
    yield srv
    await srv.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def scada(plant):
    async with OpcUaConnector(settings(plant.url, plant.idx)) as conn:
        yield conn


async def test_subscription_feeds_cache_with_value_timestamp_and_status(plant, scada, eventually):
    ts = await plant.write("VacuumPressure", 9.1)

    async def arrived() -> bool:
        return scada._cache.get("condenser_pressure").value == 9.1  # type: ignore[union-attr]

    await eventually(arrived, what="subscription delivers 9.1 kPa")
    reading = (await scada.read(["condenser_pressure"]))["condenser_pressure"]
    assert reading.value == 9.1 and reading.unit == "kPa" and reading.source == "opcua"
    assert reading.source_timestamp == ts and reading.server_timestamp is not None
    assert reading.quality is Quality.GOOD and reading.status == "Good"
    assert reading.tag == f"ns={plant.idx};s=Condenser.VacuumPressure"
    status = scada.status()
    assert status["connected"] and status["subscription_live"] and status["breaker"]["state"] == "closed"
    assert "condenser_pressure" in status["tags"]

    await plant.write("VacuumPressure", 9.2, ua.StatusCodes.BadSensorFailure)
    await eventually(lambda: _quality_is(scada, "condenser_pressure", Quality.BAD), what="bad status reaches the cache")
    bad = await scada.read(["condenser_pressure"])
    assert bad["condenser_pressure"].status == "BadSensorFailure"
    with pytest.raises(BadQualityError, match="condenser_pressure.*BadSensorFailure"):
        check_fresh(bad, scada.stale_limits())

    await plant.write("VacuumPressure", 9.3, ua.StatusCodes.UncertainLastUsableValue)
    await eventually(lambda: _quality_is(scada, "condenser_pressure", Quality.UNCERTAIN), what="uncertain status")
    await plant.write("VacuumPressure", 8.7)
    await eventually(lambda: _quality_is(scada, "condenser_pressure", Quality.GOOD), what="good again")


async def _quality_is(conn: OpcUaConnector, name: str, quality: Quality) -> bool:
    return (await conn.read([name]))[name].quality is quality


async def test_browse_path_and_node_id_tags_all_resolve(scada):
    readings = await scada.read()
    assert set(readings) == {"condenser_pressure", "cw_inlet_temp", "cw_outlet_temp"}
    assert readings["cw_inlet_temp"].value == 25.0
    assert scada.status()["unresolved_tags"] == {}


async def test_on_demand_read_without_subscription(plant):
    async with OpcUaConnector(settings(plant.url, plant.idx, subscribe=False)) as conn:
        await plant.write("CWInletTemp", 26.5)
        reading = (await conn.read(["cw_inlet_temp"]))["cw_inlet_temp"]
        assert reading.value == 26.5 and reading.quality is Quality.GOOD
        assert conn.status()["subscription_live"] is False


async def test_history_read(plant, scada):
    start = datetime.now(UTC) - timedelta(seconds=1)
    for value in (8.1, 8.2, 8.3):
        await plant.write("VacuumPressure", value)
        await asyncio.sleep(0.01)
    history = await scada.read_history("condenser_pressure", start, datetime.now(UTC) + timedelta(seconds=1))
    values = [r.value for r in history]
    assert values[-3:] == [8.1, 8.2, 8.3]
    assert all(r.name == "condenser_pressure" and r.source_timestamp >= start for r in history)


async def test_unresolvable_tag_is_bad_and_unknown_name_is_an_error(plant):
    extra = OpcUaTag(name="hotwell_temp", browse_path=f"{plant.idx}:Condenser/{plant.idx}:NoSuchVar", unit="degC")
    async with OpcUaConnector(settings(plant.url, plant.idx, tags=[*tags(plant.idx), extra])) as conn:
        readings = await conn.read(["hotwell_temp", "cw_inlet_temp"])
        assert readings["hotwell_temp"].quality is Quality.BAD
        assert readings["hotwell_temp"].status.startswith("BadNoMatch")
        with pytest.raises(BadQualityError, match="hotwell_temp"):
            check_fresh(readings, conn.stale_limits())
        with pytest.raises(ConnectorError, match="cw_flow not configured.*configured: condenser_pressure"):
            await conn.read(["cw_flow"])


async def test_value_that_stops_updating_goes_stale(plant, scada, eventually):
    await plant.write("CWOutletTemp", 35.5)
    await eventually(lambda: _value_is(scada, "cw_outlet_temp", 35.5), what="fresh outlet temperature")
    readings = await scada.read(["cw_outlet_temp"])
    check_fresh(readings, scada.stale_limits())  # fresh now (limit 0.5 s)
    await asyncio.sleep(0.7)  # the transmitter stops updating
    readings = await scada.read(["cw_outlet_temp"])
    with pytest.raises(StaleDataError) as err:
        check_fresh(readings, scada.stale_limits())
    assert err.value.name == "cw_outlet_temp" and err.value.age_s > 0.5 and err.value.max_age_s == 0.5
    assert "cw_outlet_temp" in str(err.value) and "limit is 0.5 s" in str(err.value)


async def _value_is(conn: OpcUaConnector, name: str, value: float) -> bool:
    return (await conn.read([name]))[name].value == value


async def test_server_not_running_gives_clear_error_within_timeout(free_port):
    url = f"opc.tcp://127.0.0.1:{free_port()}/condenser/"
    conn = OpcUaConnector(settings(url, 2))
    t0 = time.monotonic()
    with pytest.raises(ConnectorUnavailable) as err:
        await conn.start()
    assert time.monotonic() - t0 < FAST.call_timeout_s + 0.5
    msg = str(err.value)
    assert url in msg and "not reachable" in msg and "timeout 1 s" in msg
    assert err.value.service == "scada" and err.value.endpoint == url


async def silent_server(port: int) -> asyncio.Server:
    """A peer on 127.0.0.1 that accepts TCP but never answers the OPC UA Hello."""

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    return await asyncio.start_server(hang, "127.0.0.1", port)


async def test_silent_server_times_out_within_the_configured_timeout(free_port):
    """A peer that accepts TCP but never answers the OPC UA Hello."""
    port = free_port()
    silent = await silent_server(port)
    conn = OpcUaConnector(settings(f"opc.tcp://127.0.0.1:{port}/", 2, timeout_s=0.3))
    try:
        t0 = time.monotonic()
        with pytest.raises(ConnectorUnavailable, match="within the request timeout of 0.3 s"):
            await conn.start()
        assert time.monotonic() - t0 < FAST.call_timeout_s
    finally:
        silent.close()
        await silent.wait_closed()


def secure_settings(plant: PlantServer, pki: Path, **kw: object) -> OpcUaSettings:
    secure: dict[str, object] = {
        "service": "dcs",
        "security_policy": "Basic256Sha256",
        "security_mode": "SignAndEncrypt",
        "certificate": pki / "trusted" / "cli_cert.der",
        "private_key": pki / "cli_key.pem",
        "server_certificate": pki / "srv_cert.der",
        "application_uri": CLIENT_URI,
    }
    return settings(plant.url, plant.idx, **(secure | kw))


async def test_basic256sha256_sign_and_encrypt(plant, pki, eventually):
    async with OpcUaConnector(secure_settings(plant, pki)) as dcs:
        await plant.write("CWInletTemp", 24.2)
        await eventually(lambda: _value_is(dcs, "cw_inlet_temp", 24.2), what="secure subscription")
        status = dcs.status()
        assert status["security"] == "Basic256Sha256/SignAndEncrypt" and status["subscription_live"]
        policy = dcs._client.security_policy  # type: ignore[union-attr]
        assert policy.URI.endswith("#Basic256Sha256") and policy.Mode == ua.MessageSecurityMode.SignAndEncrypt


async def test_untrusted_client_certificate_is_rejected_clearly(plant, pki):
    rogue = secure_settings(plant, pki, certificate=pki / "rogue_cert.der", private_key=pki / "rogue_key.pem")
    conn = OpcUaConnector(rogue)
    with pytest.raises(RequestRejectedError) as err:
        await conn.start()
    assert "BadCertificate" in str(err.value) and "trusts the client certificate" in str(err.value)
    assert conn.breaker.failure_count == 0  # a configuration problem, not an outage


@pytest.mark.slow  # waits out the breaker's reset timeout and a server restart
async def test_breaker_closes_once_the_subscription_is_back(free_port, pki, eventually):
    """Plant down → breaker open; plant back → asyncua re-subscribes and reads are served from the
    subscription cache: those reads (and the notifications) are the trial successes that close the
    breaker, instead of leaving it half-open with connector_status unhealthy."""
    port = free_port()
    first = await PlantServer(port, pki).start()
    breaker = BreakerSettings(fail_max=1, call_timeout_s=3.0, reset_timeout_s=0.5, success_threshold=3)
    conn = OpcUaConnector(settings(first.url, first.idx, breaker=breaker))
    await conn.start()
    restarted = await PlantServer(port, pki).prepare(pressure=7.7)  # built while the old one still runs
    try:
        await eventually(lambda: _value_is(conn, "condenser_pressure", 8.5), what="first value")
        assert conn.breaker.state is BreakerState.CLOSED
        await first.stop()

        async def refused() -> bool:
            try:
                await conn.read(["condenser_pressure"])
            except (ConnectorUnavailable, CircuitOpenError):
                return True
            return False

        await eventually(refused, timeout=10, what="outage seen")
        assert conn.breaker.state in (BreakerState.OPEN, BreakerState.HALF_OPEN)
        await restarted.server.start()
        first.adopt(restarted)

        async def live_again() -> bool:
            reading = (await conn.read(["condenser_pressure"]))["condenser_pressure"]
            return reading.value == 7.7 and conn.status()["subscription_live"]

        await eventually(live_again, timeout=15, what="reconnected and re-subscribed")
        await asyncio.sleep(breaker.reset_timeout_s + 0.1)
        for _ in range(5):  # served from the subscription cache
            assert (await conn.read())["condenser_pressure"].quality is Quality.GOOD
        status = conn.status()
        assert status["subscription_live"] and status["connection_state"] == "connected"
        assert status["breaker"]["state"] == "closed", status["breaker"]
        assert conn.breaker.state is BreakerState.CLOSED
    finally:
        await conn.stop()
        await first.stop()


async def test_first_connection_in_progress_is_reported_as_connecting(free_port):
    """A server that accepts TCP but has not answered yet: the connector is connecting, which
    connector_status shows as a state of its own (not 'disconnected, unhealthy')."""
    from condensync_tools.tools.status import normalise_status

    port = free_port()
    silent = await silent_server(port)
    conn = OpcUaConnector(settings(f"opc.tcp://127.0.0.1:{port}/", 2, timeout_s=1.0))
    try:
        starting = asyncio.create_task(conn.start())
        await asyncio.sleep(0.3)
        status = conn.status()
        assert status["connection_state"] == "connecting" and not status["connected"]
        item = normalise_status({**status, "condenser_id": "unit3", "started": True, "starting": True})
        assert item["connecting"] and item["state"] == "connecting"
        with pytest.raises(ConnectorUnavailable):
            await starting
        assert conn.status()["connection_state"] == "disconnected"
        failed = normalise_status({**conn.status(), "condenser_id": "unit3", "started": True})
        assert not failed["connecting"] and failed["state"].startswith("disconnected")
    finally:
        silent.close()
        await silent.wait_closed()
        await conn.stop()


@pytest.mark.slow
async def test_server_restart_on_same_port_resumes_without_new_connector(plant, pki, scada, eventually):
    """Runs last: replaces the module's server by a freshly started one on the same port."""
    assert (await scada.read(["condenser_pressure"]))["condenser_pressure"].quality is Quality.GOOD
    port = int(plant.url.rsplit(":", 1)[1].split("/")[0])
    restarted = await PlantServer(port, pki).prepare(pressure=7.9)  # built while the old one still runs
    await plant.stop()
    with pytest.raises(ConnectorUnavailable):
        await scada.read(["condenser_pressure"])
    await restarted.server.start()
    plant.adopt(restarted)
    await eventually(lambda: _value_is(scada, "condenser_pressure", 7.9), timeout=15, what="reconnect")

    await plant.write("VacuumPressure", 7.5)

    async def cached() -> bool:
        reading = scada._cache.get("condenser_pressure")
        return reading is not None and reading.value == 7.5 and scada.status()["subscription_live"]

    await eventually(cached, timeout=10, what="subscription re-created after the restart")
