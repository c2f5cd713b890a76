"""Articles: front matter, body and every problem with its line (pipeline/articles.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline._errors import InputError
from pipeline.articles import parse_article, read_article, read_articles

ROOT = Path(__file__).resolve().parents[1]
DATA = "tests/data/articles"
TODAY = dt.date(2020, 1, 1)


def make_article_bytes(body: str = "Les forces ont pris Qadi Askar.\n", **front: str) -> bytes:
    """The bytes of an article file: front matter from keywords, then the body."""
    front = {"published": "2016-12-05", **front}
    header = "".join(f"{key}: {value}\n" for key, value in front.items() if value is not None)
    return f"---\n{header}---\n{body}".encode()


def problems_of(data: bytes, path: str = "seeds/a.txt") -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_article(data, path=path, today=TODAY)
    return [str(p) for p in caught.value.problems]


@pytest.fixture(autouse=True)
def _in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    # the fixtures are named by paths relative to the project, as the CLI names them
    monkeypatch.chdir(ROOT)


def test_a_folder_of_articles_sorted_by_file_name() -> None:
    articles = read_articles(f"{DATA}/good")
    # README.md, corrections.yaml and hidden files are not articles
    assert [a.id for a in articles] == ["001_alpha", "002_beta"]
    alpha, beta = articles
    assert alpha.path == f"{DATA}/good/001_alpha.txt"
    assert alpha.published == dt.date(2016, 12, 5)
    assert (alpha.source, alpha.title, alpha.url, alpha.lang) == ("AFP", "Qadi Askar", None, "fr")
    assert alpha.body_line == 6
    assert alpha.text.startswith("Les forces du président ont pris")
    assert alpha.sha256 == hashlib.sha256(Path(alpha.path).read_bytes()).hexdigest()
    # a BOM is dropped silently, CRLF become LF
    assert (beta.lang, beta.url) == ("en", "https://example.org/a")
    assert beta.text == "Government forces took half of Bustan al-Basha.\n"
    assert beta.body_line == 6


def test_every_problem_of_every_file_at_once() -> None:
    with pytest.raises(InputError) as caught:
        read_articles(f"{DATA}/bad", today=TODAY)
    bad = f"{DATA}/bad"
    assert [str(p) for p in caught.value.problems] == [
        f"{bad}/01_no_front_matter.txt:1: no front matter: the file must begin with a '---' line, "
        "then 'published: YYYY-MM-DD', then '---'",
        f"{bad}/02_no_published.txt:2: published is missing (found 'date': rename it 'published'): "
        "write 'published: YYYY-MM-DD'",
        f"{bad}/03_bad_format.txt:3: published must be an ISO date YYYY-MM-DD, got '05/12/2016'",
        f"{bad}/04_impossible.txt:2: published is not a real date: '2016-02-30'",
        f"{bad}/05_future.txt:2: published 2999-01-01 is in the future (today is 2020-01-01)",
        f"{bad}/06_latin1.txt:4: not valid UTF-8: byte 0xe9 at offset 45 (save the file as UTF-8)",
        f"{bad}/07_empty.txt:4: the article has no text after its front matter",
        f"{bad}/08_unclosed.txt:1: the front matter is not closed: no '---' line after line 1",
        f"{bad}/09_bad_yaml.txt:4: invalid YAML: did not find expected ',' or ']', while parsing "
        "a flow sequence that starts at line 3",
        f"{bad}/10_utf16.txt:1: the file is UTF-16: save it as UTF-8",
    ]


def test_a_folder_without_articles() -> None:
    with pytest.raises(InputError) as caught:
        read_articles(f"{DATA}/empty")
    assert [str(p) for p in caught.value.problems] == [
        f"{DATA}/empty:1: no articles in the seeds folder (files *.txt or *.md)"
    ]


def test_a_missing_folder_and_a_file_for_a_folder() -> None:
    with pytest.raises(InputError) as caught:
        read_articles(f"{DATA}/missing")
    assert [str(p) for p in caught.value.problems] == [f"{DATA}/missing:1: seeds folder not found"]
    with pytest.raises(InputError) as caught:
        read_articles(f"{DATA}/good/001_alpha.txt")
    assert [str(p) for p in caught.value.problems] == [
        f"{DATA}/good/001_alpha.txt:1: is not a folder of articles"
    ]


def test_two_files_with_one_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(make_article_bytes())
    (tmp_path / "a.md").write_bytes(make_article_bytes())
    with pytest.raises(InputError) as caught:
        read_articles(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path}/a.txt:1: article id 'a' is also the id of 'a.md': rename one of them"
    ]


def test_a_file_too_large_is_not_read(tmp_path: Path) -> None:
    # 50 MB without writing them: a sparse file
    path = tmp_path / "big.txt"
    with path.open("wb") as file:
        file.write(make_article_bytes())
        file.truncate(50_000_000)
    with pytest.raises(InputError) as caught:
        read_article(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: the file is 50 MB, larger than the 20 MB limit for an article"
    ]
    small = tmp_path / "small.txt"
    small.write_bytes(make_article_bytes(body="Alep. " * 400))
    with pytest.raises(InputError) as caught:
        read_article(small, max_bytes=1000)
    assert [str(p) for p in caught.value.problems] == [
        f"{small}:1: the file is 2.4 kB, larger than the 1 kB limit for an article"
    ]


def test_an_unreadable_file(tmp_path: Path) -> None:
    # a folder named like an article cannot be read as one (root reads any file)
    (tmp_path / "x.txt").mkdir()
    with pytest.raises(InputError) as caught:
        read_article(tmp_path / "x.txt")
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path}/x.txt:1: cannot read the file: Is a directory"
    ]
    with pytest.raises(InputError) as caught:
        read_article(tmp_path / "none.txt")
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path}/none.txt:1: file not found"]


def test_front_matter_fields() -> None:
    data = make_article_bytes(source="AFP", title="2016", lang="fr-FR")
    article = parse_article(data, path="seeds/003_x.txt", today=TODAY)
    assert (article.id, article.source, article.title) == ("003_x", "AFP", "2016")
    assert article.lang == "fr-FR"
    assert problems_of(make_article_bytes(lang="français")) == [
        "seeds/a.txt:3: lang must be a language code such as 'fr', got 'français'"
    ]
    assert problems_of(make_article_bytes(url="[1, 2]")) == [
        "seeds/a.txt:3: url must be a string, got [1, 2]"
    ]


def test_a_misspelt_published_is_named() -> None:
    data = b"---\npublised: 2016-12-05\n---\nTexte.\n"
    assert problems_of(data) == [
        "seeds/a.txt:2: published is missing (found 'publised': is it a misspelling?): "
        "write 'published: YYYY-MM-DD'"
    ]


def test_front_matter_that_is_not_a_mapping() -> None:
    assert problems_of(b"---\n- 2016-12-05\n---\nTexte.\n") == [
        "seeds/a.txt:2: the front matter must be keys and values (published: ...), "
        "got ['2016-12-05']"
    ]
    assert problems_of(b"---\n---\nTexte.\n") == [
        "seeds/a.txt:1: the front matter is empty: the file must begin with a '---' line, then "
        "'published: YYYY-MM-DD', then '---'"
    ]


def test_today_is_not_the_future() -> None:
    article = parse_article(make_article_bytes(published="2020-01-01"), path="a.txt", today=TODAY)
    assert article.published == TODAY


def test_the_body_keeps_its_text_and_line() -> None:
    data = b"---\npublished: 2016-12-05\nsource: AFP\n---\n\nLigne un.\nLigne deux.\n"
    article = parse_article(data, path="a.txt", today=TODAY)
    assert article.body_line == 5
    assert article.text == "\nLigne un.\nLigne deux.\n"


# the reader of any bytes at all: an Article or an InputError, nothing else
@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: ("---\n" + t).encode("utf-8", "surrogatepass")),
        st.tuples(
            st.sampled_from(["published", "source", "title", "lang", "url", "date", ""]),
            st.text(max_size=30),
            st.text(max_size=40),
        ).map(lambda f: f"---\n{f[0]}: {f[1]}\n---\n{f[2]}".encode("utf-8", "surrogatepass")),
    )
)
def test_any_bytes_give_an_article_or_an_input_error(data: bytes) -> None:
    try:
        article = parse_article(data, path="seeds/x.txt", today=TODAY)
    except InputError as error:
        assert error.problems
        assert all(p.path == "seeds/x.txt" and p.line >= 1 for p in error.problems)
    else:
        assert article.published <= TODAY
        assert article.text.strip()
