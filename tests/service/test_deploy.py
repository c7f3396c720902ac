# SPDX-License-Identifier: MIT
"""Deployment artefacts: the Kubernetes manifests follow the original design (validated as
data: there is no cluster here), and the container's entry command — run directly, same
argv — serves the three health endpoints and the metrics port."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx
import pytest
import yaml
from _service_helpers import CALC, GOOD, REPO, ServerProcess, call_body, child_env, free_port, raw_post

K8S = REPO / "deploy" / "k8s"
DOCKERFILE = REPO / "Dockerfile"
SECRET_KEYS = {
    "CONDENSYNC_DATABASE_URL",
    "CONDENSYNC_OIDC_ISSUER",
    "CONDENSYNC_OIDC_AUDIENCE",
    "CONDENSYNC_OIDC_JWKS_URL",
    "CONDENSYNC_LEDGER_KEY",
}


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text("utf-8")):
            if doc and doc.get("kind") != "Kustomization":
                out[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return out


def _one(docs: dict[str, dict], kind: str) -> dict:
    found = [d for k, d in docs.items() if k.startswith(kind + "/")]
    assert len(found) == 1, (kind, list(docs))
    return found[0]


def test_manifests_follow_the_design(docs):
    dep = _one(docs, "Deployment")
    spec = dep["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["replicas"] == 3
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    pod = spec["template"]["spec"]
    (c,) = pod["containers"]
    assert {p["containerPort"]: p["name"] for p in c["ports"]} == {8017: "mcp", 9017: "metrics"}
    probes = {k: c[k]["httpGet"] for k in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert {k: v["path"] for k, v in probes.items()} == {
        "startupProbe": "/health/start",
        "livenessProbe": "/health/live",
        "readinessProbe": "/health/ready",
    }
    assert all(v["port"] in ("mcp", 8017) for v in probes.values())
    tls = {e["name"]: e.get("value") for e in c.get("env", [])}
    if tls.get("CONDENSYNC_TLS_CERT"):  # TLS in the pod: the probes must speak HTTPS
        assert all(v.get("scheme") == "HTTPS" for v in probes.values())
    # security
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert pod.get("automountServiceAccountToken") is False
    # resources 250m-1000m / 512Mi-2Gi
    assert c["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1000m", "memory": "2Gi"},
    }
    # configuration from a ConfigMap, secrets from a Secret, writable paths on volumes
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    cm = _one(docs, "ConfigMap")
    assert volumes[mounts["/etc/condensync"]["name"]]["configMap"]["name"] == cm["metadata"]["name"]
    assert mounts["/etc/condensync"]["readOnly"] is True
    assert {"/tmp", "/var/lib/condensync"} <= set(mounts)
    for path in ("/tmp", "/var/lib/condensync"):
        assert "emptyDir" in volumes[mounts[path]["name"]] and not mounts[path].get("readOnly")
    secret = _one(docs, "Secret")
    assert [e["secretRef"]["name"] for e in c["envFrom"]] == [secret["metadata"]["name"]]
    assert SECRET_KEYS <= set(secret["stringData"])
    assert not any(e["name"] in SECRET_KEYS for e in c.get("env", []))  # never inline
    tls_dir = tls["CONDENSYNC_TLS_CERT"].rsplit("/", 1)[0]
    assert "secret" in volumes[mounts[tls_dir]["name"]]  # the TLS certificate comes from a Secret
    # service, autoscaler, disruption budget
    svc = _one(docs, "Service")
    assert {p["port"] for p in svc["spec"]["ports"]} == {8017, 9017}
    assert svc["spec"]["selector"].items() <= labels.items()
    hpa = _one(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": dep["metadata"]["name"],
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in hpa["spec"]["metrics"]}
    assert targets == {
        "cpu": {"type": "Utilization", "averageUtilization": 70},
        "memory": {"type": "Utilization", "averageUtilization": 80},
    }
    pdb = _one(docs, "PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1 and pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert len({d["metadata"].get("namespace") for d in docs.values()}) == 1
    kust = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert set(kust["resources"]) == {p.name for p in K8S.glob("*.yaml")} - {
        "kustomization.yaml",
        "secret.example.yaml",
    }


def test_configmap_holds_a_valid_plant_configuration(docs, tmp_path):
    from condensync_tools.config import load_config

    path = tmp_path / "plant.toml"
    path.write_text(_one(docs, "ConfigMap")["data"]["plant.toml"], "utf-8")
    assert "unit3" in load_config(str(path)).condensers
    assert not re.search(r"(?i)(password|apikey|secret)\s*=", path.read_text())


def _dockerfile() -> str:
    return DOCKERFILE.read_text("utf-8").replace("\\\n", " ")


def entry_command() -> list[str]:
    cmds = [line for line in _dockerfile().splitlines() if line.startswith("CMD ")]
    return json.loads(cmds[-1][4:])


def test_dockerfile_runs_unprivileged_with_a_healthcheck():
    text = _dockerfile()
    final = text[text.rindex("\nFROM ") :]
    user = re.findall(r"^USER\s+(\S+)", final, re.M)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert re.search(r"^HEALTHCHECK .*CMD \[", final, re.M)
    assert entry_command() == [
        "condensync",
        "serve",
        "--transport",
        "http",
        "--host",
        "0.0.0.0",
        "--port",
        "8017",
        "--metrics-port",
        "9017",
    ]  # no configuration needed to start
    env_block = " ".join(re.findall(r"^ENV (.*)$", final, re.M))
    assert not re.search(r"(?i)(DATABASE_URL|LEDGER_KEY|PASSWORD|TOKEN)=", env_block)
    assert "PYTHONDONTWRITEBYTECODE=1" in env_block  # read-only root filesystem


@pytest.mark.slow
def test_entry_command_serves_health_and_metrics(tmp_path, docs):
    """The container's CMD, run directly: same argv except the two port numbers (free ports
    instead of 8017/9017, which other processes here may hold), with CONDENSYNC_CONFIG naming a
    temp copy of the ConfigMap's plant.toml as the Deployment does."""
    from condensync_tools.store import Store
    from condensync_tools.store.tokens import TokenStore

    argv = entry_command()
    assert argv[0] == "condensync"
    port, mport = free_port(), free_port()
    config = tmp_path / "plant.toml"
    config.write_text(_one(docs, "ConfigMap")["data"]["plant.toml"], "utf-8")
    swap = {"8017": str(port), "9017": str(mport)}
    args = [swap.get(a, a) for a in argv[1:]]
    db_url = f"sqlite:///{tmp_path / 'data' / 'condensync.db'}"
    with Store(db_url, auto_upgrade=True) as store:
        token = TokenStore(store.engine).create("viewer", "container test")[1]
    server = ServerProcess(
        tmp_path,
        port=port,
        metrics_port=mport,
        argv=args,
        test_tools=False,
        name="entry",
        env=child_env(CONDENSYNC_DATABASE_URL=db_url, CONDENSYNC_CONFIG=str(config)),
    ).start()
    try:
        server.wait_started()
        for path in ("/health/start", "/health/live", "/health/ready"):
            r = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
            assert r.status_code == 200, (path, r.text)
        assert (
            raw_post(server.url, call_body(CALC, {**GOOD, "condenser_id": "unit3"}), token).json()["result"]["isError"]
            is False
        )  # design data from the mounted configuration
        assert raw_post(server.url, call_body(CALC, GOOD)).status_code == 401  # auth is on by default
        assert "condensync_tool_calls_total" in httpx.get(server.metrics_url, timeout=10).text
        # the image's HEALTHCHECK command, pointed at this port
        hc = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", _dockerfile(), re.M).group(1)
        hc_argv = [a.replace(":8017/", f":{port}/") for a in json.loads(hc)]
        hc_argv[0] = sys.executable
        assert subprocess.run(hc_argv, timeout=30, env=child_env()).returncode == 0
    finally:
        rc = server.stop()
    warnings = {r.get("event") for r in server.log_records() if r.get("level") == "warning"}
    assert "host_check_disabled" in warnings  # 0.0.0.0 without --allowed-host is called out
    assert rc in (0, -15, 143)


