{# Named templates of webshop: include("webshop.fullname", ctx) #}
{% macro fullname(ctx) -%}
{{ (ctx.Release.Name ~ "-" ~ ctx.Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}

{% macro labels(ctx) -%}
app.kubernetes.io/name: {{ ctx.Chart.Name }}
app.kubernetes.io/instance: {{ ctx.Release.Name }}
app.kubernetes.io/managed-by: {{ ctx.Release.Service }}
environment: {{ ctx.Values.global.environment }}
{%- endmacro %}
