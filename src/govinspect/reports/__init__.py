"""⑦ Reports: findings.jsonl, scores.csv, report.xlsx and report.html from one :class:`ReportContext`."""

from govinspect.reports.context import ReportContext, ReportError, build_context
from govinspect.reports.writer import OUTPUT_NAMES, write_outputs

__all__ = ["OUTPUT_NAMES", "ReportContext", "ReportError", "build_context", "write_outputs"]
