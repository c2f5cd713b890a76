"""The corpus runner: the claims of ``control.extract_claims``, through a cache, streamed, on
every core; and the gazetteer pass it rests on (the screen, then the exact matcher)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import make_claim
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_gazetteer import find_by_definition

from pipeline import corpus
from pipeline._errors import InputError
from pipeline.articles import read_articles
from pipeline.control import extract_claims, sort_claims
from pipeline.corpus import extract_corpus
from pipeline.gazetteer import Matcher, load_gazetteer
from pipeline.model import Gazetteer
from pipeline.normalize import WordScreen, starts_capital, tokenize

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DISPATCHES = ROOT / "tests" / "data" / "dispatches"

# a few sentences for synthetic articles: districts in several spellings, and none
SENTENCES = [
    "Les forces gouvernementales ont repris mardi le quartier de Qadi Askar, selon l'OSDH.",
    "De violents combats se déroulaient dans le quartier de Boustan al Bacha.",
    "L'émissaire de l'ONU a appelé à une trêve humanitaire depuis Genève.",
    "Les rebelles tiennent toujours Cheikh Saïd et une partie de Salaheddine.",
    "Des bombardements ont visé hier les quartiers de Kallassé et de Bab al-Nairab.",
    "Le froid et la pluie compliquent la situation des familles déplacées.",
    "L'armée encercle désormais le secteur de Chaar, dernier verrou avant la vieille ville.",
    "Plus de 30 000 personnes ont fui leurs maisons depuis le début du mois à Alep.",
]


def write_article(folder: Path, name: str, body: str, *, published: str = "2016-12-05") -> Path:
    """An article file in ``folder``, front matter and body."""
    path = folder / f"{name}.txt"
    path.write_text(f"---\npublished: {published}\nsource: AFP\n---\n{body}\n", encoding="utf-8")
    return path


def write_synthetic(folder: Path, count: int) -> list[Path]:
    """``count`` articles of three to five of the sentences above, each a different mix."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        picked = [SENTENCES[(number * 3 + k * 5) % len(SENTENCES)] for k in range(3 + number % 3)]
        day = dt.date(2016, 10, 1) + dt.timedelta(days=number % 60)
        paths.append(
            write_article(folder, f"s{number:03d}", " ".join(picked), published=day.isoformat())
        )
    return paths


@pytest.fixture(scope="module")
def real() -> Gazetteer:
    return load_gazetteer(ROOT / "gazetteer" / "aleppo.yaml")


# --- the runner ----------------------------------------------------------------------------


def test_the_claims_of_extract_claims_on_the_seeds(real: Gazetteer) -> None:
    articles = read_articles(SEEDS)
    expected = extract_claims(articles, gazetteer=real)
    assert expected  # the seeds name districts: an empty list would prove nothing
    assert extract_corpus(articles, gazetteer=real, cache=False) == expected


def test_a_generator_of_paths_is_streamed(real: Gazetteer, tmp_path: Path) -> None:
    paths = sorted(DISPATCHES.glob("*.txt"))
    expected = extract_claims(read_articles(DISPATCHES), gazetteer=real)
    taken: list[Path] = []

    def stream() -> Iterator[Path]:
        for path in paths:
            taken.append(path)
            yield path

    assert extract_corpus(stream(), gazetteer=real, cache=False) == expected
    assert taken == paths


def test_worker_processes_give_the_same_claims(real: Gazetteer, tmp_path: Path) -> None:
    paths = write_synthetic(tmp_path / "corpus", 60) + sorted(SEEDS.glob("*.txt"))
    alone = extract_corpus(paths, gazetteer=real, cache=False, n_process=1)
    assert len({c.article for c in alone}) > 40
    assert extract_corpus(paths, gazetteer=real, cache=False, n_process=2) == alone


@pytest.fixture()
def time_limit() -> Iterator[None]:
    """Fails the test, rather than hanging the suite, if it runs past 120 s."""

    def expire(_signal: int, _frame: object) -> None:
        raise TimeoutError("the test ran past its time limit")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _parents() -> dict[int, int]:
    """Each process's parent (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _descendants(pid: int, parents: dict[int, int]) -> set[int]:
    """The processes whose parent, or parent's parent and so on, is ``pid``."""
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@contextlib.contextmanager
def no_process_left() -> Iterator[None]:
    """Asserts that the block leaves no process of its own behind: none that it forked, nor
    their children. Processes that other tests started before it (the browser of the
    browser tests) may start or end their own meanwhile: those are not the block's."""
    me = os.getpid()
    before = _descendants(me, _parents())
    yield
    parents = _parents()
    left = []
    for pid in sorted(_descendants(me, parents) - before):
        ancestor = parents.get(pid, me)
        while ancestor != me and ancestor not in before:
            ancestor = parents.get(ancestor, me)
        if ancestor == me:  # forked here, or under what was forked here
            left.append(pid)
    assert not left, [_command(pid) for pid in left]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return f"{pid} (ended)"


