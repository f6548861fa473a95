"""The sandboxed Jinja2 environment that renders charts.

One ``ChartEnvironment`` renders one chart tree (the root and its enabled
subcharts). Every template is known by its Helm path —
``nginx/templates/deployment.yaml``, ``parent/charts/sub/templates/cm.yaml`` —
and carries its own chart's objects (``Values``, ``Release``, ``Chart``,
``Capabilities``, ``Files``, ``Template``, and ``ctx``: all of them in one
mapping, Helm's ``.``) as template globals, so a helper file imported by a
template sees the same objects as the template itself.

Compiled templates are cached on disk (``codecache``: one file per chart
tree, an entry used only for the identical source) under the XDG cache
folder, so a second render of an unchanged chart compiles nothing.

Security: a ``SandboxedEnvironment`` — no ``_``-prefixed attributes, no
unsafe callables — plus size limits on ``*``/``**`` and bounded
``include``/``tpl`` nesting. A sandbox violation raises ``SecurityError``,
which ``diagnostics`` turns into ``SandboxError``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, pass_context
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import Context, Macro
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from pyhelm.errors import RenderError, SandboxError
from pyhelm.render import functions
from pyhelm.render.codecache import CodeCache

#: How deep ``include`` and ``tpl`` may nest (a helper that includes itself stops here).
MAX_DEPTH = 64
#: Largest string or list a template may build with ``*``, and largest ``**`` result (in bits).
MAX_SEQUENCE = 10_000_000
MAX_POWER_BITS = 4096
#: Names a template might try for an escape; using one is reported as a sandbox violation.
FORBIDDEN_NAMES = frozenset(
    (
        "os",
        "sys",
        "open",
        "file",
        "eval",
        "exec",
        "compile",
        "__import__",
        "import",
        "importlib",
        "subprocess",
        "builtins",
        "__builtins__",
        "globals",
        "locals",
        "vars",
        "getattr",
        "setattr",
        "type",
        "object",
        "input",
        "breakpoint",
        "self",
    )
)
#: Bumped whenever the environment's options change the compiled code.
CACHE_VERSION = "1"


class HelmUndefined(StrictUndefined):
    """A strict undefined whose message names the missing key and the fix."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[Exception] = UndefinedError,
    ) -> None:
        if obj is missing and name in FORBIDDEN_NAMES:
            hint = (
                f"'{name}' is not available: templates run in a sandbox and cannot reach "
                "Python, the file system or the network (use Files.Get for chart files)"
            )
            exc = SecurityError
        super().__init__(hint, obj, name, exc)

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is missing:
            return f"'{self._undefined_name}' is undefined"
        if isinstance(self._undefined_obj, dict):
            return (
                f"'{self._undefined_name}' is undefined: the mapping has no such key "
                f"(for an optional value use `| default(...)`, or test `is defined`)"
            )
        return (
            f"'{self._undefined_name}' is undefined on a {type(self._undefined_obj).__name__} value"
        )


