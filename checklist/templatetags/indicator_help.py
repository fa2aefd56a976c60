from django import template

from checklist.help import indicator_links as link_codes

register = template.Library()


@register.filter
def indicator_links(text):
    """Help text with its indicator codes linked to /method/ (checklist/help.py)."""
    return link_codes(text)
