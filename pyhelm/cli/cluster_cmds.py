"""``pyhelm cluster ...``: kubectl's commands over the built-in cluster.

Names, arguments and output follow kubectl, so the Kubernetes lab works with
``kubectl`` replaced by ``pyhelm cluster``. Every command is one transaction
on the state file (``--state`` / ``PYHELM_STATE``).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pyhelm.errors import UsageError

if TYPE_CHECKING:
    from pyhelm.cluster.memory import MemoryCluster
    from pyhelm.cluster.memory.kinds import KindInfo


def _open(args: argparse.Namespace) -> MemoryCluster:
    if args.cluster != "memory":
        raise UsageError("'pyhelm cluster' drives the built-in cluster; for a real cluster "
                         "use kubectl itself (or drop --cluster kubectl)")
    from pyhelm import settings
    from pyhelm.cluster.memory import MemoryCluster

    return MemoryCluster(args.state or settings.default_state_file())


def _out(text: str) -> None:
    sys.stdout.write(text)


def _targets(cluster: MemoryCluster, words: list[str]) -> list[tuple[KindInfo, str | None]]:
    from pyhelm.cluster.memory.selection import parse_targets

    return parse_targets(cluster, words)


def _collect(cluster: MemoryCluster, args: argparse.Namespace, words: list[str],
             summaries: bool = False) -> tuple[list[tuple[KindInfo, list[dict[str, Any]]]], bool]:
    from pyhelm.cluster.memory.selection import collect

    namespace = None if getattr(args, "all_namespaces", False) else args.namespace
    return collect(cluster, words, args.namespace, namespace, getattr(args, "selector", None),
                   getattr(args, "field_selector", None), summaries)


def cmd_get(args: argparse.Namespace) -> int:
    cluster = _open(args)
    with cluster.snapshot():  # one read; the objects read die inside it,
        text = _get_text(cluster, args)  # so the cycle collector never traces them
    if text is None:
        where = "" if args.all_namespaces else f" in {args.namespace} namespace"
        print(f"No resources found{where}.", file=sys.stderr)
        return 0
    _out(text)
    return 0


def _get_text(cluster: MemoryCluster, args: argparse.Namespace) -> str | None:
    """What ``get`` prints on stdout; None when a table would have nothing in it."""
    from pyhelm.cluster.memory.printing import GetOptions, format_objects

    opts = GetOptions(args.output, args.all_namespaces, args.show_labels, args.no_headers,
                      args.show_managed_fields)
    if args.output in (None, "wide", "name"):
        targets = _targets(cluster, args.resources)
        if all(name is None for _, name in targets):  # listings: a table row per object read
            prefix = len({info.key for info, _ in targets}) > 1 or args.resources[0] == "all"
            return format_objects(_streams(cluster, args, targets), opts, cluster.clock.now(),
                                  prefix=prefix) or None
    groups, named = _collect(cluster, args, args.resources,
                             summaries=args.output not in ("yaml", "json"))
    if not any(items for _, items in groups) and args.output not in ("json", "yaml"):
        return None
    prefix = len(groups) > 1 or args.resources[0] == "all"
    return format_objects(groups, opts, cluster.clock.now(), single=named, prefix=prefix)


def _streams(cluster: MemoryCluster, args: argparse.Namespace,
             targets: list[tuple[KindInfo, str | None]]
             ) -> list[tuple[KindInfo, Iterator[dict[str, Any]]]]:
    """The objects of each type listed, streamed, grouped by type as ``_collect`` groups them
    (printing 10,000 pods then never holds them all)."""
    namespace = None if getattr(args, "all_namespaces", False) else args.namespace
    parts: dict[str, tuple[KindInfo, list[Iterator[dict[str, Any]]]]] = {}
    for info, _ in targets:
        parts.setdefault(info.key, (info, []))[1].append(cluster.stream(
            info.api_version, info.kind, namespace, getattr(args, "selector", None),
            getattr(args, "field_selector", None)))
    return [(info, itertools.chain.from_iterable(streams)) for info, streams in parts.values()]


def cmd_describe(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory.describe import describe_object

    cluster = _open(args)
    with cluster.transaction(write=False):
        groups, _ = _collect(cluster, args, args.resources)
        texts = [describe_object(cluster, info, obj) for info, items in groups for obj in items]
    if not texts:
        print(f"No resources found in {args.namespace} namespace.", file=sys.stderr)
    _out("\n\n".join(texts))
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory.tables import build, render

    cluster = _open(args)
    events = cluster.events(None if args.all_namespaces else args.namespace)
    if args.for_object:
        kind, _, name = args.for_object.partition("/")
        info = cluster.resolve(kind)
        events = [e for e in events if e["involvedObject"]["name"] == name
                  and e["involvedObject"]["kind"] == info.kind]
    if args.types:
        wanted = {t.strip().lower() for t in args.types.split(",")}
        events = [e for e in events if str(e["type"]).lower() in wanted]
    if not events:
        print(f"No events found in {args.namespace} namespace.", file=sys.stderr)
        return 0
    headers, rows = build("Event", events, cluster.clock.now(),
                          namespaces=args.all_namespaces)
    _out(render(headers, rows))
    return 0


# -- writes -----------------------------------------------------------------------------
def cmd_apply(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory.manifests import read_manifests
    from pyhelm.cluster.memory.printing import qualified

    docs = read_manifests(args.filename)
    cluster = _open(args)
    manager = args.field_manager or ("kubectl" if args.server_side
                                     else "kubectl-client-side-apply")
    force = args.force_conflicts or not args.server_side
    dry = args.dry_run in ("server", "client")
    lines = []
    with cluster.transaction(dry_run=dry) as api:
        for source, obj in docs:
            info = api.info(obj, source)
            result = api.apply(obj, manager, force, args.namespace)
            verb = ("serverside-applied" if args.server_side else "created" if result.created
                    else "configured" if result.changed else "unchanged")
            suffix = {"server": " (server dry run)", "client": " (dry run)"}.get(args.dry_run, "")
            lines.append(f"{qualified(info)}/{result.obj['metadata']['name']} {verb}{suffix}")
    _out("".join(line + "\n" for line in lines))
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory.manifests import read_manifests
    from pyhelm.cluster.memory.printing import qualified

    cluster = _open(args)
    if args.what:
        if args.what[0] not in ("namespace", "ns") or len(args.what) != 2:
            raise UsageError("create takes -f FILE, or 'namespace NAME'")
        docs = [("<command line>", {"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": args.what[1]}})]
    elif args.filename:
        docs = read_manifests(args.filename)
    else:
        raise UsageError("create needs -f FILE (or 'namespace NAME')")
    lines = []
    with cluster.transaction() as api:
        for source, obj in docs:
            info = api.info(obj, source)
            created = api.create(obj, "kubectl-create", namespace=args.namespace).obj
            lines.append(f"{qualified(info)}/{created['metadata']['name']} created")
    _out("".join(line + "\n" for line in lines))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    cluster = _open(args)
    container: dict[str, Any] = {"name": args.name, "image": args.image}
    if args.port:
        container["ports"] = [{"containerPort": args.port}]
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": args.name, "namespace": args.namespace, "labels": {"run": args.name}},
        "spec": {"containers": [container]}}, "kubectl-run")
    _out(f"pod/{args.name} created\n")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from pyhelm.cluster.base import ObjectRef
    from pyhelm.cluster.memory.manifests import read_manifests
    from pyhelm.errors import NotFound

    cluster = _open(args)
    cascade = {"true": "background", "false": "orphan"}.get(args.cascade, args.cascade)
    refs: list[tuple[KindInfo, str | None, str]] = []
    with cluster.transaction() as api:
        if args.filename:
            for source, obj in read_manifests(args.filename):
                info = api.info(obj, source)
                refs.append((info, api.namespace_of(info, obj, args.namespace) or None,
                             obj["metadata"]["name"]))
        else:
            for info, name in _targets(cluster, args.resources):
                ns = args.namespace if info.namespaced else None
                if name is not None:
                    refs.append((info, ns, name))
                elif args.all or args.selector:
                    refs += [(info, ns, o["metadata"]["name"]) for o in
                             cluster.list(info.api_version, info.kind, ns, args.selector)]
                else:
                    raise UsageError("resource(s) were provided, but no name was specified; "
                                     "name them, or use -l SELECTOR or --all")
        lines = []
        for info, ns, name in refs:
            try:
                api.delete(ObjectRef(info.api_version, info.kind, ns, name), cascade)
            except NotFound:
                if args.ignore_not_found:
                    continue
                raise
            where = f" from {ns} namespace" if ns else ""
            lines.append(f'{info.singular}{"." + info.group if info.group else ""} '
                         f'"{name}" deleted{where}')
    _out("".join(line + "\n" for line in lines))
    return 0


def cmd_scale(args: argparse.Namespace) -> int:
    from pyhelm.cluster.base import ObjectRef
    from pyhelm.cluster.memory.printing import qualified

    cluster = _open(args)
    lines = []
    with cluster.transaction() as api:
        for info, name in _targets(cluster, args.resources):
            if "scale" not in info.subresources or name is None:
                raise UsageError(f"cannot scale {info.plural}{'/' + name if name else ''}: "
                                 "scale a deployment, replicaset or statefulset by name")
            ref = ObjectRef(info.api_version, info.kind, args.namespace, name)
            current = api.read(info, args.namespace, name)
            if args.current_replicas is not None and \
                    current["spec"].get("replicas") != args.current_replicas:
                raise UsageError(f"Expected replicas to be {args.current_replicas}, was "
                                 f"{current['spec'].get('replicas')}")
            api.patch(ref, {"spec": {"replicas": args.replicas}}, manager="kubectl-scale")
            lines.append(f"{qualified(info)}/{name} scaled")
    _out("".join(line + "\n" for line in lines))
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    """``label``/``annotate TYPE NAME k=v k2-``: a merge patch of labels or annotations."""
    from pyhelm.cluster.memory.metadata import edit_metadata, split_changes
    from pyhelm.cluster.memory.printing import qualified

    field = "labels" if args.cluster_command == "label" else "annotations"
    words, changes = split_changes(args.words, field)
    cluster = _open(args)
    with cluster.transaction() as api:
        for info, name in _targets(cluster, words):
            if name is None:
                raise UsageError(f"{args.cluster_command} needs a name: TYPE NAME key=value")
            changed = edit_metadata(api, info, args.namespace, name, field, changes,
                                    args.overwrite)
            verb = "labeled" if field == "labels" else "annotated"
            _out(f"{qualified(info)}/{name} {verb if changed else 'not ' + verb}\n")
    return 0


def cmd_expose(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory.expose import service_for

    cluster = _open(args)
    with cluster.transaction() as api:
        for info, name in _targets(cluster, args.resources):
            if name is None:
                raise UsageError("expose needs a name: expose deployment NAME --port=80")
            source = api.read(info, args.namespace, name)
            svc = service_for(source, args.service_name or name, args.port, args.target_port,
                              args.type, args.protocol)
            api.create(svc, "kubectl-expose", namespace=args.namespace)
            _out(f"service/{svc['metadata']['name']} exposed\n")
    return 0


def cmd_curl(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory.service_proxy import curl

    cluster = _open(args)
    with cluster.transaction() as api:
        response = curl(api, args.target, args.namespace)
    if args.include:
        _out(f"HTTP/1.1 {response.status} {'OK' if response.status == 200 else 'Not Found'}\n")
        _out("".join(f"{k}: {v}\n" for k, v in response.headers.items()) + "\n")
    _out(response.body)
    print(f"answered by pod/{response.pod} ({response.address})", file=sys.stderr)
    return 0 if response.status < 400 or not args.fail else 22


def cmd_rollout(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory import rollout
    from pyhelm.cluster.memory.printing import qualified

    cluster = _open(args)
    with cluster.transaction(write=args.action in ("undo", "restart")) as api:
        for info, name in _targets(cluster, args.resources):
            if name is None:
                raise UsageError("rollout needs a name: rollout status deployment/NAME")
            ns, label = args.namespace, f"{qualified(info)}/{name}"
            if args.action == "status":
                _out(rollout.status(api, info, ns, name) + "\n")
            elif args.action == "history":
                rows = [[str(r.number), r.change_cause]
                        for r in rollout.history(api, info, ns, name)]
                from pyhelm.cluster.memory.tables import render

                _out(f"{label} \n" + render(["REVISION", "CHANGE-CAUSE"], rows) + "\n")
            elif args.action == "undo":
                rollout.undo(api, info, ns, name, args.to_revision)
                _out(f"{label} rolled back\n")
            else:
                rollout.restart(api, info, ns, name)
                _out(f"{label} restarted\n")
    return 0


def cmd_nodes(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory import nodes_api

    cluster = _open(args)
    if args.action == "add":
        taints = [nodes_api.parse_taint(t) for t in args.taint]
        labels = dict(nodes_api.parse_label(label) for label in args.label)
        for name in args.names:
            nodes_api.add(cluster, name, cpu=args.cpu, memory=args.memory, pods=args.pods,
                          labels=labels, taints=taints)
            _out(f"node/{name} added\n")
    elif args.action == "remove":
        for name in args.names:
            moved = nodes_api.remove(cluster, name)
            _out(f"node/{name} removed ({moved} pods evicted)\n")
    elif args.action in ("cordon", "uncordon"):
        for name in args.names:
            nodes_api.cordon(cluster, name, args.action == "cordon")
            _out(f"node/{name} {args.action}ed\n")
    else:
        args.resources, args.output = ["nodes"], "wide" if args.wide else None
        args.all_namespaces = args.show_labels = args.no_headers = False
        args.show_managed_fields, args.selector, args.field_selector = False, None, None
        return cmd_get(args)
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    cluster = _open(args)
    cluster.tick(args.seconds)
    _out(f"cluster time is now {cluster.clock.now():%Y-%m-%dT%H:%M:%SZ}\n")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    cluster = _open(args)
    cluster.reset()
    nodes = len(cluster.list("v1", "Node"))
    _out(f"cluster reset: {nodes} nodes, namespaces default, kube-system, kube-public, "
         "kube-node-lease\n")
    return 0


def cmd_api_resources(args: argparse.Namespace) -> int:
    from pyhelm.cluster.memory.tables import render

    cluster = _open(args)
    with cluster.transaction(write=False) as api:
        infos = api.ws.registry.all()
    rows = [[i.plural, ",".join(i.short_names), i.api_version, str(i.namespaced).lower(),
             i.kind] for i in sorted(infos, key=lambda i: i.plural)]
    _out(render(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], rows))
    return 0


def _register_more(add: Any) -> None:
    rollout = add("rollout", cmd_rollout, "manage the rollout of a deployment")
    rollout.add_argument("action", choices=("status", "history", "undo", "restart"))
    rollout.add_argument("resources", nargs="+", metavar="TYPE NAME | TYPE/NAME")
    rollout.add_argument("--to-revision", type=int, default=0)
    nodes = add("nodes", cmd_nodes, "list, add, remove, cordon or uncordon simulated nodes")
    nodes.add_argument("action", nargs="?", default="list",
                       choices=("list", "add", "remove", "cordon", "uncordon"))
    nodes.add_argument("names", nargs="*")
    nodes.add_argument("--cpu", default="8")
    nodes.add_argument("--memory", default="32Gi")
    nodes.add_argument("--pods", type=int, default=4000)
    nodes.add_argument("--label", action="append", default=[], metavar="K=V")
    nodes.add_argument("--taint", action="append", default=[], metavar="K=V:EFFECT")
    nodes.add_argument("--wide", action="store_true")
    for verb in ("label", "annotate"):
        parser = add(verb, cmd_label, f"update the {verb}s of a resource".replace("annotates",
                                                                                 "annotations"))
        parser.add_argument("words", nargs="+", metavar="TYPE NAME KEY=VALUE|KEY-")
        parser.add_argument("--overwrite", action="store_true")
    tick = add("tick", cmd_tick, "let time pass and reconcile (CronJobs, image pull back-off)")
    tick.add_argument("--seconds", type=float, default=60)
    add("reset", cmd_reset, "delete everything: a fresh cluster with three nodes")
    add("api-resources", cmd_api_resources, "list the resource types the cluster serves")


# -- the group -------------------------------------------------------------------------------
def register(subparsers: Any, common: argparse.ArgumentParser, command: str | None = None) -> None:
    cluster = subparsers.add_parser(
        "cluster", parents=[common], help="the built-in cluster, with kubectl's commands",
        description="Drive the built-in cluster as you would drive kubectl.")
    sub = cluster.add_subparsers(dest="cluster_command", metavar="COMMAND",
                                 parser_class=_IntermixedParser)
    cluster.set_defaults(handler=lambda args: (cluster.print_help(), 2)[1])

    def add(name: str, handler: Any, help_: str, **kw: Any) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, parents=[common], help=help_, description=help_, **kw)
        parser.set_defaults(handler=handler)
        return parser

    get = add("get", cmd_get, "display one or many resources")
    _listing_flags(get)
    get.add_argument("-o", "--output", help="json|yaml|wide|name")
    get.add_argument("--show-labels", action="store_true")
    get.add_argument("--no-headers", action="store_true")
    get.add_argument("--show-managed-fields", action="store_true")
    describe = add("describe", cmd_describe, "show details of a resource and its events")
    _listing_flags(describe)
    events = add("events", cmd_events, "list events")
    events.add_argument("-A", "--all-namespaces", action="store_true")
    events.add_argument("--for", dest="for_object", metavar="TYPE/NAME")
    events.add_argument("--types", metavar="Normal,Warning")

    apply = add("apply", cmd_apply, "apply a configuration from files or stdin")
    apply.add_argument("-f", "--filename", action="append", required=True)
    apply.add_argument("--server-side", action="store_true")
    apply.add_argument("--force-conflicts", action="store_true")
    apply.add_argument("--field-manager", default=None)
    apply.add_argument("--dry-run", choices=("none", "client", "server"), default="none")
    create = add("create", cmd_create, "create resources from files, or a namespace")
    create.add_argument("what", nargs="*", metavar="namespace NAME")
    create.add_argument("-f", "--filename", action="append")
    run = add("run", cmd_run, "run a bare pod from an image")
    run.add_argument("name")
    run.add_argument("--image", required=True)
    run.add_argument("--port", type=int)
    delete = add("delete", cmd_delete, "delete resources by name, selector or file")
    delete.add_argument("resources", nargs="*", metavar="TYPE[/NAME] [NAME...]")
    delete.add_argument("-f", "--filename", action="append")
    delete.add_argument("-l", "--selector")
    delete.add_argument("--all", action="store_true")
    delete.add_argument("--ignore-not-found", action="store_true")
    delete.add_argument("--cascade", default="background",
                        choices=("background", "foreground", "orphan", "true", "false"))
    scale = add("scale", cmd_scale, "set a new size for a deployment, replicaset or statefulset")
    scale.add_argument("resources", nargs="+", metavar="TYPE NAME | TYPE/NAME")
    scale.add_argument("--replicas", type=int, required=True)
    scale.add_argument("--current-replicas", type=int)
    expose = add("expose", cmd_expose, "expose a deployment, pod or service as a new Service")
    expose.add_argument("resources", nargs="+", metavar="TYPE NAME | TYPE/NAME")
    expose.add_argument("--name", dest="service_name")
    expose.add_argument("--port", type=int)
    expose.add_argument("--target-port")
    expose.add_argument("--type", default="ClusterIP",
                        choices=("ClusterIP", "NodePort", "LoadBalancer"))
    expose.add_argument("--protocol", default="TCP")
    curl = add("curl", cmd_curl, "send a simulated HTTP request to svc/NAME or pod/NAME")
    curl.add_argument("target", metavar="svc/NAME[:PORT][/path]")
    curl.add_argument("-i", "--include", action="store_true", help="print status and headers")
    curl.add_argument("--fail", action="store_true", help="exit 22 on HTTP errors")
    _register_more(add)
    from pyhelm.cli.cluster_serve import register_serve  # `cluster serve` (the kubeapi area)
    register_serve(sub, common)


class _IntermixedParser(argparse.ArgumentParser):
    """Flags may sit between positionals, as kubectl allows: ``scale deploy --replicas=10 web``."""

    _inside = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inside:
            return super().parse_known_args(args, namespace)
        self._inside = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inside = False


def _listing_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("resources", nargs="+", metavar="TYPE[,TYPE] [NAME...] | TYPE/NAME")
    parser.add_argument("-A", "--all-namespaces", action="store_true")
    parser.add_argument("-l", "--selector")
    parser.add_argument("--field-selector")
