"""The report's page furniture shared by every HTML page spinscope writes: assets, CSP, Jinja.

The article report, the side-by-side comparison (and any later page, such
as the web app's) take their stylesheet, script, Content-Security-Policy
and autoescaping Jinja environment from here, so none can drift from the
others.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

__all__ = ["asset", "content_security_policy", "jinja_env", "report_script"]


@cache
def asset(name: str) -> str:
    """A file of the report's ``templates/`` (stylesheet, script), as text; read once."""
    return resources.files("spinscope.report").joinpath("templates", name).read_text(encoding="utf-8")


def report_script() -> str:
    """The report's one inline script, exactly as the page embeds it."""
    return asset("report.js")


def content_security_policy() -> str:
    """No network loads at all; inline styles; only our own script, pinned by its hash.

    ``'unsafe-inline'`` is for browsers that predate script hashes; every
    browser that knows hashes ignores it once a hash is listed.
    """
    digest = base64.b64encode(hashlib.sha256(report_script().encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}' 'unsafe-inline'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def jinja_env(package: str) -> Environment:
    """A Jinja environment over ``package``'s ``templates/`` with every HTML safety setting on.

    Every page spinscope writes uses one of these, so no template can be
    loaded with autoescape off.
    """
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,  # every template, whatever its file name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
