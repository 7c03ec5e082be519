"""The report's input model (defined in the store layer, which builds it): see
``claimtrack.store.report_data``."""

from claimtrack.store.report_data import (
    ReportArticle,
    ReportClaim,
    ReportData,
    ReportLink,
    ReportSource,
)

__all__ = ["ReportArticle", "ReportClaim", "ReportData", "ReportLink", "ReportSource"]
