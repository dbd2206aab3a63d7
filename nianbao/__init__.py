"""nianbao (年报): China's government information disclosure annual reports as
checked, open data.

The pipeline, one module per step::

    read     content file -> text, front matter, tokens       (nianbao.read)
    parse    tokens -> the template's tables and prose        (nianbao.parse)
    check    the template's arithmetic, as findings           (nianbao.check, .crosscheck)
    package  Frictionless data packages and CSV               (nianbao.package)
             workbooks, JSON, zips                            (nianbao.downloads, .xlsx)
    render   Jinja pages, SVG charts                          (nianbao.render, .charts)
    portal   pages and files about many reports, catalogue    (nianbao.portal, .metadata)
    site     all of the above for a folder, into site/        (nianbao.site)

Derived indicators (nianbao.indicators), agencies (nianbao.catalog), the
data's changelog (nianbao.history) and English labels (nianbao.i18n) are
defined once and used by every step that needs them.

The template itself (rows, columns, codes, labels) is data, in
:mod:`nianbao.template`.
"""

from .check import check
from .model import Cell, Finding, Problem, Report
from .parse import parse
from .read import read_source
from .site import Summary, build

__all__ = ["Cell", "Finding", "Problem", "Report", "Summary", "build", "check", "parse", "read_source"]
