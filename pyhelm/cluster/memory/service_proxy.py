"""The service proxy: ``curl svc/NAME[:PORT][/path]`` reaches the next ready endpoint, round-robin.

Purely simulated: no packet leaves the process. The round-robin position of each
Service port is kept in the state file, so successive commands go on where the
last one stopped. A pod answers as its image would: nginx's welcome page for
nginx images, httpd's "It works!", otherwise a short text naming the pod.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.endpoints import target_port
from pyhelm.errors import ClusterError, UsageError

Manifest = dict[str, Any]

NGINX_PAGE = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
NGINX_404 = """<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx/{version}</center>
</body>
</html>
"""


class ConnectionRefused(ClusterError):
    """Nothing listens where the request went (no ready endpoints, wrong port)."""

    exit_code = 7  # curl's "Failed to connect to host"


@dataclass
class Response:
    status: int
    body: str
    pod: str
    address: str
    headers: dict[str, str] = field(default_factory=dict)


def parse_target(target: str) -> tuple[str, str, int | str | None, str]:
    """``svc/web:8080/healthz`` -> ("svc", "web", 8080, "/healthz")."""
    kind, sep, rest = target.partition("/")
    if not sep or kind not in ("svc", "service", "services", "pod", "pods", "po"):
        raise UsageError(f"cannot reach {target!r}: name a target as svc/NAME[:PORT][/path] "
                         "or pod/NAME[:PORT][/path]")
    name_port, slash, path = rest.partition("/")
    name, _, port_text = name_port.partition(":")
    port: int | str | None = (int(port_text) if port_text.isdigit() else port_text) or None
    return ("svc" if kind.startswith("s") else "pod"), name, port, "/" + path if slash else "/"


def curl(api: Api, target: str, namespace: str) -> Response:
    kind, name, port, path = parse_target(target)
    if kind == "pod":
        pod = api.ws.get("Pod", namespace, name)
        if pod is None:
            raise ClusterError(f'pods "{name}" not found in namespace {namespace}')
        return _answer(pod, _pod_port(pod, port), path)
    return _via_service(api, namespace, name, port, path)


def _pod_port(pod: Manifest, port: int | str | None) -> int:
    ports = [p for c in pod["spec"].get("containers") or () for p in c.get("ports") or ()]
    if port is None:
        return int(ports[0]["containerPort"]) if ports else 80
    if isinstance(port, str):
        found = next((p for p in ports if p.get("name") == port), None)
        if found is None:
            raise UsageError(f"pod {pod['metadata']['name']} has no port named {port!r}")
        return int(found["containerPort"])
    return port


def _via_service(api: Api, namespace: str, name: str, port: int | str | None,
                 path: str) -> Response:
    svc = api.ws.get("Service", namespace, name)
    if svc is None:
        raise ClusterError(f'services "{name}" not found in namespace {namespace}; '
                           "list them with 'pyhelm cluster get svc'")
    ports = (svc.get("spec") or {}).get("ports") or []
    chosen = next((p for p in ports if port is None or p.get("port") == port
                   or p.get("name") == port), None)
    if chosen is None:
        offered = ", ".join(str(p.get("port")) for p in ports) or "none"
        raise ConnectionRefused(f"Failed to connect to {name} port {port}: the Service has no "
                                f"such port (it offers: {offered})")
    endpoints = api.ws.get("Endpoints", namespace, name) or {}
    ready = sorted(a["targetRef"]["name"] for s in endpoints.get("subsets") or ()
                   for a in s.get("addresses") or () if a.get("targetRef"))
    if not ready:
        raise ConnectionRefused(f"Failed to connect to {name} port {chosen.get('port')}: no "
                                "ready endpoints (check 'pyhelm cluster get pods' and the "
                                "Service's selector)")
    key = f"rr/{namespace}/{name}/{chosen.get('port')}"
    last = api.ws.store.meta(key)
    position = (ready.index(last) + 1) % len(ready) if last in ready else \
        sum(1 for n in ready if last is not None and n < last) % len(ready)
    pod_name = ready[position]
    api.ws.store.set_meta(key, pod_name)
    pod = api.ws.get("Pod", namespace, pod_name)
    assert pod is not None  # endpoints only name live pods
    number = target_port(chosen, pod) or int(chosen.get("port", 80))
    return _answer(pod, number, path)


def _answer(pod: Manifest, port: int, path: str) -> Response:
    status = pod.get("status") or {}
    name = pod["metadata"]["name"]
    address = f"{status.get('podIP', '')}:{port}"
    containers = pod["spec"].get("containers") or []
    container = next((c for c in containers if any(
        p.get("containerPort") == port for p in c.get("ports") or ())),
        containers[0] if containers else {})
    if status.get("phase") != "Running":
        raise ConnectionRefused(f"Failed to connect to {address}: pod {name} is "
                                f"{status.get('phase', 'Pending')}")
    image = str(container.get("image", ""))
    base = image.rsplit("/", 1)[-1]
    repo, _, tag = base.partition(":")
    headers = {"X-Pod-Name": name, "X-Pod-IP": str(status.get("podIP", ""))}
    if repo == "nginx" or repo.startswith("nginx-"):
        version = tag if tag and tag[0].isdigit() else "1.29.3"
        headers["Server"] = f"nginx/{version}"
        if path in ("/", "/index.html"):
            return Response(200, NGINX_PAGE, name, address, headers)
        return Response(404, NGINX_404.format(version=version), name, address, headers)
    if repo == "httpd":
        headers["Server"] = "Apache/2.4"
        return Response(200, "<html><body><h1>It works!</h1></body></html>\n", name, address,
                        headers)
    return Response(200, f"Hello from {name} ({image}) at {address}{path}\n", name, address,
                    headers)
