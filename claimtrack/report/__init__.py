"""The credibility report and the exports: pure renderers of a ``ReportData`` snapshot."""

from claimtrack.report.data import (
    ReportArticle,
    ReportClaim,
    ReportData,
    ReportLink,
    ReportSource,
)
from claimtrack.report.export import export_claimreview, export_dict, export_json
from claimtrack.report.markdown import render_markdown

__all__ = [
    "ReportArticle",
    "ReportClaim",
    "ReportData",
    "ReportLink",
    "ReportSource",
    "export_claimreview",
    "export_dict",
    "export_json",
    "render_markdown",
]