@pytest.mark.slow
def test_container_starts_without_configuration_and_a_bootstrap_token_opens_it(tmp_path):
    """The image's CMD with nothing mounted but a bootstrap token file: it starts on its
    defaults (SQLite in the data dir, no plant configuration), the token works (stored hashed,
    once: a restart does not add it again), supplied-data calls are answered."""
    from condensync_tools.store import Store
    from condensync_tools.store.tokens import TokenStore

    token = "cst_" + "Bootstrap0123456789abcdefghijklmnopqrstuvw"
    token_file = tmp_path / "bootstrap-token"
    token_file.write_text(token + "\n", "utf-8")
    port, mport = free_port(), free_port()
    args = [{"8017": str(port), "9017": str(mport)}.get(a, a) for a in entry_command()[1:]]
    data = tmp_path / "xdg"
    env = child_env(
        XDG_DATA_HOME=str(data),
        CONDENSYNC_DATABASE_URL=None,
        CONDENSYNC_CONFIG=None,
        CONDENSYNC_BOOTSTRAP_TOKEN_FILE=str(token_file),
    )
    for round_ in range(2):
        server = ServerProcess(
            tmp_path, port=port, metrics_port=mport, argv=args, test_tools=False, name=f"bare{round_}", env=env
        ).start()
        try:
            server.wait_started()
            assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10).status_code == 200
            r = raw_post(server.url, call_body(CALC, GOOD), token).json()
            assert r["result"]["isError"] is False, r
            assert raw_post(server.url, call_body(CALC, GOOD)).status_code == 401
        finally:
            server.stop()
        assert token not in server.log_text()
    dbs = list(data.rglob("condensync.db"))
    assert len(dbs) == 1
    with Store(f"sqlite:///{dbs[0]}") as store:
        rows = TokenStore(store.engine).list()
    assert [(t.role, t.label) for t in rows] == [("admin", "bootstrap")]


def test_network_policy_admits_the_clients_the_allowed_hosts_name(docs):
    """In-cluster Service names in CONDENSYNC_ALLOWED_HOSTS mean in-cluster clients: the
    NetworkPolicy must admit pods (not only the ingress controller) on the MCP port."""
    dep = _one(docs, "Deployment")
    (c,) = dep["spec"]["template"]["spec"]["containers"]
    hosts = {e["name"]: e.get("value") for e in c["env"]}["CONDENSYNC_ALLOWED_HOSTS"].split(",")
    service = _one(docs, "Service")["metadata"]["name"]
    in_cluster = [h for h in hosts if h.split(":")[0] == service or h.split(":")[0].startswith(service + ".")]
    assert in_cluster, hosts
    rules = _one(docs, "NetworkPolicy")["spec"]["ingress"]
    mcp_rules = [r for r in rules if any(p["port"] in (8017, "mcp") for p in r["ports"])]
    pod_sources = [f for r in mcp_rules for f in r["from"] if "podSelector" in f]
    assert pod_sources, "in-cluster host names are allowed but no in-cluster pod may connect"
    assert any(f.get("namespaceSelector") == {} for f in pod_sources)  # condensync.greenlang: other namespaces
