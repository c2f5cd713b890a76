"""Articles: the seed files, one UTF-8 text each, opened by YAML front matter.

```
---
published: 2016-12-05        # required: the date "jeudi" and "hier" are counted from
source: AFP                  # optional, like title, url and lang (default fr)
---
Les forces du président ...
```

``read_articles`` reads every ``*.txt`` and ``*.md`` of a folder, in file-name order, and
reports the problems of all files at once, each as ``path:line: message``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import stat
from pathlib import Path

from pipeline._errors import InputError, Problem
from pipeline._yamlio import Fields, decode_utf8, parse_yaml, show
from pipeline.model import Article

# an article larger than this is refused (a runaway export, not a news report)
MAX_ARTICLE_BYTES = 20_000_000
ARTICLE_SUFFIXES = (".txt", ".md")
FRONT_MATTER_KEYS = ("published", "source", "title", "url", "lang")
DEFAULT_LANG = "fr"
# ids the outputs give to evidence that is not an article (the baseline, the editor's
# corrections): an article may not take them
RESERVED_IDS = ("baseline", "correction", "corrections")

_FENCE = "---"
_CLOSING_FENCES = ("---", "...")
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_FRONT_MATTER_HELP = (
    "the file must begin with a '---' line, then 'published: YYYY-MM-DD', then '---'"
)


def read_articles(
    seeds_dir: str | Path, *, today: dt.date | None = None, max_bytes: int = MAX_ARTICLE_BYTES
) -> list[Article]:
    """Every article of a folder, sorted by file name; raises ``InputError`` with every
    problem of every file."""
    folder = str(seeds_dir)
    problems: list[Problem] = []
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        raise InputError([Problem(folder, 1, "seeds folder not found")]) from None
    except NotADirectoryError:
        raise InputError([Problem(folder, 1, "is not a folder of articles")]) from None
    except OSError as error:
        msg = f"cannot read the seeds folder: {error.strerror or error}"
        raise InputError([Problem(folder, 1, msg)]) from None

    articles: list[Article] = []
    ids: dict[str, str] = {}
    for name in names:
        path = os.path.join(folder, name)
        if not is_article_file(path):
            continue
        article_id = Path(name).stem
        if article_id in ids:
            other = ids[article_id]
            msg = f"article id {article_id!r} is also the id of {other!r}: rename one of them"
            problems.append(Problem(path, 1, msg))
            continue
        ids[article_id] = name
        if article_id.lower() in RESERVED_IDS:
            msg = (
                f"article id {article_id!r} is reserved for the evidence the pipeline makes "
                f"itself ({', '.join(RESERVED_IDS)}): rename the file"
            )
            problems.append(Problem(path, 1, msg))
            continue
        try:
            articles.append(read_article(path, today=today, max_bytes=max_bytes))
        except InputError as error:
            problems.extend(error.problems)
    if not ids:
        problems.append(Problem(folder, 1, "no articles in the seeds folder (files *.txt or *.md)"))
    if problems:
        raise InputError(problems)
    return articles


def is_article_file(path: str | Path) -> bool:
    """Named like an article: ``*.txt`` or ``*.md``, not hidden, not a README.

    The name decides, not what stands there: a folder, a broken link or a pipe named like an
    article is a problem to report (``read_article``), not a file to skip in silence.
    """
    return is_article_name(os.path.basename(path)) and os.path.lexists(path)


def is_article_name(name: str) -> bool:
    """``is_article_file`` for a name in a folder listing (no look at the file)."""
    stem, suffix = os.path.splitext(name)
    return (
        suffix.lower() in ARTICLE_SUFFIXES
        and not name.startswith(".")
        and stem.lower() != "readme"
    )


def list_article_ids(seeds_dir: str | Path) -> set[str]:
    """The ids of the files named like articles in a folder, readable or not (none if the
    folder cannot be listed): what a correction may name even when an article is broken."""
    try:
        names = os.listdir(seeds_dir)
    except OSError:
        return set()
    return {Path(n).stem for n in names if is_article_file(os.path.join(seeds_dir, n))}


def read_article(
    path: str | Path, *, today: dt.date | None = None, max_bytes: int = MAX_ARTICLE_BYTES
) -> Article:
    """One article file; raises ``InputError`` with every problem it has."""
    where = str(path)
    try:
        status = os.stat(where)
        # a pipe or a device would block the read or never end: only files and folders
        # (whose read fails with a clear reason) go further
        if not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
            raise InputError([Problem(where, 1, "cannot read the file: it is not a regular file")])
        size = status.st_size
        if size > max_bytes:
            msg = (
                f"the file is {_size(size)}, larger than the {_size(max_bytes)} limit "
                "for an article"
            )
            raise InputError([Problem(where, 1, msg)])
        data = Path(where).read_bytes()
    except FileNotFoundError:
        if os.path.islink(where):
            target = os.readlink(where)
            msg = f"cannot read the file: it is a link to {target!r}, which does not exist"
            raise InputError([Problem(where, 1, msg)]) from None
        raise InputError([Problem(where, 1, "file not found")]) from None
    except OSError as error:
        msg = f"cannot read the file: {error.strerror or error}"
        raise InputError([Problem(where, 1, msg)]) from None
    return parse_article(data, path=where, today=today)


def parse_article(data: bytes, *, path: str, today: dt.date | None = None) -> Article:
    """An article from the bytes of its file; raises ``InputError`` (and nothing else)."""
    problems: list[Problem] = []
    if data.startswith(_UTF16_BOMS):
        raise InputError([Problem(path, 1, "the file is UTF-16: save it as UTF-8")])
    text = decode_utf8(data, path=path, problems=problems)
    if text is None:
        raise InputError(problems)
    if not text.strip():
        raise InputError([Problem(path, 1, f"the file is empty: {_FRONT_MATTER_HELP}")])
    # lines end at "\n" only, as editors count them ("\r" stays, stripped where it matters)
    lines = text.split("\n")

    # the front matter: between a first line '---' and the next '---' (or '...')
    if lines[0].rstrip() != _FENCE:
        raise InputError([Problem(path, 1, f"no front matter: {_FRONT_MATTER_HELP}")])
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in _CLOSING_FENCES), None)
    if closing is None:
        msg = "the front matter is not closed: no '---' line after line 1"
        raise InputError([Problem(path, 1, msg)])
    header, header_problems = parse_yaml("\n".join(lines[1:closing]), path=path, first_line=2)
    problems.extend(header_problems)
    if header is None and not header_problems:
        problems.append(Problem(path, 1, f"the front matter is empty: {_FRONT_MATTER_HELP}"))
    elif header is not None and not isinstance(header, dict):
        msg = f"the front matter must be keys and values (published: ...), got {show(header)}"
        problems.append(Problem(path, 2, msg))

    mapping = header if isinstance(header, dict) else {}
    fields = Fields(mapping, path=path, problems=problems, line=1)
    published = None
    if isinstance(header, dict):
        published = read_published(fields, today=today or dt.date.today())
    source = fields.text("source", scalar=True)
    title = fields.text("title", scalar=True)
    url = fields.text("url")
    lang = fields.text("lang") or DEFAULT_LANG
    if not _LANG.match(lang):
        fields.add("lang", f"must be a language code such as 'fr', got {show(lang)}")

    # the body: everything after the closing line
    body_line = closing + 2
    body = "\n".join(lines[closing + 1 :]).replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        msg = "the article has no text after its front matter"
        problems.append(Problem(path, min(body_line, len(lines)), msg))
    if problems or published is None:
        raise InputError(problems)
    return Article(
        id=Path(path).stem,
        path=path,
        published=published,
        text=body,
        body_line=body_line,
        source=source,
        title=title,
        url=url,
        lang=lang,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def read_published(fields: Fields, *, today: dt.date) -> dt.date | None:
    """The ``published`` date: present, ISO, on the calendar, and not after ``today``."""
    if not fields.has("published"):
        others = [str(key) for key in fields.mapping if key not in FRONT_MATTER_KEYS]
        close = difflib.get_close_matches("published", others, n=1, cutoff=0.6)
        hint = f" (found {close[0]!r}: is it a misspelling?)" if close else ""
        if not close and "date" in fields.mapping:
            hint = " (found 'date': rename it 'published')"
        fields.add("published", f"is missing{hint}: write 'published: YYYY-MM-DD'")
        return None
    published = fields.date("published")
    if published is not None and published > today:
        msg = f"{published.isoformat()} is in the future (today is {today.isoformat()})"
        fields.add("published", msg)
        return None
    return published


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1e6:.1f} MB".replace(".0 MB", " MB")
    return f"{count / 1e3:.1f} kB".replace(".0 kB", " kB")
