"""nianbao (年报): China's government information disclosure annual reports as
checked, open data.

The pipeline, one package per stage, each importing only from the stages
below it and from the foundation::

    read     content file -> text, front matter, tokens      (nianbao.read)
    parse    tokens -> the template's tables and prose       (nianbao.parse)
    check    the template's arithmetic, as findings          (nianbao.check)
    publish  packages, downloads, pages, feeds, search       (nianbao.publish)
    site     the stages in order over a folder, into site/   (nianbao.site)

The foundation under them: the template as data (nianbao.template), the
objects that flow (nianbao.model), one configuration (nianbao.config), one
URL scheme (nianbao.urls), text helpers (nianbao.text), the template's
equations as a solver (nianbao.arithmetic), agencies (nianbao.catalog),
indicators (nianbao.indicators) and English labels (nianbao.i18n).
"""

from .check import check
from .config import Config
from .model import Cell, Finding, Problem, Report
from .parse import parse
from .read import read_source
from .site import Summary, build

__all__ = [
    "Cell",
    "Config",
    "Finding",
    "Problem",
    "Report",
    "Summary",
    "build",
    "check",
    "parse",
    "read_source",
]
