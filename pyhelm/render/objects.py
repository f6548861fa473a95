"""The objects a template sees: Values, Release, Chart, Capabilities, Files, Template.

Each is a plain mapping (a ``dict`` or a ``dict`` subclass), so Jinja2's own
builtins work on them (``Release | tojson``, ``Chart.items()``, ``dictsort``).
Helm's methods (``Files.Get``, ``Capabilities.APIVersions.Has``) are methods
of those subclasses. Attribute lookup on any mapping prefers a *key* over a
method of the same name; that rule lives in the environment (``engine.py``).
"""

from __future__ import annotations

import re
from typing import Any

from pyhelm.chart.model import Chart

#: API versions every Kubernetes of the supported range serves (``helm template``'s defaults).
DEFAULT_API_VERSIONS = (
    "v1",
    "apps/v1",
    "batch/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "policy/v1",
    "networking.k8s.io/v1",
    "rbac.authorization.k8s.io/v1",
    "storage.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "admissionregistration.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "node.k8s.io/v1",
    "certificates.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "gateway.networking.k8s.io/v1",
)


class KubeVersion(dict[str, Any]):
    """``Capabilities.KubeVersion``: ``Version``, ``Major``, ``Minor``; prints as ``v1.35.0``."""

    def __init__(self, version: str) -> None:
        text = version if version.startswith("v") else "v" + version
        parts = (text[1:].split("-")[0].split(".") + ["0", "0"])[:3]
        super().__init__(Version=text, Major=parts[0], Minor=parts[1], GitVersion=text)

    def __str__(self) -> str:
        return str(self["Version"])


class APIVersions(list[str]):
    """``Capabilities.APIVersions``: a list of ``group/version`` with ``Has``."""

    def Has(self, api_version: str) -> bool:  # noqa: N802 - Helm's name
        return api_version in self


class Files(dict[str, bytes]):
    """``Files``: the chart's non-template files, path → bytes, with Helm's accessors."""

    def Get(self, path: str) -> str:  # noqa: N802 - Helm's names follow
        """The file's text, or ``""`` when there is no such file (as Helm)."""
        data = self.get(path)
        return data.decode("utf-8", "replace") if data is not None else ""

    def GetBytes(self, path: str) -> bytes:  # noqa: N802
        return self.get(path, b"")

    def Glob(self, pattern: str) -> Files:  # noqa: N802
        """The files whose path matches the glob, as Helm's: ``*`` and ``?`` stay within one
        folder, ``**`` crosses folders, ``[abc]`` and ``{a,b}`` as in a shell."""
        regex = glob_regex(pattern)
        return Files({p: c for p, c in self.items() if regex.fullmatch(p)})

    def Lines(self, path: str) -> list[str]:  # noqa: N802
        text = self.Get(path)
        return text.splitlines() if text else []

    def AsConfig(self) -> str:  # noqa: N802
        """A ConfigMap ``data:`` body: each file's base name → its text, as YAML."""
        from pyhelm.render.functions import to_yaml

        return to_yaml(
            {p.rsplit("/", 1)[-1]: c.decode("utf-8", "replace") for p, c in sorted(self.items())}
        )

    def AsSecrets(self) -> str:  # noqa: N802
        """A Secret ``data:`` body: each file's base name → base64 of its bytes, as YAML."""
        import base64

        from pyhelm.render.functions import to_yaml

        return to_yaml(
            {p.rsplit("/", 1)[-1]: base64.b64encode(c).decode() for p, c in sorted(self.items())}
        )


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Helm's (gobwas) glob with '/' as the separator, as a regular expression."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            out.append(_char_class(pattern[i + 1 : end]))
            i = end
        elif char == "{" and "}" in pattern[i:]:
            end = pattern.index("}", i)
            out.append(
                "(?:" + "|".join(re.escape(a) for a in pattern[i + 1 : end].split(",")) + ")"
            )
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def _char_class(body: str) -> str:
    """``[abc]``, ``[a-z]``, ``[!abc]`` (negated) as a regex class."""
    negate = body[:1] == "!"
    inner = (body[1:] if negate else body).replace("\\", "\\\\").replace("^", "\\^")
    return "[" + ("^" if negate else "") + inner + "]"


def release_object(name: str, namespace: str, revision: int, is_upgrade: bool) -> dict[str, Any]:
    return {
        "Name": name,
        "Namespace": namespace,
        "Revision": revision,
        "IsInstall": not is_upgrade,
        "IsUpgrade": is_upgrade,
        "Service": "Helm",
    }


def chart_object(chart: Chart, is_root: bool) -> dict[str, Any]:
    """Chart.yaml's fields with Helm's capitalised names, plus ``IsRoot``."""
    meta = chart.metadata
    return {
        "APIVersion": meta.api_version,
        "Name": meta.name,
        "Version": meta.version,
        "AppVersion": meta.app_version,
        "Description": meta.description,
        "Type": meta.type,
        "KubeVersion": meta.kube_version,
        "Keywords": list(meta.keywords),
        "Home": meta.home,
        "Sources": list(meta.sources),
        "Icon": meta.icon,
        "Annotations": dict(meta.annotations),
        "Deprecated": meta.deprecated,
        "Maintainers": [m.to_dict() for m in meta.maintainers],
        "Dependencies": [d.to_dict() for d in meta.dependencies],
        "IsRoot": is_root,
    }


def capabilities_object(kube_version: str, extra_api_versions: tuple[str, ...]) -> dict[str, Any]:
    return {
        "KubeVersion": KubeVersion(kube_version),
        "APIVersions": APIVersions([*DEFAULT_API_VERSIONS, *extra_api_versions]),
        "HelmVersion": {"Version": "v4.1.4", "GoVersion": "pyhelm"},
    }


def files_object(chart: Chart) -> Files:
    """The files a template may read: all but templates/ (the loader already left those out)."""
    return Files(chart.files)


def template_object(name: str) -> dict[str, str]:
    return {"Name": name, "BasePath": name.rsplit("/", 1)[0]}