class ChartEnvironment(SandboxedEnvironment):
    """The sandbox, with Helm-minded attribute lookup and output.

    - ``a.b`` on a mapping is the *key* ``b`` when it exists (a values key named
      ``items`` or ``keys`` wins over the dict method); otherwise the usual lookup.
    - ``{{ true }}`` prints ``true``, ``{{ none }}`` prints nothing, as in Helm.
    - Relative template names (``{% import "_helpers.tpl" as h %}``) resolve
      from the importing template's folder; ``..`` and absolute names are refused.
    """

    intercepted_binops = frozenset(("*", "**"))

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        if attribute.startswith("__"):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Calls from templates: ``include``, made for every helper use, goes straight in (it is
        ours, and needs none of the checks or context juggling a foreign callable gets)."""
        if __obj is _include:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return _include(__context, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        if op == "*":
            for seq, count in ((left, right), (right, left)):
                if (
                    isinstance(seq, (str, list, tuple))
                    and isinstance(count, int)
                    and len(seq) * count > MAX_SEQUENCE
                ):
                    raise SecurityError(
                        f"'*' would build a sequence longer than {MAX_SEQUENCE} items"
                    )
            return operator.mul(left, right)
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and right > 0
            and abs(left) > 1
            and right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS
        ):
            raise SecurityError(f"'**' result would exceed {MAX_POWER_BITS} bits")
        return operator.pow(left, right)

    def join_path(self, template: str, parent: str) -> str:
        if template.startswith("/") or ".." in template.split("/"):
            raise SecurityError(
                f"template name {template!r} leaves the chart; use a path relative "
                "to the importing template's folder"
            )
        return parent.rsplit("/", 1)[0] + "/" + template


def _finalize(value: Any) -> Any:
    """``{{ none }}`` prints nothing and booleans print ``true``/``false``, as Go templates do."""
    return functions.gostr(value) if value is None or value is True or value is False else value


class ChartLoader(BaseLoader):
    """The templates of a chart tree, by Helm path, with their chart's globals and cached code."""

    def __init__(self, code_cache: CodeCache) -> None:
        self.sources: dict[str, str] = {}
        self.scopes: dict[str, ChartScope] = {}
        self.code_cache = code_cache
        self.compiler: Any = None  # a shapes.ShapeCompiler, made (imported) on the first compile

    def add(self, name: str, source: str, scope: ChartScope) -> None:
        self.sources[name] = source
        self.scopes[name] = scope

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.sources:
            raise TemplateNotFound(template)
        return self.sources[template], template, lambda: True

    def load(self, environment: Any, name: str, globals: Any = None) -> Any:  # noqa: A002
        source = self.sources.get(name)
        if source is None:
            raise TemplateNotFound(name)
        code = self.code_cache.get(name, source)
        if code is None:
            code = self.compile(environment, name)
            self.code_cache.put(name, source, code)
        merged = self.scopes[name].globals_for(name)
        # Jinja2 passes a ChainMap over the environment's ~90 functions; merging its layers as
        # dicts spares a Python-level lookup per name per template (and the render's own copy).
        for layer in reversed(getattr(globals, "maps", [globals or {}])):
            merged.update(layer)
        return environment.template_class.from_code(environment, code, merged, lambda: True)

    def compile(self, environment: Any, name: str) -> Any:
        """The code of template ``name`` (not cached here); raises its syntax error."""
        return self.shape_compiler(environment).compile(self.sources[name], name)

    def shape_compiler(self, environment: Any) -> Any:
        """The ``shapes.ShapeCompiler`` of this render (made, and imported, on first use)."""
        if self.compiler is None:
            from pyhelm.render.shapes import ShapeCompiler

            self.compiler = ShapeCompiler(environment)
        return self.compiler


class ChartScope:
    """One chart of the tree: its objects, its helpers' macros, the shared depth counter."""

    def __init__(
        self, prefix: str, chart_name: str, objects: dict[str, Any], env: RenderEnv
    ) -> None:
        self.prefix = prefix  # "nginx" or "parent/charts/sub"
        self.chart_name = chart_name
        self.objects = objects
        self.env = env
        self.helpers: list[str] = []  # names of this chart's `_*` templates
        self._macros: dict[str, Macro] | None = None
        self._found: dict[str, Macro] = {}  # include name -> macro, once looked up
        self.tpl_cache: dict[str, Any] = {}

    def globals_for(self, name: str) -> dict[str, Any]:
        template = {"Name": name, "BasePath": name.rsplit("/", 1)[0]}
        ctx = {**self.objects, "Template": template}
        return {**ctx, "ctx": ctx, "_pyhelm": self}

    def macros(self) -> dict[str, Macro]:
        """This chart's helper macros by name (helpers loaded on first use)."""
        if self._macros is None:
            self._macros = {}
            for helper in self.helpers:
                module = self.env.jinja.get_template(helper).module
                for key in dir(module):
                    value = getattr(module, key)
                    if isinstance(value, Macro):
                        self._macros[key] = value
        return self._macros

    def find_macro(self, name: str) -> Macro:
        """``include``'s lookup: ``"chart.macro"`` in that chart, else ``macro`` in this chart."""
        found = self._found.get(name)
        if found is None:
            found = self._found[name] = self._lookup_macro(name)
        return found

    def _lookup_macro(self, name: str) -> Macro:
        chart, dot, rest = name.partition(".")
        candidates: list[tuple[ChartScope, str]] = [(self, _macro_name(name))]
        if dot:
            candidates = (
                [(s, _macro_name(rest)) for s in self.env.scopes_named(chart)]
                + [(self, _macro_name(rest))]
                + candidates
            )
        for scope, macro_name in candidates:
            macro = scope.macros().get(macro_name)
            if macro is not None:
                return macro
        raise RenderError(
            f"include: no named template {name!r} in chart {self.chart_name!r}: define "
            f"{{% macro {candidates[0][1]}(ctx) %}} in a templates/_*.tpl file"
        )


