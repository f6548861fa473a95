"""``template --validate``: each manifest against the Kubernetes schema of ``--kube-version``.

Uses the ``kubernetes-validate`` package (the JSON schemas of every
Kubernetes release), imported only when the flag is given. This is the one
place the render path parses every manifest in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyhelm import yamlio
from pyhelm.errors import RenderError, UsageError
from pyhelm.render.manifests import RenderedManifest


def validate_manifests(manifests: Sequence[RenderedManifest], kube_version: str) -> None:
    """Raise ``RenderError`` listing every manifest that breaks the schema, not just the first."""
    try:
        import kubernetes_validate
    except ImportError:
        raise UsageError(
            "--validate needs the kubernetes-validate package: pip install 'pyhelm-jinja[validate]'"
        ) from None
    version = kube_version.lstrip("v")
    known = sorted(
        {".".join(v.split(".")[:2]) for v in kubernetes_validate.utils.all_versions()},
        key=lambda v: tuple(int(p) for p in v.split(".")),
    )
    if ".".join(version.split(".")[:2]) not in known:
        raise UsageError(
            f"--validate: no Kubernetes schemas for --kube-version {kube_version}; "
            f"kubernetes-validate knows v{known[0]} to v{known[-1]}"
        )
    problems = [p for m in manifests for p in _problems(kubernetes_validate, m, version)]
    if problems:
        raise RenderError(
            f"{len(problems)} manifest(s) are not valid Kubernetes {kube_version} objects:\n  "
            + "\n  ".join(problems)
        )


def _problems(kv: Any, manifest: RenderedManifest, version: str) -> list[str]:
    where = f"{manifest.source}: {manifest.kind or '?'}/{manifest.name or '?'}"
    data = yamlio.load(manifest.text, manifest.source, RenderError)
    if data is None:
        return []
    if not isinstance(data, dict) or not data.get("kind") or not data.get("apiVersion"):
        return [f"{where}: a manifest must be a mapping with apiVersion and kind"]
    try:
        kv.validate(data, version, strict=True)
    except kv.ValidationError as exc:
        path = ".".join(str(p) for p in exc.path) or "(top level)"
        return [f"{where}: {path}: {exc.message}"]
    except kv.SchemaNotFoundError:
        return [
            f"{where}: Kubernetes {version} has no {data['apiVersion']} {data['kind']} "
            "(a custom resource, a removed API, or a typo?)"
        ]
    except kv.InvalidSchemaError as exc:
        return [f"{where}: cannot check: {exc}"]
    return []
