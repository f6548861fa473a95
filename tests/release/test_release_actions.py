"""Install, upgrade, rollback, uninstall as a Python API, against a fake cluster at the seam."""

from __future__ import annotations

from pathlib import Path

import pytest
from release_fakes import CONFIGMAP, DEPLOYMENT, FailingCluster, FakeCluster, write_chart

from pyhelm.chart.loader import load_chart
from pyhelm.cluster.base import ObjectRef
from pyhelm.errors import Invalid, ReleaseError, ReleaseExists, ReleaseNotFound
from pyhelm.release.actions.config import Configuration, DryRun
from pyhelm.release.actions.engine import OwnershipError
from pyhelm.release.actions.install import Install, InstallOptions
from pyhelm.release.actions.rollback import Rollback
from pyhelm.release.actions.uninstall import Uninstall, UninstallOptions
from pyhelm.release.actions.upgrade import Upgrade, UpgradeOptions
from pyhelm.release.model import Status


@pytest.fixture
def chart(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_chart(
        write_chart(
            tmp_path,
            templates={"cm.yaml": CONFIGMAP, "deploy.yaml": DEPLOYMENT},
            notes="Hello from {{ Release.Name }}",
        )
    )


def statuses(cfg: Configuration, name: str = "web") -> list[tuple[int, str]]:
    return [(r.version, r.status.value) for r in cfg.storage().history(name)]


def test_install_applies_objects_with_ownership_metadata(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    release = Install(cfg).run("web", chart, {})
    assert (release.version, release.status, release.info.description) == (
        1,
        Status.DEPLOYED,
        "Install complete",
    )
    assert release.info.notes == "Hello from web"
    cm = cfg.cluster.get(ObjectRef("v1", "ConfigMap", "default", "web-cm"))
    assert cm["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert cm["metadata"]["annotations"]["meta.helm.sh/release-name"] == "web"
    assert cm["metadata"]["annotations"]["meta.helm.sh/release-namespace"] == "default"
    assert statuses(cfg) == [(1, "deployed")]


def test_install_of_a_name_in_use_fails(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {})
    with pytest.raises(ReleaseExists, match="cannot reuse the name 'web'"):
        Install(cfg).run("web", chart, {})


@pytest.mark.parametrize("name", ["Web", "a_b", "x" * 54, "-web"])
def test_invalid_release_names_are_refused(chart, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReleaseError, match="release name"):
        Install(Configuration(FakeCluster())).run(name, chart, {})


def test_install_into_a_missing_namespace_says_how_to_fix(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    with pytest.raises(ReleaseError, match="--create-namespace"):
        Install(cfg, InstallOptions(namespace="shop")).run("web", chart, {})
    Install(cfg, InstallOptions(namespace="shop", create_namespace=True)).run("web", chart, {})
    assert cfg.cluster.get(ObjectRef("v1", "ConfigMap", "shop", "web-cm"))


def test_client_dry_run_touches_nothing(chart) -> None:  # type: ignore[no-untyped-def]
    cluster = FakeCluster()
    release = Install(Configuration(cluster), InstallOptions(dry_run=DryRun.CLIENT)).run(
        "web", chart, {}
    )
    assert release.status is Status.PENDING_INSTALL and "web-cm" in release.manifest
    assert cluster.calls == []


def test_upgrade_supersedes_and_prunes_objects_no_longer_rendered(tmp_path: Path, chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {})
    smaller = load_chart(
        write_chart(tmp_path / "v2", templates={"deploy.yaml": DEPLOYMENT}, version="0.2.0")
    )
    release = Upgrade(cfg).run("web", smaller, {"replicas": 4})
    assert (release.version, release.info.description) == (2, "Upgrade complete")
    assert statuses(cfg) == [(1, "superseded"), (2, "deployed")]
    assert cfg.cluster.names("ConfigMap") == []
    deploy = cfg.cluster.get(ObjectRef("apps/v1", "Deployment", "default", "web"))
    assert deploy["spec"]["replicas"] == 4


def test_upgrade_of_a_missing_release_needs_install(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    with pytest.raises(ReleaseNotFound, match="has no deployed releases"):
        Upgrade(cfg).run("web", chart, {})
    assert Upgrade(cfg, UpgradeOptions(install=True)).run("web", chart, {}).version == 1


def test_values_are_reused_when_none_are_given_and_dropped_otherwise(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {"greeting": "hi", "replicas": 2})
    assert Upgrade(cfg).run("web", chart, {}).config == {"greeting": "hi", "replicas": 2}
    assert Upgrade(cfg).run("web", chart, {"replicas": 3}).config == {"replicas": 3}
    reused = Upgrade(cfg, UpgradeOptions(reuse_values=True)).run("web", chart, {"greeting": "yo"})
    assert reused.config == {"replicas": 3, "greeting": "yo"}
    assert Upgrade(cfg, UpgradeOptions(reset_values=True)).run("web", chart, {}).config == {}


def test_reuse_values_keeps_the_new_charts_new_defaults(tmp_path: Path) -> None:
    old = load_chart(write_chart(tmp_path / "a", templates={"cm.yaml": CONFIGMAP}))
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", old, {"greeting": "hi"})
    new = load_chart(
        write_chart(
            tmp_path / "b",
            version="0.2.0",
            values="port: 8080\n",
            templates={
                "cm.yaml": CONFIGMAP.replace(
                    "greeting:", 'port: "{{ Values.port + 1 }}"\n  greeting:'
                )
            },
        )
    )
    Upgrade(cfg, UpgradeOptions(reuse_values=True)).run("web", new, {})
    cm = cfg.cluster.get(ObjectRef("v1", "ConfigMap", "default", "web-cm"))
    assert cm["data"] == {"port": "8081", "greeting": "hi"}


def test_existing_objects_of_no_release_are_not_taken_over(chart) -> None:  # type: ignore[no-untyped-def]
    cluster = FakeCluster()
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web-cm", "namespace": "default"},
        }
    )
    with pytest.raises(
        OwnershipError,
        match=r"ConfigMap/web-cm in namespace 'default' exists and "
        r"cannot be imported.*--take-ownership",
    ):
        Install(Configuration(cluster)).run("web", chart, {})
    assert Configuration(cluster).storage().history("web") == []  # refused before any record
    release = Install(Configuration(cluster), InstallOptions(take_ownership=True)).run(
        "web", chart, {}
    )
    assert release.status is Status.DEPLOYED


def test_an_upgrade_does_not_take_over_objects_of_another_release(tmp_path: Path) -> None:
    cfg = Configuration(FakeCluster())
    Install(cfg).run(
        "other",
        load_chart(
            write_chart(
                tmp_path / "o",
                templates={"cm.yaml": CONFIGMAP.replace("{{ Release.Name }}-", "web-")},
            )
        ),
        {},
    )
    Install(cfg).run(
        "web", load_chart(write_chart(tmp_path / "w", templates={"d.yaml": DEPLOYMENT})), {}
    )
    both = load_chart(
        write_chart(tmp_path / "b", templates={"cm.yaml": CONFIGMAP, "d.yaml": DEPLOYMENT})
    )
    with pytest.raises(OwnershipError, match="must be 'web', is 'other'"):
        Upgrade(cfg).run("web", both, {})
    assert statuses(cfg) == [(1, "deployed")]


def test_failed_upgrade_marks_the_revision_failed(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(
        FailingCluster(Invalid("Deployment/web: spec.replicas: Invalid"), fail_on=[2])
    )
    Install(cfg).run("web", chart, {})
    with pytest.raises(Invalid):
        Upgrade(cfg).run("web", chart, {"replicas": 5})
    assert statuses(cfg) == [(1, "deployed"), (2, "failed")]
    assert "spec.replicas" in cfg.storage().get("web", 2).info.description


def test_atomic_upgrade_rolls_back_to_the_last_deployed_revision(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FailingCluster(Invalid("Deployment/web: boom"), fail_on=[2]))
    Install(cfg).run("web", chart, {"replicas": 2})
    with pytest.raises(Invalid, match="rolled back to revision 1"):
        Upgrade(cfg, UpgradeOptions(atomic=True)).run("web", chart, {"replicas": 9})
    assert statuses(cfg) == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert cfg.storage().get("web", 3).info.description == "Rollback to 1"
    deploy = cfg.cluster.get(ObjectRef("apps/v1", "Deployment", "default", "web"))
    assert deploy["spec"]["replicas"] == 2


def test_atomic_install_uninstalls_on_failure(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FailingCluster(Invalid("ConfigMap/web-cm: bad")))
    with pytest.raises(Invalid, match="uninstalled because --rollback-on-failure"):
        Install(cfg, InstallOptions(atomic=True)).run("web", chart, {})
    assert cfg.storage().history("web") == []


def test_rollback_writes_a_new_revision_with_the_old_manifest(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {"replicas": 1})
    Upgrade(cfg).run("web", chart, {"replicas": 5})
    release = Rollback(cfg).run("web", 1)
    assert (release.version, release.info.description) == (3, "Rollback to 1")
    assert statuses(cfg) == [(1, "superseded"), (2, "superseded"), (3, "deployed")]
    deploy = cfg.cluster.get(ObjectRef("apps/v1", "Deployment", "default", "web"))
    assert deploy["spec"]["replicas"] == 1
    with pytest.raises(ReleaseNotFound, match="no revision 7"):
        Rollback(cfg).run("web", 7)


def test_history_max_prunes_old_revisions(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {})
    for n in range(2, 6):
        Upgrade(cfg, UpgradeOptions(history_max=3)).run("web", chart, {"replicas": n})
    assert [v for v, _ in statuses(cfg)] == [3, 4, 5]


def test_uninstall_deletes_objects_and_history(chart) -> None:  # type: ignore[no-untyped-def]
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {})
    Uninstall(cfg).run("web")
    assert cfg.cluster.names("ConfigMap") == [] and cfg.cluster.names("Deployment") == []
    assert cfg.storage().history("web") == []
    with pytest.raises(ReleaseNotFound, match="pyhelm list -A"):
        Uninstall(cfg).run("web")


def test_uninstall_keep_history_and_resource_policy_keep(tmp_path: Path) -> None:
    kept = CONFIGMAP.replace(
        "metadata:\n", "metadata:\n  annotations:\n    helm.sh/resource-policy: keep\n"
    )
    chart = load_chart(
        write_chart(tmp_path, templates={"cm.yaml": kept, "deploy.yaml": DEPLOYMENT})
    )
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {})
    result = Uninstall(cfg, UninstallOptions(keep_history=True)).run("web")
    assert result.kept == ["ConfigMap/web-cm in namespace 'default'"]
    assert cfg.cluster.names("ConfigMap") == ["web-cm"]
    assert statuses(cfg) == [(1, "uninstalled")]


def test_lookup_reads_the_target_cluster_but_not_in_a_client_dry_run(tmp_path: Path) -> None:
    template = """apiVersion: v1
kind: ConfigMap
metadata:
  name: copy
data:
  found: "{{ lookup('v1', 'ConfigMap', 'default', 'source').get('data', {}).get('k', 'none') }}"
"""
    chart = load_chart(write_chart(tmp_path, templates={"cm.yaml": template}))
    cluster = FakeCluster()
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "data": {"k": "live"},
            "metadata": {"name": "source", "namespace": "default"},
        }
    )
    dry = Install(Configuration(cluster), InstallOptions(dry_run=DryRun.CLIENT)).run(
        "web", chart, {}
    )
    assert 'found: "none"' in dry.manifest
    assert 'found: "live"' in Install(Configuration(cluster)).run("web", chart, {}).manifest