class RenderEnv:
    """The Jinja2 environment of one render, with its loader and chart scopes."""

    def __init__(
        self, lookup: Callable[[str, str, str, str], dict[str, Any]] | None, code_cache: CodeCache
    ) -> None:
        self.loader = ChartLoader(code_cache)
        self.lookup = lookup
        self.depth = 0
        self.scopes: list[ChartScope] = []
        self.jinja = ChartEnvironment(
            loader=self.loader,
            undefined=HelmUndefined,
            finalize=_finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=-1,
            optimized=False,  # the optimizer's folding costs more compile time than it saves
        )
        self._install_functions()

    def add_chart(self, prefix: str, chart_name: str, objects: dict[str, Any]) -> ChartScope:
        scope = ChartScope(prefix, chart_name, objects, self)
        self.scopes.append(scope)
        return scope

    def scopes_named(self, chart_name: str) -> list[ChartScope]:
        return [s for s in self.scopes if s.chart_name == chart_name]

    def _install_functions(self) -> None:
        env = self.jinja
        for name, function in functions.FUNCTIONS.items():
            env.globals[name] = function
            if name not in functions.KEEP_JINJA_FILTERS:
                env.filters[name] = functions.as_filter(function)
        env.filters["default"] = env.filters["d"] = functions.default_filter
        env.globals.update(include=_include, tpl=_tpl, lookup=self._lookup)

    def _lookup(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        """Helm's ``lookup``: ``{}`` when rendering offline (as ``helm template``)."""
        if self.lookup is None:
            return {}
        return self.lookup(api_version, kind, namespace, name) or {}

    def descend(self, what: str, name: str | None = None) -> None:
        """Go one include/tpl level deeper (the caller comes back up with ``depth -= 1`` when
        done); refuse past ``MAX_DEPTH``. ``what`` and ``name`` (of an include) only name the
        call in that error. Not a wrapper around the call: ``include`` runs for every helper
        call of every template, and a wrapper's frame costs ~7% of it."""
        if self.depth >= MAX_DEPTH:
            label = what if name is None else f"{what} {name!r}"
            raise RenderError(
                f"{label}: include/tpl nested more than {MAX_DEPTH} levels deep "
                "(a named template that includes itself?)"
            )
        self.depth += 1


def _macro_name(name: str) -> str:
    return name.replace("-", "_").replace(".", "_")


def _scope(context: Context) -> ChartScope:
    scope = context.resolve_or_missing("_pyhelm")
    if not isinstance(scope, ChartScope):
        raise SandboxError("include/tpl used outside a chart template")
    return scope


@pass_context
def _include(context: Context, name: str, *args: Any, **kwargs: Any) -> str:
    """Render the named helper macro and return its text (Helm's ``include``)."""
    scope = _scope(context)
    macro = scope.find_macro(str(name))
    if not macro.catch_varargs:
        args = args[: len(macro.arguments)]
    env = scope.env
    env.descend("include", name)
    try:
        if _plain_call(macro, args, kwargs):
            return str(macro._func(*args))  # what Macro.__call__ comes to for such a call
        return str(macro(*args, **kwargs))
    finally:
        env.depth -= 1


def _plain_call(macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """A call that fills every argument of ``macro`` by position, and nothing else: Jinja2's
    ``Macro.__call__`` then only hands the arguments on (no autoescape here)."""
    return (
        not kwargs
        and len(args) == getattr(macro, "_argument_count", -1)
        and hasattr(macro, "_func")
        and not (macro.caller or macro.catch_kwargs or macro.catch_varargs)
    )


@pass_context
def _tpl(context: Context, text: Any, values: Any = None) -> str:
    """Render ``text`` as a template of the calling chart (Helm's ``tpl``)."""
    scope = _scope(context)
    source = functions.gostr(text)
    template = scope.tpl_cache.get(source)
    if template is None:
        template = scope.env.jinja.from_string(
            source, globals=scope.globals_for(context.name or "")
        )
        scope.tpl_cache[source] = template
    variables = values if isinstance(values, dict) else {}
    env = scope.env
    env.descend("tpl")
    try:
        return template.render(variables)
    finally:
        env.depth -= 1
