"""Serve plotly.js from the installed plotly package instead of a committed copy or a CDN."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_JS_NAME = "plotly.min.js"
STATIC_PREFIX = "vendor/plotly"


class PlotlyFinder(BaseFinder):
    """Exposes plotly/package_data/plotly.min.js as static file vendor/plotly/plotly.min.js."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_JS_DIR))
        self.storage.prefix = STATIC_PREFIX

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == f"{STATIC_PREFIX}/{PLOTLY_JS_NAME}":
            match = str(PLOTLY_JS_DIR / PLOTLY_JS_NAME)
            return [match] if find_all else match
        return [] if find_all else None

    def list(self, ignore_patterns):
        yield PLOTLY_JS_NAME, self.storage
