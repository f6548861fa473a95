"""Fixtures every test shares: an isolated environment and the real CLI.

Every test runs with its own config, cache, data and cluster-state folders,
so nothing leaks between tests or into the user's home.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHARTS = REPO_ROOT / "charts"
TOOLS_BIN = REPO_ROOT / ".tools" / "bin"
#: The Kubernetes lab's manifests, exactly as the lab gives them (lab/*.yaml).
LAB = REPO_ROOT / "lab"
LAB_POD_YAML = (LAB / "nginx-pod.yaml").read_text()
LAB_DEPLOY_YAML = (LAB / "nginx-deploy.yaml").read_text()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every pyhelm and helm folder at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("PYHELM_CONFIG_HOME", "config"),
        ("PYHELM_CACHE_HOME", "cache"),
        ("PYHELM_DATA_HOME", "data"),
        ("HELM_CONFIG_HOME", "helm-config"),
        ("HELM_CACHE_HOME", "helm-cache"),
        ("HELM_DATA_HOME", "helm-data"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("PYHELM_STATE", str(home / "cluster.db"))
    for var in ("PYHELM_CLUSTER", "PYHELM_NAMESPACE", "KUBECONFIG", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    return home


def _binary(name: str) -> str:
    local = TOOLS_BIN / name
    found = str(local) if local.exists() else shutil.which(name)
    if found:
        return found
    message = f"{name} binary not found; run scripts/fetch-tools.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def helm_bin() -> str:
    """The official helm v4 binary (fetched by scripts/fetch-tools.sh)."""
    return _binary("helm")


@pytest.fixture
def kubectl_bin() -> str:
    """A real kubectl: the official one fetched beside helm, else the machine's."""
    return _binary("kubectl")


RunPyhelm = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def pyhelm(tmp_path: Path) -> RunPyhelm:
    """Run the real ``pyhelm`` command in a subprocess; returns the CompletedProcess.

    ``pyhelm("template", "web", str(CHARTS / "nginx"))``; pass ``input=`` for
    stdin and ``cwd=`` to run elsewhere than a fresh temporary folder.
    """

    def run(*args: str, input: str | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pyhelm", *args],
            input=input, capture_output=True, text=True, cwd=cwd or tmp_path,
            env={**os.environ, **(env or {})}, timeout=timeout,
        )

    return run
