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
   worker process per core. spaCy's loading is the longest wait of a cold run, so one
   process (the loader) loads it while this one goes on reading and passing articles, and
   then forks the workers, which share what it loaded (``_Workers``).

``extract_corpus_dask`` runs the same extraction as a Dask bag over article files, one
``extract_corpus`` per partition, for corpora that outgrow one machine (see README,
"Running on a cluster").
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import signal
import sys
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
# misses from which worker processes pay for their start-up: spaCy loads once for all of
# them while this process reads, but forking and queues cost (docs/benchmarks.md)
PARALLEL_MIN_ARTICLES = 200
# chunks queued per worker, so that workers never wait and memory stays bounded
CHUNKS_PER_WORKER = 3
# chunks read and passed here while the workers load spaCy, at most (memory stays bounded)
PREPARED_CHUNKS = 64
# how often a process waiting on a queue checks that the processes it needs are alive (s)
WORKER_POLL_SECONDS = 1.0
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
        self.pool: _Workers | None = None
        self.local: _Extraction | None = None

    def add(self, entry: _Entry) -> None:
        self.buffer.append(entry)
        if self.waiting and len(self.buffer) >= PARALLEL_MIN_ARTICLES:
            self.waiting = False
        if not self.waiting:
            while len(self.buffer) >= CHUNK_ARTICLES:
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
        if self.pool is not None:
            self.pool.close()
            while self.pool.pending:
                self._collect(self.pool.get())
            self.pool.join()
            self.pool = None

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None

    def _extraction(self) -> _Extraction:
        if self.local is None:
            self.local = _Extraction(self.gazetteer)
        return self.local

    def _submit(self, chunk: list[_Entry]) -> None:
        if self.workers == 1:
            self._collect(self._extraction().run(chunk))
            return
        if self.pool is None:
            # built before the fork: the loader takes this copy
            self.pool = _Workers(self._extraction(), self.workers)
        pool = self.pool
        while (outcomes := pool.get(block=False)) is not None:
            self._collect(outcomes)
        if pool.ready():
            pool.put(("chunk", chunk))
            limit = self.workers * CHUNKS_PER_WORKER
        else:
            # spaCy is still loading for the workers: meanwhile this process reads the
            # chunk and makes its gazetteer pass, and the workers will only parse
            outcomes, prepared = self._extraction().prepare(chunk)
            self._collect(outcomes)
            if prepared:
                pool.put(("prepared", prepared))
            limit = PREPARED_CHUNKS
        # a bounded queue of chunks: wait for results before sending more
        while pool.pending >= limit:
            self._collect(pool.get())

    def _collect(self, outcomes: list[_Done]) -> None:
        if self.store is not None:
            self.store.put_many(
                (done.key, list(done.claims)) for done in outcomes if done.key and not done.problems
            )
        for done in outcomes:
            self.finish(done)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# an article read and passed, with its candidate sentences, waiting for spaCy
_Prepared = tuple[_Entry, Article, list[Any]]


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
        """The outcome of every article of the chunk."""
        outcomes, prepared = self.prepare(chunk)
        return outcomes + self.parse(prepared)

    def prepare(self, chunk: list[_Entry]) -> tuple[list[_Done], list[_Prepared]]:
        """The chunk read and passed: the outcomes already known (files that could not be
        read, articles without a candidate sentence), and the articles left to parse."""
        from pipeline.control import candidate_sentences

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
        prepared: list[_Prepared] = []
        for (entry, article), mentions in zip(articles, found):
            view = _Found(self.matcher, article.text, mentions)
            candidates = candidate_sentences(article, matcher=view, lexicon=self.lexicon)
            if candidates:
                prepared.append((entry, article, candidates))
            else:
                # a claim rests on a candidate sentence: none, no claim
                outcomes.append(_Done(entry.index, _stored_key(entry, article)))
        return outcomes, prepared

    def parse(self, prepared: list[_Prepared]) -> list[_Done]:
        """spaCy over the candidate sentences of the articles at once, then their claims."""
        from pipeline.control import claims_of_candidates, load_nlp, parse_sentences

        inputs = [candidate.input for _, _, candidates in prepared for candidate in candidates]
        docs: list[Any] = []
        if inputs:
            if self.nlp is None:
                self.nlp = load_nlp()
            docs = parse_sentences(inputs, nlp=self.nlp, n_process=1)
        outcomes: list[_Done] = []
        position = 0
        for entry, article, candidates in prepared:
            own = docs[position : position + len(candidates)]
            position += len(candidates)
            claims = claims_of_candidates(
                article, candidates, own, matcher=self.matcher, lexicon=self.lexicon,
                table=self.table,
            )
            outcomes.append(_Done(entry.index, _stored_key(entry, article), tuple(claims)))
        return outcomes


def _stored_key(entry: _Entry, article: Article) -> str:
    """The cache key to store the article's claims under: none for a file that changed
    since it was hashed (its key is stale)."""
    changed = not isinstance(entry.source, Article) and article.sha256 != entry.digest
    return "" if changed else entry.key


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


