"""The step forms' help names checklist indicators by code ("Feeds 1a (producers), 4b ...");
each code links to its explanation on /method/ (issue 9), whatever form or field says it.

`link_help_texts(STEP_FORMS)` runs once when checklist/forms.py is imported, so a question
added to any step form gets the links without asking; the step intros take the template
filter `indicator_links` (checklist/templatetags/indicator_help.py)."""

import re

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.safestring import SafeString

from clusterdx.html import linked_terms
from engine import criteria

# A point's number and a letter, standing alone: "4c" in "Feeds 4c and 6b", not in "4cm".
CODE = re.compile(r"(?<![\w-])[1-8][a-z](?![\w-])")


def _method_anchor(code: str) -> tuple[str, str] | None:
    indicator = next((i for i in criteria.INDICATORS if i.code == code), None)
    if indicator is None:
        return None
    return f"{reverse('checklist:method')}#indicator-{code}", f"{code}: {indicator.name}"


def indicator_links(text: str) -> SafeString:
    """`text` escaped, with every indicator code in it linked to its row on /method/."""
    return linked_terms(text, CODE, _method_anchor)


# Evaluated when a page renders (URLs are not resolvable while the forms are imported). Crispy
# marks help text safe as it is; this one is escaped text with links built by format_html.
_lazy_indicator_links = lazy(indicator_links, SafeString)


def linked_help_text(text: str):
    """Help text with its indicator codes linked, for help a form writes in its __init__
    (which link_help_texts, reading the classes' fields, does not see)."""
    return _lazy_indicator_links(text)


def link_help_texts(step_forms) -> None:
    """Give every field of every step form (and of its list's row form) linked help text."""
    for form_class, formset_class in step_forms.values():
        for cls in (form_class, getattr(formset_class, "form", None)):
            for field in getattr(cls, "base_fields", {}).values():
                if field.help_text and not hasattr(field.help_text, "__html__"):
                    field.help_text = _lazy_indicator_links(str(field.help_text))
