"""``pyhelm cluster serve``: the built-in cluster over the Kubernetes API, for kubectl and helm.

Registered into the ``pyhelm cluster`` group by ``register_serve``. It prints
the server's URL and an ``export KUBECONFIG=...`` line, then serves on the
loopback address until interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"


def register_serve(cluster_subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = cluster_subparsers.add_parser(
        "serve", parents=[common],
        help="serve the built-in cluster over the Kubernetes API (for kubectl and helm)",
        description="Serve the built-in cluster's state over the Kubernetes API on "
                    f"https://{LOOPBACK}:PORT with a self-signed CA and a bearer token, and "
                    "write a kubeconfig for it. The real kubectl and helm work against it; "
                    "pyhelm commands may share the state file at the same time.")
    parser.add_argument("--port", type=int, default=6443,
                        help="port to listen on (0: let the OS choose; default 6443)")
    parser.add_argument("--kubeconfig-out", metavar="FILE", default=None,
                        help="where to write the kubeconfig (default: kubeconfig in the pyhelm "
                             "data folder)")
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    from pyhelm import settings
    from pyhelm.cluster.kubeapi.server import start
    from pyhelm.cluster.memory import MemoryCluster
    from pyhelm.errors import ClusterError, UsageError

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is out of range: use 1-65535, or 0 to let the OS "
                         "choose")
    out = Path(args.kubeconfig_out) if args.kubeconfig_out else settings.data_home() / "kubeconfig"
    cluster = MemoryCluster(args.state or settings.default_state_file())
    try:
        serving = start(cluster, out.resolve(), LOOPBACK, args.port)
    except OSError as exc:
        raise ClusterError(f"cannot listen on {LOOPBACK}:{args.port}: {exc.strerror}; choose "
                           "another port with --port (0 lets the OS choose)") from None
    print(f"Serving the built-in cluster at {serving.url} (Ctrl-C to stop)", flush=True)
    print(f"export KUBECONFIG={serving.kubeconfig}", flush=True)
    try:
        serving.run()
    finally:
        cluster.close()
    return 0