def test_server_dry_run_validates_on_the_cluster_and_stores_nothing(chart) -> None:  # type: ignore[no-untyped-def]
    cluster = FakeCluster()
    cfg = Configuration(cluster)
    release = Install(cfg, InstallOptions(dry_run=DryRun.SERVER)).run("web", chart, {})
    assert release.info.description == "Dry run complete"
    assert cluster.names("ConfigMap") == [] and cfg.storage().history("web") == []
    assert ("apply", "ConfigMap/web-cm in namespace 'default'") in cluster.calls


def test_generate_name_names_the_release_after_the_chart(chart) -> None:  # type: ignore[no-untyped-def]
    release = Install(Configuration(FakeCluster()), InstallOptions(generate_name=True)).run(
        "", chart, {}
    )
    assert release.name.startswith("app-") and release.name[4:].isdigit()


def test_release_labels_are_stored_on_the_record_and_system_labels_are_reserved(chart) -> None:  # type: ignore[no-untyped-def]
    cluster = FakeCluster()
    options = InstallOptions(labels={"team": "shop", "owner": "mallory"})
    Install(Configuration(cluster), options).run("web", chart, {})
    secret = cluster.get(ObjectRef("v1", "Secret", "default", "sh.helm.release.v1.web.v1"))
    labels = secret["metadata"]["labels"]
    assert labels["team"] == "shop" and labels["owner"] == "helm"
    upgraded = Upgrade(Configuration(cluster)).run("web", chart, {"replicas": 2})
    assert upgraded.labels == {"team": "shop"}  # carried over from the last revision


