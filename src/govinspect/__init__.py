"""govinspect: inspect government websites and new-media accounts (政府网站与政务新媒体检查)."""

__version__ = "0.1.0"
