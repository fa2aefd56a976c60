"""Reading the charts a page sends: each figure travels as JSON (templates/includes/chart.html)."""

import json
import re


def page_figure(page_html: str, div_id: str) -> dict:
    """The figure (data, layout) that static/js/charts.js draws into the div `div_id`."""
    assert f'id="{div_id}" data-figure="{div_id}-figure"' in page_html, div_id
    found = re.search(
        rf'<script id="{div_id}-figure" type="application/json">(.*?)</script>', page_html, re.S
    )
    assert found, f"no figure data for {div_id}"
    return json.loads(found.group(1))  # json_script escapes < > & as \\u003C...