def test_a_field_manager_conflict_says_how_to_take_the_fields_over(chart) -> None:  # type: ignore[no-untyped-def]
    from pyhelm.errors import Conflict

    cfg = Configuration(FailingCluster(Conflict('conflict with "kubectl": .spec.replicas')))
    with pytest.raises(Conflict, match=r"\.spec\.replicas; pass --force-conflicts"):
        Install(cfg).run("web", chart, {})


def test_cleanup_on_fail_deletes_what_the_failed_upgrade_added(tmp_path: Path) -> None:
    from release_fakes import hook_job

    cfg = Configuration(FakeCluster(failing_jobs=["check"]))
    Install(cfg).run(
        "web", load_chart(write_chart(tmp_path / "a", templates={"d.yaml": DEPLOYMENT})), {}
    )
    bigger = load_chart(
        write_chart(
            tmp_path / "b",
            templates={
                "d.yaml": DEPLOYMENT,
                "cm.yaml": CONFIGMAP,
                "check.yaml": hook_job("check", "post-upgrade"),
            },
        )
    )
    with pytest.raises(ReleaseError):
        Upgrade(cfg, UpgradeOptions(cleanup_on_fail=True)).run("web", bigger, {})
    assert cfg.cluster.names("ConfigMap") == [] and cfg.cluster.names("Deployment") == ["web"]
