"""The corpus runner: the claims of many articles, at a cost that grows with what changed.

``extract_corpus(paths_or_articles, *, gazetteer)`` gives the same claims as
``control.extract_claims`` over the same articles, in the same order, but:

1. each article is first looked up in the claim cache (``cache.py``) by its content hash
   and id; an unchanged article is neither parsed nor even read past its bytes, and a run
   where nothing changed never imports spaCy;
2. the articles that miss go through the extraction a chunk at a time: the gazetteer pass
   over the chunk's texts at once (``Matcher.find_each``), spaCy (tagger and parser only)
   over the sentences that name a district and nothing else, then the analysis and the
   article pass of ``control.py``; their claims are stored as soon as they are known;
3. articles are streamed (a generator of paths is fine): read, passed, dropped. Only the
   claims and a bounded number of chunks in flight are held, so memory stays flat;
4. when enough articles miss to pay for starting them, the chunks are spread over one
   worker process per core, each with its own spaCy.

``extract_corpus_dask`` runs the same extraction as a Dask bag over article files, one
``extract_corpus`` per partition, for corpora that outgrow one machine (see README,
"Running on a cluster").
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from pipeline._errors import InputError, Problem
from pipeline.articles import MAX_ARTICLE_BYTES, read_article
from pipeline.cache import ClaimCache
from pipeline.model import Article, Claim, Gazetteer

# articles per chunk: one gazetteer pass and one spaCy batch each
CHUNK_ARTICLES = 48
# misses from which worker processes pay for their start-up (spaCy loads in each)
PARALLEL_MIN_ARTICLES = 600
# chunks queued per worker, so that workers never wait and memory stays bounded
CHUNKS_PER_WORKER = 3
# cache lookups per query
LOOKUP_ARTICLES = 256
# a progress bar only for corpora at least this large (when their size is known)
PROGRESS_MIN_ARTICLES = 200

Source = Union[str, "os.PathLike[str]", Article]


@dataclass(frozen=True)
class _Entry:
    """One article of the stream: its rank, its cache key (and the content hash in it),
    and what to read on a miss."""

    index: int
    key: str
    source: Source
    digest: str = ""


@dataclass(frozen=True)
class _Done:
    """The outcome of one article: its claims, or the problems of its file."""

    index: int
    key: str
    claims: tuple[Claim, ...] = ()
    problems: tuple[Problem, ...] = ()


def extract_corpus(
    paths_or_articles: Iterable[Source],
    *,
    gazetteer: Gazetteer,
    n_process: int | None = None,
    cache: bool | ClaimCache = True,
    progress: bool = False,
) -> list[Claim]:
    """The claims of every article (``Article`` objects or paths of article files), sorted
    like ``control.sort_claims``; raises ``InputError`` with the problems of every file
    that could not be read.

    ``n_process``: worker processes for the articles that miss the cache (None: one per
    core when enough miss; 1: this process only). ``cache``: True for the default cache
    (``$PIPELINE_CACHE_DIR`` or ``.cache/pipeline``), False for none, or a ``ClaimCache``.
    """
    if isinstance(paths_or_articles, (str, bytes, os.PathLike, Article)):
        msg = f"expected paths or articles, not one: {paths_or_articles!r:.80}"
        raise TypeError(msg)
    store = _open_cache(cache, gazetteer)
    total = len(paths_or_articles) if isinstance(paths_or_articles, Sequence) else None
    bar = _progress_bar(total, enabled=progress)
    results: dict[int, tuple[Claim, ...]] = {}
    problems: list[Problem] = []

    def finish(done: _Done) -> None:
        if done.problems:
            problems.extend(done.problems)
        else:
            results[done.index] = done.claims
        bar.update(1)

    runner = _Runner(gazetteer, n_process=n_process, store=store, finish=finish)
    try:
        for batch in _chunks(_entries(paths_or_articles, store, problems), LOOKUP_ARTICLES):
            hits = store.get_many(entry.key for entry in batch) if store else {}
            for entry in batch:
                if entry.key in hits:
                    finish(_Done(entry.index, entry.key, tuple(hits[entry.key])))
                else:
                    runner.add(entry)
        runner.close()
    finally:
        runner.stop()
        bar.close()
        if store is not None and cache is True:
            store.close()
    if problems:
        raise InputError(sorted(set(problems)))
    claims = [claim for index in sorted(results) for claim in results[index]]
    return _sort_claims(claims)


def extract_corpus_dask(
    paths: Iterable[str | os.PathLike[str]],
    *,
    gazetteer: Gazetteer,
    npartitions: int | None = None,
    cache: bool = True,
    scheduler: Any = None,
) -> list[Claim]:
    """``extract_corpus`` as a Dask bag over article files: one partition per task, each
    run on a worker with that worker's cache folder. ``scheduler``: what ``compute`` takes
    (None: a ``dask.distributed`` client if one is active, else Dask's default)."""
    import dask.bag

    names = [os.fspath(path) for path in paths]
    if not names:
        return []
    count = npartitions or max(1, min(len(names), 4 * (os.cpu_count() or 1)))
    bag = dask.bag.from_sequence(names, npartitions=count)
    outcomes = bag.map_partitions(_extract_partition, gazetteer, cache).compute(
        scheduler=scheduler
    )
    claims = [item for kind, item in outcomes if kind == "claim"]
    problems = [item for kind, item in outcomes if kind == "problem"]
    if problems:
        raise InputError(sorted(set(problems)))
    return _sort_claims(claims)


def _extract_partition(
    paths: Iterable[str], gazetteer: Gazetteer, cache: bool
) -> list[tuple[str, Any]]:
    """One Dask partition: its claims, or the problems of its files (as data: an
    ``InputError`` does not cross processes whole)."""
    try:
        claims = extract_corpus(list(paths), gazetteer=gazetteer, n_process=1, cache=cache)
    except InputError as error:
        return [("problem", problem) for problem in error.problems]
    return [("claim", claim) for claim in claims]


def content_hash(article: Article) -> str:
    """The hash that keys an article in the cache: its file's (``Article.sha256``), or for
    an article built in memory, that of its date and text."""
    if article.sha256:
        return article.sha256
    text = f"{article.published.isoformat()}\0{article.text}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- reading the stream --------------------------------------------------------------------


def _open_cache(cache: bool | ClaimCache, gazetteer: Gazetteer) -> ClaimCache | None:
    if isinstance(cache, ClaimCache):
        return cache
    return ClaimCache(gazetteer_version=gazetteer.version) if cache else None


def _entries(
    sources: Iterable[Source], store: ClaimCache | None, problems: list[Problem]
) -> Iterator[_Entry]:
    """Each article with its cache key; a file is read here only to hash it."""
    for index, source in enumerate(sources):
        if isinstance(source, Article):
            key = _key(store, source.id, content_hash(source))
            yield _Entry(index, key, source)
            continue
        path = Path(source)
        try:
            # an oversized file is left to read_article, which says why it is refused
            small = path.stat().st_size <= MAX_ARTICLE_BYTES
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if small else ""
        except OSError:
            digest = ""  # read_article reports it
        yield _Entry(index, _key(store, path.stem, digest) if digest else "", path, digest)


def _key(store: ClaimCache | None, article_id: str, digest: str) -> str:
    if store is None:
        return ""
    return store.key(article_id=article_id, content_hash=digest)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _progress_bar(total: int | None, *, enabled: bool) -> Any:
    from tqdm import tqdm

    small = total is not None and total < PROGRESS_MIN_ARTICLES
    return tqdm(
        total=total, disable=not enabled or small, file=sys.stderr, unit=" articles",
        desc="claims", dynamic_ncols=True,
    )


def _sort_claims(claims: list[Claim]) -> list[Claim]:
    """``control.sort_claims`` (by article, then as given), without importing the control
    stage on a run that extracted nothing (a test holds the two equal)."""
    return sorted(claims, key=lambda claim: claim.article)


# --- the extraction of the misses ----------------------------------------------------------


class _Runner:
    """Runs the chunks of missed articles here or in worker processes, and stores their
    claims in the cache as they come back."""

    def __init__(
        self, gazetteer: Gazetteer, *, n_process: int | None, store: ClaimCache | None,
        finish: Any,
    ) -> None:
        self.gazetteer = gazetteer
        self.store = store
        self.finish = finish
        cores = os.cpu_count() or 1
        self.workers = cores if n_process is None else max(1, n_process)
        # with n_process=None, processes start only once enough articles have missed
        self.waiting = n_process is None and self.workers > 1
        self.buffer: list[_Entry] = []
        self.pool: Any = None
        self.in_flight: deque[Any] = deque()
        self.local: _Extraction | None = None

    def add(self, entry: _Entry) -> None:
        self.buffer.append(entry)
        if self.waiting and len(self.buffer) >= PARALLEL_MIN_ARTICLES:
            self.waiting = False
        if not self.waiting and len(self.buffer) >= CHUNK_ARTICLES:
            self._submit(self.buffer[:CHUNK_ARTICLES])
            del self.buffer[:CHUNK_ARTICLES]

    def close(self) -> None:
        """Runs what is left and waits for every chunk."""
        if self.waiting:
            self.workers = 1  # too few misses for worker processes to pay
        self.waiting = False
        for chunk in _chunks(self.buffer, CHUNK_ARTICLES):
            self._submit(chunk)
        self.buffer = []
        while self.in_flight:
            self._collect(self.in_flight.popleft().get())

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def _submit(self, chunk: list[_Entry]) -> None:
        if self.workers == 1:
            if self.local is None:
                self.local = _Extraction(self.gazetteer)
            self._collect(self.local.run(chunk))
            return
        if self.pool is None:
            forking = _can_fork()
            if forking:
                # what every worker needs, made once here and shared by the fork
                from pipeline.control import load_lexicon, load_nlp
                from pipeline.normalize import WordScreen

                load_lexicon()
                load_nlp()
                WordScreen([], [])
            context = multiprocessing.get_context("fork" if forking else "spawn")
            self.pool = context.Pool(
                self.workers, initializer=_start_worker, initargs=(self.gazetteer,)
            )
        # a bounded queue of chunks: wait for the oldest before sending more
        while len(self.in_flight) >= self.workers * CHUNKS_PER_WORKER:
            self._collect(self.in_flight.popleft().get())
        self.in_flight.append(self.pool.apply_async(_run_in_worker, (chunk,)))

    def _collect(self, outcomes: list[_Done]) -> None:
        if self.store is not None:
            self.store.put_many(
                (done.key, list(done.claims)) for done in outcomes if done.key and not done.problems
            )
        for done in outcomes:
            self.finish(done)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class _Extraction:
    """What one process needs to extract claims: the matcher, the lexicon, the actors, and
    spaCy (loaded at the first sentence to parse)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        from pipeline.control import ActorTable, load_lexicon
        from pipeline.gazetteer import Matcher

        self.gazetteer = gazetteer
        self.matcher = Matcher(gazetteer)
        self.lexicon = load_lexicon()
        self.table = ActorTable.from_gazetteer(gazetteer)
        self.nlp: Any = None

    def run(self, chunk: list[_Entry]) -> list[_Done]:
        from pipeline.control import (
            candidate_sentences,
            claims_of_candidates,
            load_nlp,
            parse_sentences,
        )

        outcomes: list[_Done] = []
        articles: list[tuple[_Entry, Article]] = []
        for entry in chunk:
            try:
                article = _article_of(entry.source)
            except InputError as error:
                outcomes.append(_Done(entry.index, entry.key, problems=tuple(error.problems)))
                continue
            articles.append((entry, article))
        # the gazetteer pass over the chunk at once, then the candidate sentences
        found = self.matcher.find_each([article.text for _, article in articles])
        prepared = []
        for (entry, article), mentions in zip(articles, found):
            view = _Found(self.matcher, article.text, mentions)
            candidates = candidate_sentences(article, matcher=view, lexicon=self.lexicon)
            prepared.append((entry, article, candidates))
        # spaCy over the candidate sentences of the whole chunk
        inputs = [candidate.input for _, _, candidates in prepared for candidate in candidates]
        docs: list[Any] = []
        if inputs:
            if self.nlp is None:
                self.nlp = load_nlp()
            docs = parse_sentences(inputs, nlp=self.nlp, n_process=1)
        position = 0
        for entry, article, candidates in prepared:
            own = docs[position : position + len(candidates)]
            position += len(candidates)
            claims = claims_of_candidates(
                article, candidates, own, matcher=self.matcher, lexicon=self.lexicon,
                table=self.table,
            )
            # a file that changed since it was hashed is not stored (its key is stale)
            changed = not isinstance(entry.source, Article) and article.sha256 != entry.digest
            outcomes.append(_Done(entry.index, "" if changed else entry.key, tuple(claims)))
        return outcomes


def _article_of(source: Source) -> Article:
    return source if isinstance(source, Article) else read_article(source)


class _Found:
    """The matcher, answering ``find`` for one text with mentions found beforehand (in the
    chunk's gazetteer pass); any other text or question goes to the matcher itself."""

    def __init__(self, matcher: Any, text: str, mentions: list[Any]) -> None:
        self._matcher = matcher
        self._text = text
        self._mentions = mentions

    def find(self, text: str) -> list[Any]:
        if text is self._text or text == self._text:
            return list(self._mentions)
        return self._matcher.find(text)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._matcher, name)


# --- worker processes ----------------------------------------------------------------------

_worker: dict[str, _Extraction] = {}


def _start_worker(gazetteer: Gazetteer) -> None:
    _worker["extraction"] = _Extraction(gazetteer)


def _run_in_worker(chunk: list[_Entry]) -> list[_Done]:
    return _worker["extraction"].run(chunk)