@pytest.mark.parametrize("ready", [False, True], ids=["passed-here", "whole-chunks"])
def test_workers_give_the_same_claims_whoever_reads(
    real: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ready: bool,
    time_limit: None,
) -> None:
    # while spaCy loads for the workers, this process reads and passes the chunks and the
    # workers only parse them; once it has loaded, the workers take whole chunks
    paths = write_synthetic(tmp_path / "corpus", 150) + sorted(SEEDS.glob("*.txt"))
    alone = extract_corpus(paths, gazetteer=real, cache=False, n_process=1)
    monkeypatch.setattr(corpus._Workers, "ready", lambda self: ready)
    sent: list[str] = []
    put = corpus._Workers.put

    def counted(self: corpus._Workers, task: tuple[str, object]) -> None:
        sent.append(task[0])
        put(self, task)

    monkeypatch.setattr(corpus._Workers, "put", counted)
    with no_process_left():
        assert extract_corpus(paths, gazetteer=real, cache=False, n_process=2) == alone
    assert set(sent) == {"chunk" if ready else "prepared"}


def _raises(self: corpus._Extraction, prepared: list[object]) -> list[object]:
    raise ValueError("the analysis failed")


def _dies(self: corpus._Extraction, prepared: list[object]) -> list[object]:
    os._exit(3)


@pytest.mark.skipif(not corpus._can_fork(), reason="the workers are forked here")
@pytest.mark.parametrize(
    ("parse", "error", "message"),
    [
        (_raises, ValueError, "the analysis failed"),  # the worker's own error, raised here
        (_dies, RuntimeError, "worker processes ended"),  # an error, not a wait
    ],
    ids=["raises", "dies"],
)
def test_a_failing_worker_is_an_error_for_the_caller(
    real: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, time_limit: None,
    parse: object, error: type[Exception], message: str,
) -> None:
    paths = write_synthetic(tmp_path / "corpus", 100)
    monkeypatch.setattr(corpus._Extraction, "parse", parse)  # the forked workers inherit it
    with no_process_left(), pytest.raises(error, match=message):
        extract_corpus(paths, gazetteer=real, cache=False, n_process=2)


@pytest.mark.skipif(not corpus._can_fork(), reason="the loader is forked here")
def test_spacy_failing_to_load_reaches_the_caller(
    real: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, time_limit: None
) -> None:
    from pipeline import control

    def missing() -> object:
        raise OSError("no model here")

    monkeypatch.setattr(control, "load_nlp", missing)
    paths = write_synthetic(tmp_path / "corpus", 60)
    with no_process_left(), pytest.raises(OSError, match="no model here"):
        extract_corpus(paths, gazetteer=real, cache=False, n_process=2)


def test_spawned_workers_give_the_same_claims(
    real: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, time_limit: None
) -> None:
    # where processes cannot fork (Windows), each worker is spawned and loads its own spaCy
    paths = write_synthetic(tmp_path / "corpus", 60)
    alone = extract_corpus(paths, gazetteer=real, cache=False, n_process=1)
    monkeypatch.setattr(corpus, "_can_fork", lambda: False)
    assert extract_corpus(paths, gazetteer=real, cache=False, n_process=2) == alone


