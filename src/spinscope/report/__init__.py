"""Explainable reports of an Analysis: a self-contained HTML page and a terminal view.

Every renderer takes the versioned ``Analysis.to_dict()`` JSON, never Python
objects, so any other front end can do the same from ``spinscope analyze
--format json``. Modules: ``view`` (derived numbers and highlight segments,
no markup), ``html`` (Jinja templates, autoescaped), ``chart`` (the
technique-count SVG), and ``terminal`` (rich). The ``report`` command
lives in ``spinscope.cli``.

>>> from spinscope.report import render_report
>>> html = render_report([analysis.to_dict()])  # doctest: +SKIP
"""

from spinscope.report.assets import content_security_policy, report_script
from spinscope.report.html import render_index, render_report, write_report
from spinscope.report.terminal import print_analysis
from spinscope.report.view import density

__all__ = [
    "content_security_policy",
    "density",
    "print_analysis",
    "render_index",
    "render_report",
    "report_script",
    "write_report",
]
