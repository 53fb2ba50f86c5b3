"""``report.html``: charts, equity by subgroup and the run manifest, on one printable page.

Reads results (``matcher.matching``) and the public API; imports nothing from cli or service.
"""

from matcher.report._page import reason_kind, report_html

__all__ = ["reason_kind", "report_html"]
