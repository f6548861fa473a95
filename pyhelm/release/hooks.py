"""Running a release's hooks (helm-facts §2.9).

Hooks of one event run in order of (weight, then name), after Helm's install
order. For each: delete the old copy when the ``before-hook-creation`` policy
applies (the default when a hook names no policy), create it, wait until a
Job completes or a Pod succeeds (other kinds count as done once created), and
record ``last_run``. A failing hook fails the operation: it is deleted if it
has ``hook-failed``, earlier hooks with ``hook-succeeded`` are deleted, and
``HookFailed`` names the hook and why. After all succeed, hooks with
``hook-succeeded`` are deleted. Hook objects are not part of the release:
uninstall does not delete them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyhelm.cluster.base import Cluster, ObjectRef
from pyhelm.errors import AlreadyExists, ClusterError, NotFound, ReleaseError
from pyhelm.release.model import Hook, HookRun, format_time, now
from pyhelm.release.objects import Resource, resource
from pyhelm.release.wait import WaitFailed, WaitTimeout, completion, wait_ready

if TYPE_CHECKING:
    from pyhelm.render import RenderedManifest

EVENTS = (
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
)
BEFORE_CREATION = "before-hook-creation"
ON_SUCCESS = "hook-succeeded"
ON_FAILURE = "hook-failed"


class HookFailed(ReleaseError):
    """A hook could not be created or did not succeed."""


@dataclass
class HookRunner:
    """Runs hooks against one cluster, in one namespace, each within ``timeout`` seconds."""

    cluster: Cluster
    namespace: str
    timeout: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    ran: list[Hook] = field(default_factory=list)

    def run(self, hooks: Sequence[Hook], event: str) -> None:
        """Run every hook of ``event``; raises ``HookFailed`` at the first failure."""
        chosen = sorted((h for h in hooks if event in h.events), key=lambda h: (h.weight, h.name))
        done: list[tuple[Hook, Resource]] = []
        for hook in chosen:
            item = self._resource(hook)
            try:
                self._run_one(hook, item, event)
            except HookFailed:
                if ON_FAILURE in hook.delete_policies:
                    self._delete(item)
                for earlier, earlier_item in done:
                    if ON_SUCCESS in earlier.delete_policies:
                        self._delete(earlier_item)
                raise
            done.append((hook, item))
        for hook, item in reversed(done):
            if ON_SUCCESS in hook.delete_policies:
                self._delete(item)

    def _resource(self, hook: Hook) -> Resource:
        item = resource(hook.path, hook.manifest, self.namespace)
        if item is None:
            raise HookFailed(f"hook {hook.path} is empty")
        return item

    def _run_one(self, hook: Hook, item: Resource, event: str) -> None:
        if BEFORE_CREATION in hook.delete_policies or not hook.delete_policies:
            self._delete(item)
        hook.last_run = HookRun(started_at=format_time(now()), phase="Running")
        self.ran.append(hook)
        try:
            self.cluster.create(item.obj)
        except AlreadyExists:
            hook.last_run.phase = "Failed"
            raise HookFailed(
                f"{event} hook {item.ref} already exists; delete it or give the hook the "
                f"'{BEFORE_CREATION}' delete policy"
            ) from None
        except ClusterError as exc:
            hook.last_run.phase = "Failed"
            raise HookFailed(f"{event} hook {item.ref} could not be created: {exc}") from None
        try:
            if item.ref.kind in ("Job", "Pod"):
                wait_ready(
                    self.cluster, [item.ref], self.timeout, sleep=self.sleep, rule=completion
                )
        except (WaitFailed, WaitTimeout) as exc:
            hook.last_run.phase = "Failed"
            hook.last_run.completed_at = format_time(now())
            raise HookFailed(f"{event} hook {item.ref} failed: {exc}") from None
        hook.last_run.phase = "Succeeded"
        hook.last_run.completed_at = format_time(now())

    def _delete(self, item: Resource) -> None:
        try:
            self.cluster.delete(ObjectRef.of(item.obj), cascade="background")
        except NotFound:
            pass


def hook_from_rendered(rendered: RenderedManifest) -> Hook:
    """A ``Hook`` record from a rendered manifest that carries hook events."""
    events = [("test" if e == "test-success" else e) for e in rendered.hook_events]
    return Hook(
        name=rendered.name,
        kind=rendered.kind,
        path=rendered.source,
        manifest=rendered.text,
        events=[e for e in events if e in EVENTS],
        weight=rendered.hook_weight,
        delete_policies=list(rendered.hook_delete_policies),
    )
