{#
Named templates of <CHARTNAME>. Call one with include("<CHARTNAME>.fullname", ctx):
include finds the macro `fullname` in this chart's templates/_*.tpl files and
passes it ctx (the chart's Values, Release, Chart, ... in one mapping).
#}

{# The chart's name, at most 63 characters (Kubernetes name limit). #}
{% macro name(ctx) -%}
{{ (ctx.Values.nameOverride or ctx.Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{# A fully qualified app name: <release>-<chart>, unless the release name already holds the chart's. #}
{% macro fullname(ctx) -%}
{% set name = ctx.Values.nameOverride or ctx.Chart.Name %}
{% if ctx.Values.fullnameOverride %}
{{- ctx.Values.fullnameOverride | trunc(63) | trimSuffix("-") -}}
{% elif name in ctx.Release.Name %}
{{- ctx.Release.Name | trunc(63) | trimSuffix("-") -}}
{% else %}
{{- (ctx.Release.Name ~ "-" ~ name) | trunc(63) | trimSuffix("-") -}}
{% endif %}
{%- endmacro %}

{# The chart label: <name>-<version>. #}
{% macro chart(ctx) -%}
{{ (ctx.Chart.Name ~ "-" ~ ctx.Chart.Version) | replace("+", "_") | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{% macro selectorLabels(ctx) -%}
app.kubernetes.io/name: {{ include("<CHARTNAME>.name", ctx) }}
app.kubernetes.io/instance: {{ ctx.Release.Name }}
{%- endmacro %}

{% macro labels(ctx) -%}
helm.sh/chart: {{ include("<CHARTNAME>.chart", ctx) }}
{{ include("<CHARTNAME>.selectorLabels", ctx) }}
{% if ctx.Chart.AppVersion %}
app.kubernetes.io/version: {{ ctx.Chart.AppVersion | quote }}
{% endif %}
app.kubernetes.io/managed-by: {{ ctx.Release.Service }}
{%- endmacro %}

{# The ServiceAccount's name. #}
{% macro serviceAccountName(ctx) -%}
{% if ctx.Values.serviceAccount.create %}
{{- ctx.Values.serviceAccount.name | default(include("<CHARTNAME>.fullname", ctx)) -}}
{% else %}
{{- ctx.Values.serviceAccount.name | default("default") -}}
{% endif %}
{%- endmacro %}
