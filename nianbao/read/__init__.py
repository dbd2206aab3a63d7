"""Step 1, read: a content file to text, front matter and a stream of cells.

Files are opened safely (:mod:`.files`: regular files inside content/ only),
chosen a reader by their suffix (:mod:`.registry`: PDF, HTML, DOCX, text),
decoded (:mod:`.decode`), their front matter and crawler header split off
(:mod:`.frontmatter`), and the text cut into tokens (:mod:`.tokens`).  Every
reader of a binary or markup format works within the build's limits
(:mod:`.limits`, and in a child process: :mod:`.sandbox`) and ends in the same text with tab-separated table rows.
"""

from .files import Refused, read_regular
from .reader import read_source
from .registry import READERS, reader_for
from .sandbox import keep_child
from .source import ReadError, Source, Token
from .tokens import parse_number, tokenize

__all__ = [
    "READERS",
    "ReadError",
    "Refused",
    "Source",
    "Token",
    "keep_child",
    "parse_number",
    "read_regular",
    "read_source",
    "reader_for",
    "tokenize",
]
