"""栏目 (columns): discovery, classification, list items and dates from already-fetched pages.

The orchestration sets ``view.columns = discover_columns(view, as_of)`` before checks run; the crawl uses
:class:`~govinspect.columns.plan.ColumnPlan` to fetch homepage → columns → list pages → newest items first.
"""

from govinspect.columns.discover import discover_columns, homepage_facts
from govinspect.columns.model import Category, Column, ColumnSource, DateSource, ListItem

__all__ = ["Category", "Column", "ColumnSource", "DateSource", "ListItem", "discover_columns", "homepage_facts"]
