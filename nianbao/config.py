"""One configuration for a build, validated once: where the site is
published, what it may cost, which languages it speaks, where to report an
error.

``Config()`` is the default a plain ``python build.py`` uses; the command
line and :func:`nianbao.build` make one with :meth:`Config.make`, which
checks every value and says in plain words what is wrong.  The limits are
read by the readers (:mod:`nianbao.read`) from :data:`LIMITS`, the limits of
the build that is running.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "http://localhost:8000/"
# The project's own folders, beside the package: the pages' templates and the tables' schemas.
PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = PROJECT_DIR / "templates"
SCHEMA_DIR = PROJECT_DIR / "schemas"
MB = 1024 * 1024


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Limits:
    """What one content file may cost (each is checked before the work it bounds)."""

    text_bytes: int = 10 * MB  # a text report on disk
    binary_bytes: int = 100 * MB  # a PDF or DOCX on disk
    front_matter_chars: int = 16 * 1024
    docx_uncompressed: int = 64 * MB  # all parts of a .docx unzipped
    docx_document_xml: int = 24 * MB
    docx_entries: int = 2000
    docx_elements: int = 200_000  # paragraphs, rows and cells
    html_tags: int = 200_000
    pdf_pages: int = 500
    pdf_inflated: int = 256 * MB  # all Flate streams of a PDF inflated
    seconds: int = 60  # one reader, wall clock
    ocr_page_seconds: int = 12  # and this much more for each page a scan has to be recognised (~3.5 s)
    ocr_pages: int = (
        40  # a scan longer than this is not recognised (one file may not hold the build for long)
    )
    ocr_memory: int = 3072 * MB  # the OCR models map ~1.7 GB of address space
    memory: int = 1536 * MB  # one reader, above what the process maps already

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"limit {name} must be a positive whole number, not {value!r}")


@dataclass(frozen=True)
class Config:
    base_url: str = DEFAULT_BASE_URL  # where the site is published: sitemap, feed, catalogue, 404
    strict: bool = False  # fail (exit 1, site untouched) on any error finding or unreadable file
    incremental: bool = True  # reuse what did not change (.site.cache beside the output)
    languages: tuple[str, ...] = ("zh", "en")
    repository: str = ""  # https address of the repository the site is built from ("report an error")
    search: bool = True  # build the full-text search index (Pagefind); off for quick previews
    limits: Limits = field(default_factory=Limits)
    # Below this many files, starting worker processes costs more than it saves.
    parallel_min: int = 40
    # The home page lists every report up to this many; beyond, each year's
    # page lists its own (those pages are always there): an 8 MB home page at
    # 10,000 reports helps no reader, and an edit rewrites one year's list.
    home_list_max: int = 1000
    # GitHub Pages publishes at most 1 GB; the summary warns from this share of it.
    size_budget: int = 1024**3
    size_warning: float = 0.8

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"base URL must be an http(s) address, not {self.base_url!r}")
        if not self.base_url.endswith("/"):
            object.__setattr__(self, "base_url", self.base_url + "/")
        if self.repository and urlsplit(self.repository).scheme != "https":
            raise ConfigError(f"repository must be an https address, not {self.repository!r}")
        # One form for the links made from it (…/issues/new, …/commit/<id>).
        object.__setattr__(self, "repository", self.repository.rstrip("/"))
        if set(self.languages) - {"zh", "en"} or "zh" not in self.languages:
            raise ConfigError(f"languages must include zh and may add en, not {self.languages!r}")

    @classmethod
    def make(cls, base_url: str | None = None, **values: object) -> Config:
        """A config from the command line or the environment (NIANBAO_BASE_URL,
        NIANBAO_REPOSITORY, NIANBAO_SEARCH=0), with defaults for what is not given."""
        base = (base_url or os.environ.get("NIANBAO_BASE_URL") or DEFAULT_BASE_URL).strip()
        repository = str(values.pop("repository", "") or os.environ.get("NIANBAO_REPOSITORY", "")).strip()
        if "search" not in values and os.environ.get("NIANBAO_SEARCH", "1") == "0":
            values["search"] = False
        return cls(base_url=base, repository=repository, **values)  # type: ignore[arg-type]

    def but(self, **changes: object) -> Config:
        return replace(self, **changes)  # type: ignore[arg-type]


# The configuration of the build that is running, and its limits: set by
# :func:`activate` when a build starts, read by the stages (worker processes
# inherit them).
ACTIVE = Config()
LIMITS = ACTIVE.limits


def activate(chosen: Config) -> None:
    global ACTIVE, LIMITS
    ACTIVE, LIMITS = chosen, chosen.limits
