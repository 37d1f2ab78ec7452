"""The web dashboard (FastAPI): inspectors of a provincial office and site operators see runs, sites,
findings with evidence, 找错 messages and rectification, each within their own scope.

Build the application with :func:`create_app` (imported lazily, so the tables module can be imported by
the store without loading the web framework).
"""

from __future__ import annotations

from typing import Any


def create_app(settings: Any) -> Any:
    """See :func:`govinspect.web.app.create_app`."""
    from govinspect.web.app import create_app as build

    return build(settings)


__all__ = ["create_app"]
