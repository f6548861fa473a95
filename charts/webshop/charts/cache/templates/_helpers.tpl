{# The subchart's own fullname: the same macro name as its parent's, its own meaning. #}
{% macro fullname(ctx) -%}
{{ ctx.Release.Name }}-cache
{%- endmacro %}
