"""`{% lazy_panel %}`: a person-page panel that another view serves, as a placeholder htmx fills.

htmx fetches the panel once the page has loaded and swaps it in; without
JavaScript the link opens it on a page of its own. Written in Python: the
person page has one per panel, and through an included template each cost
about 60 µs of every visit.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from ..fixed_urls import fixed_url

register = template.Library()


@register.simple_tag
def lazy_panel(panel_id: str, url_name: str, pk: int, title: str, extra_class: str = "") -> SafeString:
    """`<section id=panel_id>` loading `url_name` (with the person's `pk`) on `load`, titled `title`."""
    url = fixed_url(url_name, pk)
    return format_html(
        '<section id="{id}" class="card panel-pending {extra}" aria-labelledby="{id}-title" aria-busy="true"\n'
        '         hx-get="{url}" hx-trigger="load" hx-swap="outerHTML">\n'
        '  <h2 id="{id}-title">{title}</h2>\n'
        '  <p class="muted"><a href="{url}">{show}</a></p>\n'
        "</section>\n",
        id=panel_id,
        extra=extra_class,
        url=url,
        title=title,
        show=gettext("Show %(title)s") % {"title": title},
    )
