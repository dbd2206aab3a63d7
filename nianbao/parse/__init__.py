"""Step 2, parse: a read source against the template.

Tables are found by their row labels, in template order, not by headings
(which reports drop or reword): :mod:`.requests` (三), :mod:`.reviews` (四),
:mod:`.proactive` (二).  A row's values are the numbers between its label and
the next row's label (:mod:`.textindex` finds labels however they are
wrapped); rows with too few numbers and digits run together are settled by
the template's arithmetic (:mod:`.digits`, :mod:`.resolve`).  Agency, year and
title come from :mod:`.metadata` and :mod:`.titles`, the prose from
:mod:`.prose`.
"""

from .report import choose_template, parse

__all__ = ["choose_template", "parse"]
