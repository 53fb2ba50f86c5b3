"""``report.html``: charts, equity by subgroup and the run manifest on one printable page.
Reads results only: may import profiles, io, matching and the public API (matplotlib draws)."""

from matcher.report._page import reason_kind, report_html

__all__ = ["reason_kind", "report_html"]
