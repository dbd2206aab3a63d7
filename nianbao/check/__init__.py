"""Step 3, check: the template's own arithmetic (勾稽关系) and the prose
against the tables, for one report (:mod:`.report`), and what only several
reports show: an agency's consecutive years, a region and its departments
(:mod:`.crosscheck`).  Every result is a finding on the report."""

from .crosscheck import crosscheck, flag_duplicates
from .report import CHECK_NAMES, check, passes_arithmetic

__all__ = ["CHECK_NAMES", "check", "crosscheck", "flag_duplicates", "passes_arithmetic"]
