"""``pyhelm create NAME``: a new chart like Helm's scaffold, in Jinja2.

The scaffold lives in ``pyhelm/chart/scaffold/`` as real files (so it is
linted and rendered by the tests like any chart); ``<CHARTNAME>`` in them is
replaced by the new chart's name. It holds a Deployment, Service,
ServiceAccount, optional Ingress and HorizontalPodAutoscaler, named helpers
(``include("NAME.fullname", ctx)``), NOTES.txt, a test hook and a
``values.schema.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyhelm.errors import ChartError

SCAFFOLD = Path(__file__).with_name("scaffold")
PLACEHOLDER = "<CHARTNAME>"
#: Helm accepts more, but a name that is not a DNS label makes bad object names and labels.
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def create_chart(path: Path) -> Path:
    """Write a new chart at ``path`` (its last element is the chart name); return ``path``.

    Raises ``ChartError`` when the name is not a lowercase DNS label or when
    ``path`` exists and is not an empty folder.
    """
    name = path.name
    if not NAME_RE.match(name) or len(name) > 53:
        raise ChartError(
            f"chart name {name!r} is invalid: use lowercase letters, digits and '-', "
            "starting and ending "
            "with a letter or digit, at most 53 characters (e.g. my-app)"
        )
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ChartError(f"{path}: already exists and is not an empty folder; choose another name")
    for source in sorted(SCAFFOLD.rglob("*")):
        if source.is_dir() or source.name.endswith(".pyc"):
            continue
        target = path / source.relative_to(SCAFFOLD)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                source.read_text(encoding="utf-8").replace(PLACEHOLDER, name), encoding="utf-8"
            )
        except OSError as exc:
            raise ChartError(f"{target}: cannot write: {exc.strerror}") from None
    return path