class _Workers:
    """Worker processes that take chunks from one queue and put their outcomes on another.

    Where processes can fork, one process (the loader) is forked from this one, loads spaCy
    and what else the extraction needs, and then forks the workers, which share all of it:
    spaCy loads once, and while it loads this process goes on reading and passing articles
    (``_Runner._submit``). Elsewhere each worker is spawned and loads its own.

    A task is ``("chunk", entries)`` (the whole extraction) or ``("prepared", articles)``
    (spaCy and the analysis only); ``get`` returns the outcomes of one task.
    """

    def __init__(self, extraction: _Extraction, count: int) -> None:
        forking = _can_fork()
        context = multiprocessing.get_context("fork" if forking else "spawn")
        self.count = count
        self.tasks: Any = context.Queue()
        self.results: Any = context.Queue()
        self._ready = context.Event()
        self.pending = 0  # tasks put and not yet answered
        self.processes: list[Any]
        if forking:
            loader = context.Process(
                target=_load_and_fork,
                args=(extraction, count, self.tasks, self.results, self._ready, os.getpid()),
                name="pipeline-loader",
            )
            self.processes = [loader]
        else:
            self.processes = [
                context.Process(
                    target=_work,
                    args=(extraction.gazetteer, self.tasks, self.results, self._ready,
                          os.getpid()),
                    name=f"pipeline-worker-{number}", daemon=True,
                )
                for number in range(count)
            ]
        for process in self.processes:
            process.start()

    def ready(self) -> bool:
        """True once the workers have spaCy (they may run whole chunks)."""
        return bool(self._ready.is_set())

    def put(self, task: tuple[str, Any]) -> None:
        self.tasks.put(task)
        self.pending += 1

    def get(self, *, block: bool = True) -> list[_Done] | None:
        """The outcomes of the next task answered (None if none is, when not blocking)."""
        while True:
            try:
                kind, payload = self.results.get(timeout=WORKER_POLL_SECONDS if block else 0)
            except queue.Empty:
                if not block:
                    return None
                self._check_alive()
                continue
            self.pending -= 1
            if kind == "error":
                raise payload
            return payload  # type: ignore[no-any-return]

    def close(self) -> None:
        """No more tasks: each worker ends once the queue is empty."""
        for _ in range(self.count):
            self.tasks.put(None)

    def join(self) -> None:
        """Waits for the processes to end, once every task is answered."""
        for process in self.processes:
            process.join()
        self.tasks.close()
        self.results.close()

    def terminate(self) -> None:
        """Ends the processes at once (the workers of a loader end with it)."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join()
        # the tasks no process will take are read back here, so that the thread that feeds
        # the queue is not left blocked on a full pipe
        with contextlib.suppress(queue.Empty):
            while True:
                self.tasks.get(timeout=0.05)
        self.tasks.cancel_join_thread()
        self.tasks.close()
        self.results.close()

    def _check_alive(self) -> None:
        """Raises if the processes ended while answers were still awaited."""
        ended = [p for p in self.processes if p.exitcode is not None]
        all_ended = len(ended) == len(self.processes)
        if (self.pending and all_ended) or any(p.exitcode for p in ended):
            codes = ", ".join(str(p.exitcode) for p in ended)
            msg = f"the worker processes ended (exit code {codes}) before finishing their work"
            raise RuntimeError(msg)


def _load_and_fork(
    extraction: _Extraction, count: int, tasks: Any, results: Any, ready: Any, parent: int
) -> None:
    """The loader process: spaCy loaded once into the extraction of the process that forked
    it, then ``count`` workers forked, watched until they end (or that process ends)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the main process's to handle
    try:
        from pipeline.control import load_nlp

        extraction.nlp = load_nlp()
    except Exception as error:  # noqa: BLE001 - handed to the main process, which raises it
        results.put(("error", _portable(error)))
        return
    # what is loaded stays for the process's life: the collector need not look at it again,
    # and by not touching it, it leaves the pages the workers share unwritten
    gc.freeze()
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(
            target=_work, args=(extraction, tasks, results, ready, os.getpid()),
            name=f"pipeline-worker-{number}", daemon=True,
        )
        for number in range(count)
    ]
    for worker in workers:
        worker.start()

    def end(_signal: int, _frame: Any) -> None:
        for worker in workers:
            worker.kill()
        os._exit(1)

    signal.signal(signal.SIGTERM, end)
    while any(worker.exitcode is None for worker in workers):
        multiprocessing.connection.wait(
            [worker.sentinel for worker in workers if worker.exitcode is None],
            timeout=WORKER_POLL_SECONDS,
        )
        if any(worker.exitcode for worker in workers) or os.getppid() != parent:
            end(signal.SIGTERM, None)  # a worker died, or the main process is gone


def _work(
    source: _Extraction | Gazetteer, tasks: Any, results: Any, ready: Any, parent: int
) -> None:
    """A worker: tasks until the end mark, or until the process that started it is gone.
    ``source``: the loader's extraction, spaCy loaded (forked), or the gazetteer to build
    one from here (spawned). Says ``ready`` once it has spaCy."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(source, _Extraction):
        extraction = source
    else:
        try:
            from pipeline.control import load_nlp

            extraction = _Extraction(source)
            extraction.nlp = load_nlp()
        except Exception as error:  # noqa: BLE001 - handed to the main process, which raises it
            results.put(("error", _portable(error)))
            return
        gc.freeze()  # (as in _load_and_fork)
    ready.set()
    while True:
        try:
            task = tasks.get(timeout=WORKER_POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if task is None:
            return
        kind, payload = task
        try:
            outcomes = extraction.run(payload) if kind == "chunk" else extraction.parse(payload)
        except Exception as error:  # noqa: BLE001 - handed to the main process, which raises it
            results.put(("error", _portable(error)))
        else:
            results.put(("done", outcomes))


def _portable(error: Exception) -> Exception:
    """The error itself if it crosses processes, else a RuntimeError that tells it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure to pickle means the same here
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