def test_every_bad_file_is_reported_at_once(real: Gazetteer, tmp_path: Path) -> None:
    good = write_article(tmp_path, "good", SENTENCES[0])
    undated = tmp_path / "undated.txt"
    undated.write_text("---\nsource: AFP\n---\nTexte.\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    with pytest.raises(InputError) as caught:
        extract_corpus([good, undated, missing], gazetteer=real, cache=False)
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {str(undated), str(missing)}


def test_one_path_alone_is_refused(real: Gazetteer) -> None:
    # a string is a sequence of characters: each would be read as a path
    with pytest.raises(TypeError, match="expected paths or articles"):
        extract_corpus(str(SEEDS / "003_8db79db811459940.txt"), gazetteer=real)  # type: ignore[arg-type]


def test_the_order_is_that_of_sort_claims() -> None:
    claims = [
        make_claim("qadi-askar", "captured", "government", "2016-12-05", article=article)
        for article in ("b", "a", "c", "a", "b")
    ]
    claims = [c.__class__(**{**c.__dict__, "quote": f"q{i}"}) for i, c in enumerate(claims)]
    assert corpus._sort_claims(claims) == sort_claims(claims)


def test_a_progress_bar_on_stderr_when_asked(
    real: Gazetteer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = write_synthetic(tmp_path, 6)
    monkeypatch.setattr(corpus, "PROGRESS_MIN_ARTICLES", 5)
    extract_corpus(paths, gazetteer=real, cache=False, progress=True)
    assert "6/6" in capsys.readouterr().err
    extract_corpus(paths[:4], gazetteer=real, cache=False, progress=True)
    extract_corpus(paths, gazetteer=real, cache=False)
    assert capsys.readouterr().err == ""


# --- the gazetteer pass ----------------------------------------------------------------------


def test_find_each_agrees_with_the_definition(real: Gazetteer, tmp_path: Path) -> None:
    texts = [path.read_text(encoding="utf-8") for path in write_synthetic(tmp_path, 30)]
    texts += [path.read_text(encoding="utf-8") for path in sorted(DISPATCHES.glob("*.txt"))]
    found = Matcher(real).find_each(texts)
    assert sum(map(len, found)) > 100
    assert found == [find_by_definition(real, text) for text in texts]


_PIECES = [
    "Karam", "Karm", "al-Myessar", "al", "el-", "as-", "Sukkari", "d'", "l’", "dʼAlep", "ʼAlep",
    "Shaʼar", "xʼChaar", "ʿChaar", "\u200dAlep", "Ch\u0301aar", "Alep", "ville", "vieille",
    "Cheikh", "Saïd", "Sheik", "Bab", "an-Nairab", "caserne", "de", "Hanano", "quartier",
]
_SEPARATORS = [
    " ", " ", "-", "'", "’", "ʼ", ", ", ". ", "\n", "\n\n", " « ", "\u200d", ") ", " » ", ";",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)), max_size=12))
@example([("dʼAlep", " ")])  # an elision before a letter apostrophe: Alep starts a word
@example([("ʼAlep", " ")])  # a letter apostrophe first: part of the word, which is no name
def test_the_matcher_agrees_with_the_definition_on_tricky_text(
    real: Gazetteer, parts: list[tuple[str, str]]
) -> None:
    # one matcher for every example: what it remembers (pieces, contexts) must never matter
    text = "".join(piece + gap for piece, gap in parts)
    assert _shared_matcher(real).find(text) == find_by_definition(real, text)


_MATCHERS: dict[str, Matcher] = {}


def _shared_matcher(gazetteer: Gazetteer) -> Matcher:
    return _MATCHERS.setdefault(gazetteer.version, Matcher(gazetteer))


# words of the kinds the screen must never lose: transliterations with accents, case,
# doubled letters, apostrophes inside and elisions before, Arabic, digits
_LETTERS = "aeiouyhwbcdfgjklmnpqrstvxzAEIOUYHBCDKLMQRSTZéèëïôçÉÂÇßœ'’-ـالشيخ019"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_LETTERS), min_size=1, max_size=14))
# the "words" rewrites change a word's classes: karam is karm, sheik is shaikh
@example("Karam al-Myessar")
@example("Sheik Saïd, d'Cheik")
@example("Kallasséh Hamdaniyeh l'Amiriya Sha'ar")
def test_the_screen_keeps_every_word_whose_key_is_wanted(text: str) -> None:
    for token in tokenize(text):
        if token.dropped:
            continue
        if starts_capital(token.text[:1]):
            starts = WordScreen([token.key], []).starts([text])[0]
        else:
            starts = WordScreen([], [token.text]).starts([text])[0]
        assert token.start in starts, (text, token)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
def test_the_screen_keeps_capitals_of_any_script(text: str) -> None:
    for token in tokenize(text):
        if not token.dropped and starts_capital(token.text[:1]):
            assert token.start in WordScreen([token.key], []).starts([text])[0], (text, token)


def test_the_screen_skips_most_words(real: Gazetteer) -> None:
    text = (SEEDS / "003_8db79db811459940.txt").read_text(encoding="utf-8")
    matcher = Matcher(real)
    starts = WordScreen(matcher._firsts, matcher._literals).starts([text])[0]
    words = [t for t in tokenize(text) if not t.dropped]
    assert len(starts) < len(words) / 5
    # and keeps every place a name starts
    begins = {t.start for t in words}
    for mention in matcher.find(text):
        first = min(b for b in begins if b >= mention.start)
        assert first in starts or mention.start in starts


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from([*SENTENCES, "Alep", "ville d'alep", "QADI ASKAR"]), max_size=6))
def test_batches_give_the_answers_of_single_texts(real: Gazetteer, picked: list[str]) -> None:
    matcher = Matcher(real)
    texts = [" ".join(picked[: k + 1]) for k in range(len(picked))]
    assert matcher.find_each(texts) == [matcher.find(text) for text in texts]
