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

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

__all__ = ["asset", "content_security_policy", "jinja_env", "report_script"]


@cache
def asset(name: str) -> str:
    """A file of the report's ``templates/`` (stylesheet, script), as text; read once."""
    return resources.files("spinscope.report").joinpath("templates", name).read_text(encoding="utf-8")


def report_script() -> str:
    """The report's one inline script, exactly as the page embeds it."""
    return asset("report.js")


def content_security_policy(*, form_action: str = "'none'") -> str:
    """No network loads at all; inline styles; only our own script, pinned by its hash.

    ``'unsafe-inline'`` is for browsers that predate script hashes; every
    browser that knows hashes ignores it once a hash is listed.
    ``form_action``: where forms may submit; the files on disk have none
    (``'none'``), the web app's pages post to their own origin (``'self'``).
    """
    digest = base64.b64encode(hashlib.sha256(report_script().encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}' 'unsafe-inline'; "
        f"img-src data:; base-uri 'none'; form-action {form_action}"
    )


def jinja_env(*packages: str) -> Environment:
    """A Jinja environment over the ``templates/`` of ``packages`` with every HTML safety setting on.

    Every page spinscope writes uses one of these, so no template can be
    loaded with autoescape off. With several packages a template name is
    looked up in each in turn: the web app's pages extend and include the
    report's templates this way instead of copying them.
    """
    if not packages:
        raise TypeError("jinja_env() needs at least one package")
    return Environment(
        loader=ChoiceLoader([PackageLoader(package, "templates") for package in packages]),
        autoescape=True,  # every template, whatever its file name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
