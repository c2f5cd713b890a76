"""The speed benchmark of the extraction (``make bench``): synthetic corpora, cold and warm.

For each corpus size (200, 2,000 and 20,000 articles; ``--quick``: the first two) the script
writes a synthetic corpus into a temporary folder: French sentences about the war that name
no district, with about 5 % of sentences that do (varied templates, real gazetteer names in
their many spellings). Each measure runs in a fresh subprocess so that its peak memory is its
own. It prints, per corpus:

- end to end, cold cache: ``corpus.extract_corpus`` over the files, in MB/s and articles/s;
- the gazetteer pass alone (``Matcher.find_each`` over every article body), in MB/s: the
  median of three fresh processes;
- peak memory (``resource.getrusage`` maxrss of the run and of its worker processes);
- a no-op rebuild: ``python -m pipeline maps`` on the corpus once built (wall time), and
  again after every article was touched (new times, same bytes: each file is hashed);

and, on the 2,000-article corpus, side by side, the full spaCy pipeline (every pipe, as
``spacy.load`` gives it) over every sentence of every article, timed like ours from a fresh
process with its start-up: once as spaCy runs by default (one process: the bar's reference,
the issue's "about 3,000 tokens a second"), and once on every core; our cold run is timed
again around those two, and the bar takes the median of the four. Beside the bar it prints
the design's floor: our cold run with the analysis of the parses left out, twice around the
one-process spaCy run (what no work on the analysis can beat). It checks that the
claims are identical with and without the cache and with Dask, and prints each bar with
ok / MISSED (exit status 1 for a missed bar with ``--strict``). The method and figures of
past runs are in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (200, 2_000, 20_000)
QUICK_SIZES = (200, 2_000)
# about this share of the sentences name a district
DISTRICT_SHARE = 0.05
# the corpus on which the full spaCy pipeline runs side by side
SPACY_SIDE_BY_SIDE = 2_000
# gazetteer passes per corpus, each in a fresh process (the median is reported)
PASS_RUNS = 3

# the bars of issue 6
BAR_END_TO_END_MB_S = 1.0
BAR_SPEEDUP = 40.0
BAR_GAZETTEER_MB_S = 50.0
BAR_NOOP_S = 1.5
BAR_MEMORY_RATIO = 1.5

# the sentences of the synthetic corpus: templates whose {slots} are drawn from the lists
# below; "district" templates name one or two districts ({d}, {d2}), the others none
SENTENCES_YAML = r"""
neutral:
  - "{Speaker} a appelé {when} à {demand}, {where}."
  - "{Speaker} a {verb_said} {when} que {claim}."
  - "Selon {source}, {claim}."
  - "{Speaker} s'est dit « {feeling} » par {topic}."
  - "Plus de {number} personnes ont {moved} depuis le début du mois, selon {source}."
  - "{Country} a proposé {when} {proposal}, une initiative accueillie avec prudence par {country2}."
  - "Les discussions entre {country} et {country2} doivent reprendre {later} à {venue}."
  - "{Speaker} doit se rendre {later} à {venue} pour évoquer {topic}."
  - "Dans un communiqué publié {when}, {org} demande {demand}."
  - "« {quote} », a déclaré {person}, {role}."
  - "{Person}, {role}, a {verb_said} {when} que {claim}."
  - "Le conflit a fait plus de {number} morts depuis {year}, d'après {source}."
  - "Les prix de {goods} ont été multipliés par {small} en quelques semaines, selon des habitants."
  - "Un convoi de {small} camions chargés de {goods} attend toujours l'autorisation d'entrer."
  - "{Org} estime que {number} civils vivent encore dans la partie orientale d'Alep."
  - "Les hôpitaux manquent de {goods}, et plusieurs ont cessé de fonctionner {when}."
  - "La réunion prévue {later} à {venue} a été reportée sans nouvelle date."
  - "{Country} accuse {country2} de {accusation}, ce que {country2} dément."
  - "Des images diffusées sur les réseaux sociaux montrent {scene}."
  - "Il n'était pas possible de vérifier ces informations de source indépendante."
  - "{Speaker} a exhorté toutes les parties à {demand}."
  - "Le Conseil de sécurité de l'ONU se réunira {later} en urgence, à la demande de {country}."
  - "{Org} dit avoir reçu {number} demandes d'aide en une seule journée."
  - "Le froid et la pluie compliquent encore la situation des familles déplacées."
  - "Selon {source}, au moins {small} civils, dont {tiny} enfants, ont été tués {when}."
  - "La trêve annoncée {when} n'a été que partiellement respectée."
  - "{Person} a qualifié la situation de « {feeling} »."
  - "Aucune date n'a été fixée pour {proposal}."
  - "Le bilan pourrait encore s'alourdir, a prévenu {source}."
  - "Les écoles de la ville sont fermées depuis {number2} jours."
  - "{Country} a annoncé {when} une aide de {number} millions d'euros."
  - "Les observateurs redoutent {fear} dans les prochains jours."
  - "Des milliers de familles vivent dans des abris de fortune à la périphérie de la ville."
  - "{Speaker} a renouvelé son appel à {demand} lors d'une conférence de presse à {venue}."
  - "La situation humanitaire reste {feeling}, selon {org}."
  - "Cette annonce intervient après {topic}."
district:
  - "Les forces gouvernementales ont repris {when} le quartier de {d}, selon {source}."
  - "De violents combats se déroulaient {when} dans le quartier de {d}."
  - "L'armée syrienne a pris le contrôle total de {d} après {small} jours de combats."
  - "Les rebelles tiennent toujours {d} et une partie de {d2}."
  - "Des bombardements ont visé {when} les quartiers de {d} et de {d2}, selon {source}."
  - "L'armée encercle désormais le secteur de {d}, dernier verrou avant {d2}."
  - "Les insurgés ont perdu {d} {when}, a indiqué {source}."
  - "Selon un habitant de {d}, les frappes n'ont pas cessé de la nuit."
  - "Les rebelles contrôlent encore la moitié de {d}, d'après {source}."
  - "Le quartier de {d}, tenu par les insurgés depuis {year}, est la cible de frappes quotidiennes."
  - "Les forces prorégime veulent s'emparer de {d} avant la fin de la semaine."
  - "Des tirs d'obus ont touché une école de {d} {when}, faisant {tiny} blessés."
  - "{d} est tombé aux mains des forces gouvernementales {when}."
  - "Les combattants kurdes ont avancé vers {d}, selon {source}."
  - "Les habitants de {d} ont fui vers {d2} au cours de la nuit."
  - "Une partie de {d} est aux mains de l'armée, mais les combats se poursuivent à {d2}."
slots:
  Speaker: [Le ministre français des Affaires étrangères, Le porte-parole du Kremlin,
            L'émissaire de l'ONU, La chancelière allemande, Le secrétaire général de l'ONU,
            Le président turc, La diplomatie américaine, Le Haut-Commissaire aux réfugiés,
            Le chef de la diplomatie britannique, Un responsable du Croissant-Rouge]
  Person: [Staffan de Mistura, Sergueï Lavrov, John Kerry, Jean-Marc Ayrault, Ban Ki-moon,
           Stephen O'Brien, Boris Johnson, Federica Mogherini, Dmitri Peskov, Rami Abdel Rahmane]
  person: [Staffan de Mistura, Sergueï Lavrov, John Kerry, Jean-Marc Ayrault, Ban Ki-moon,
           Stephen O'Brien, Boris Johnson, Federica Mogherini, Dmitri Peskov, Rami Abdel Rahmane]
  role: [émissaire de l'ONU pour la Syrie, chef de la diplomatie russe, secrétaire d'Etat américain,
         ministre français des Affaires étrangères, responsable des affaires humanitaires,
         porte-parole de la présidence russe, directeur de l'OSDH, chef de la diplomatie européenne]
  Country: [La Russie, La France, La Turquie, Les Etats-Unis, L'Iran, Le Royaume-Uni, L'Allemagne,
            Le Qatar, L'Arabie saoudite, L'Union européenne]
  country: [la Russie, la France, la Turquie, les Etats-Unis, l'Iran, le Royaume-Uni, l'Allemagne,
            le Qatar, l'Arabie saoudite, l'Union européenne]
  country2: [Moscou, Washington, Paris, Ankara, Téhéran, Londres, Berlin, Ryad, Bruxelles]
  venue: [Genève, Lausanne, New York, Vienne, Astana, Berlin, Paris, Moscou, Bruxelles, Rome]
  org: [l'ONU, le CICR, Médecins sans frontières, l'Unicef, le Programme alimentaire mondial,
        l'Organisation mondiale de la santé, Amnesty International, Human Rights Watch,
        le Croissant-Rouge arabe syrien, Save the Children]
  Org: [L'ONU, Le CICR, Médecins sans frontières, L'Unicef, Le Programme alimentaire mondial,
        L'Organisation mondiale de la santé, Amnesty International, Human Rights Watch,
        Le Croissant-Rouge arabe syrien, Save the Children]
  source: [l'OSDH, l'Observatoire syrien des droits de l'homme, un correspondant de l'AFP,
           des sources militaires, la télévision d'Etat, des militants locaux, les Casques blancs,
           l'agence officielle Sana, un responsable rebelle, des médecins sur place]
  when: [lundi, mardi, mercredi, jeudi, vendredi, samedi, dimanche, hier, dans la nuit,
         ce week-end, dans la matinée, en fin de journée, depuis l'aube, la veille]
  later: [la semaine prochaine, lundi prochain, dans les prochains jours, jeudi,
          d'ici la fin du mois, avant la fin de l'année, samedi]
  where: [depuis Genève, lors d'une visite à Ankara, devant la presse, dans un entretien télévisé,
          à l'issue d'une réunion à Bruxelles, dans un message vidéo, lors d'un point de presse]
  demand: [une trêve humanitaire, l'ouverture de couloirs sécurisés, l'arrêt immédiat des frappes,
           la reprise des négociations, l'évacuation des blessés, la protection des civils,
           un accès sans entrave pour l'aide, une enquête indépendante, la levée du siège]
  verb_said: [affirmé, estimé, assuré, rappelé, indiqué, souligné, déploré, annoncé, reconnu]
  claim: [les discussions avançaient lentement, aucune solution militaire n'était possible,
          l'aide n'arrivait plus depuis des semaines, les civils payaient le plus lourd tribut,
          un accord restait à portée de main, la situation s'aggravait d'heure en heure,
          les stocks de nourriture seraient épuisés d'ici peu, le dialogue devait reprendre,
          plusieurs hôpitaux avaient été détruits, la pression internationale devait s'accentuer]
  feeling: [très préoccupé, catastrophique, profondément choqué, inacceptable, alarmante,
            dramatique, extrêmement inquiet, intenable]
  topic: [le sort des civils, les frappes contre les hôpitaux, l'échec des pourparlers,
          la crise humanitaire, le blocage au Conseil de sécurité, le sort des déplacés,
          les accusations de crimes de guerre, l'afflux de réfugiés vers la Turquie]
  moved: [fui leurs maisons, quitté la ville, rejoint les camps, franchi la frontière,
          trouvé refuge chez des proches]
  proposal: [un cessez-le-feu de 48 heures, une pause humanitaire, un plan d'évacuation,
             une conférence internationale, une résolution au Conseil de sécurité,
             la création de zones de sécurité]
  accusation: [viser délibérément des civils, bloquer l'aide humanitaire,
               armer des groupes radicaux, saboter les négociations, violer la trêve]
  quote: [Nous ne pouvons pas rester les bras croisés, Le temps presse pour les civils,
          Il faut que les armes se taisent, Personne ne gagnera cette guerre,
          Nous avons besoin d'un accès immédiat, La communauté internationale a échoué]
  scene: [des immeubles effondrés, des colonnes de civils sur une route, des secouristes au travail,
          des files d'attente devant une boulangerie, des enfants dans un abri souterrain]
  goods: [médicaments, farine, carburant, lait en poudre, matériel chirurgical, eau potable]
  fear: [une nouvelle vague de déplacements, une catastrophe humanitaire, une escalade régionale,
         l'effondrement des derniers services publics]
  year: ["2011", "2012", "2013", "2014"]
"""

TITLES = (
    "Syrie : la bataille d'Alep", "Alep : l'ONU s'inquiète", "Offensive sur Alep",
    "Syrie : appels à une trêve", "Alep : nouveaux combats", "La diplomatie dans l'impasse",
)


# --- the synthetic corpus -------------------------------------------------------------------


def district_names(gazetteer_path: Path) -> list[str]:
    """Every spelling of every district in the gazetteer, in file order."""
    from pipeline.gazetteer import load_gazetteer

    gazetteer = load_gazetteer(gazetteer_path)
    names: list[str] = []
    for district in gazetteer.districts:
        names.extend([*district.names.values(), *district.aliases])
    return names


class CorpusWriter:
    """Writes synthetic articles: seeded, so the same size always gives the same files."""

    def __init__(self, names: list[str], *, seed: int = 6) -> None:
        bank = yaml.safe_load(SENTENCES_YAML)
        self.neutral: list[str] = bank["neutral"]
        self.district: list[str] = bank["district"]
        self.slots = {slot: [str(v) for v in values] for slot, values in bank["slots"].items()}
        self.names = names
        self.random = random.Random(seed)

    def sentence(self, *, district: bool) -> str:
        rng = self.random
        template = rng.choice(self.district if district else self.neutral)

        def fill(match: re.Match[str]) -> str:
            slot = match.group(1)
            if slot in ("d", "d2"):
                return rng.choice(self.names)
            if slot == "number":
                return f"{rng.randint(2, 900) * 100:,}".replace(",", " ")
            if slot == "number2":
                return str(rng.randint(10, 400))
            if slot == "small":
                return str(rng.randint(2, 60))
            if slot == "tiny":
                return str(rng.randint(2, 12))
            return rng.choice(self.slots[slot])

        text = re.sub(r"\{(\w+)\}", fill, template)
        return text[0].upper() + text[1:]

    def article(self) -> tuple[dt.date, str, str, int]:
        """One article: its date, title, body (paragraphs of one to four sentences) and its
        number of sentences."""
        rng = self.random
        published = dt.date(2016, 9, 22) + dt.timedelta(days=rng.randint(0, 100))
        sentences = [
            self.sentence(district=rng.random() < DISTRICT_SHARE) for _ in range(rng.randint(6, 30))
        ]
        paragraphs, i = [], 0
        while i < len(sentences):
            size = rng.randint(1, 4)
            paragraphs.append(" ".join(sentences[i : i + size]))
            i += size
        return published, rng.choice(TITLES), "\n\n".join(paragraphs), len(sentences)

    def write(self, folder: Path, count: int) -> dict[str, int]:
        """Writes ``count`` articles into ``folder`` and a ``manifest.json`` beside them (not
        an article: ``*.json``); returns the manifest (articles, sentences, bytes)."""
        folder.mkdir(parents=True, exist_ok=True)
        manifest = {"articles": count, "body_bytes": 0, "file_bytes": 0, "sentences": 0}
        for number in range(count):
            published, title, body, sentences = self.article()
            text = (
                f"---\npublished: {published.isoformat()}\nsource: AFP\n"
                f"title: \"{title}\"\n---\n{body}\n"
            )
            data = text.encode("utf-8")
            (folder / f"a{number:06d}.txt").write_bytes(data)
            manifest["body_bytes"] += len(body.encode("utf-8"))
            manifest["file_bytes"] += len(data)
            manifest["sentences"] += sentences
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        return manifest


def corpus_paths(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def claims_digest(claims: list[Any]) -> str:
    """A hash of the claims, every field exactly (the confidence unrounded)."""
    import hashlib

    rows = [{**claim.to_json(), "confidence": claim.confidence} for claim in claims]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:16]


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# --- the measures, each in a fresh process ------------------------------------------------


def measure(kind: str, folder: Path, gazetteer_path: Path) -> dict[str, Any]:
    """One measure on one corpus, in this (fresh) process."""
    from pipeline.articles import read_article
    from pipeline.gazetteer import load_gazetteer

    gazetteer = load_gazetteer(gazetteer_path)
    paths = corpus_paths(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if kind in ("cold", "warm", "nocache", "floor"):
        from pipeline.corpus import extract_corpus

        if kind == "floor":
            # the floor of the design: the same run with the analysis of the parses left
            # out (reading, hashing, gazetteer pass, spaCy's start-up and its parse of the
            # candidate sentences stay); the workers are forked from here and keep it
            import pipeline.control

            pipeline.control.claims_of_candidates = lambda *_args, **_kwargs: []
        start, cpu = time.perf_counter(), cpu_seconds()
        claims = extract_corpus(iter(paths), gazetteer=gazetteer, cache=kind != "nocache")
        wall = time.perf_counter() - start
        own, children = peak_memory_mb()
        return {
            "wall": wall, "cpu": cpu_seconds() - cpu, "claims": len(claims),
            "digest": claims_digest(claims), "peak_self": own, "peak_child": children,
            **manifest,
        }
    if kind == "gazetteer":
        from pipeline.gazetteer import Matcher

        matcher = Matcher(gazetteer)
        start = time.perf_counter()
        matcher.find("Alep")  # the tables built once, before the clock
        setup = time.perf_counter() - start
        wall = cpu = screen = 0.0
        mentions = 0
        for batch in range(0, len(paths), 256):
            texts = [read_article(path).text for path in paths[batch : batch + 256]]
            start, clock = time.perf_counter(), time.process_time()
            mentions += sum(map(len, matcher.find_each(texts)))
            wall += time.perf_counter() - start
            cpu += time.process_time() - clock
            # the screen alone (the candidate places, before the exact check)
            start = time.perf_counter()
            matcher.screen(texts)
            screen += time.perf_counter() - start
        return {"wall": wall, "cpu": cpu, "setup": setup, "mentions": mentions,
                "screen": screen, **manifest}
    if kind in ("spacy", "spacy-one"):
        # the full pipeline (every pipe) over every sentence of every article, timed like
        # ours: from a fresh process, its start-up included; in one process (spaCy's
        # default) or on every core
        start = time.perf_counter()
        nlp = load_full_spacy()
        loaded = time.perf_counter() - start
        texts = [read_article(path).text for path in paths]
        cores = (os.cpu_count() or 1) if kind == "spacy" else 1
        tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16, n_process=cores))
        wall = time.perf_counter() - start
        return {
            "wall": wall, "start_up": loaded, "tokens": tokens,
            "bytes": sum(len(text.encode("utf-8")) for text in texts),
            "pipes": list(nlp.pipe_names), "cores": cores,
        }
    if kind == "regex":
        # what the first run on a machine does once: compile spaCy's tokenizer patterns and
        # keep them in the cache folder (pipeline.regex_cache)
        from pipeline.control import SPACY_MODEL
        from pipeline.regex_cache import preload_patterns, tokenizer_patterns

        start = time.perf_counter()
        stored = preload_patterns(tokenizer_patterns(SPACY_MODEL))
        return {"wall": time.perf_counter() - start, "from_storage": stored}
    if kind == "dask":
        from pipeline.corpus import extract_corpus_dask

        cores = os.cpu_count() or 1
        start = time.perf_counter()
        claims = extract_corpus_dask(
            paths, gazetteer=gazetteer, npartitions=4 * cores, cache=False, scheduler="processes"
        )
        return {"wall": time.perf_counter() - start, "digest": claims_digest(claims)}
    msg = f"unknown measure {kind!r}"
    raise ValueError(msg)


def load_full_spacy() -> Any:
    """spaCy's French model with every pipe and its default matrix library (BLIS), as a user
    loads it; its tokenizer patterns come from storage as ours do (``regex_cache``), so that
    both start the same way and the comparison is of the work itself."""
    import spacy

    from pipeline.control import SPACY_MODEL
    from pipeline.regex_cache import preload_patterns, tokenizer_patterns

    preload_patterns(tokenizer_patterns(SPACY_MODEL))
    return spacy.load(SPACY_MODEL)


def run_measure(kind: str, folder: Path, gazetteer: Path, cache: Path) -> dict[str, Any]:
    """``measure`` in a fresh Python process, with its own cache folder."""
    env = {**os.environ, "PIPELINE_CACHE_DIR": str(cache)}
    command = [sys.executable, __file__, "--measure", kind, "--corpus", str(folder),
               "--gazetteer", str(gazetteer)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        msg = f"measure {kind} on {folder} failed (exit {done.returncode})"
        raise RuntimeError(msg)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cold_again(folder: Path, gazetteer: Path, cache: Path, *, kind: str = "cold") -> float:
    """The wall time of one more cold run: the claims cache emptied (the stored tokenizer
    patterns kept, as for the first cold run). ``kind="floor"``: the same run without the
    analysis of the parses (its empty claims are not left in the cache)."""
    what = "cold cache, again" if kind == "cold" else "without the analysis (the floor)"
    say(f"corpus of {len(corpus_paths(folder)):,} articles: extraction, {what}")
    empty_claims_cache(cache)
    wall = float(run_measure(kind, folder, gazetteer, cache)["wall"])
    if kind != "cold":
        empty_claims_cache(cache)
    return wall


def empty_claims_cache(cache: Path) -> None:
    from pipeline.cache import DATABASE

    for leftover in cache.glob(f"{DATABASE}*"):  # with SQLite's journal, if any
        leftover.unlink()


def time_maps(folder: Path, gazetteer: Path, cache: Path, out: Path) -> float:
    """Wall time of ``python -m pipeline maps`` on the corpus."""
    env = {**os.environ, "PIPELINE_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "pipeline", "maps", "--gazetteer", str(gazetteer),
               "--seeds", str(folder), "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        msg = f"maps on {folder} failed (exit {done.returncode})"
        raise RuntimeError(msg)
    return took


# --- the report -------------------------------------------------------------------------


def run_bench(sizes: tuple[int, ...], *, gazetteer: Path, work: Path) -> dict[str, Any]:
    """Every measure on every corpus; the figures, as a mapping."""
    writer = CorpusWriter(district_names(gazetteer))
    figures: dict[str, Any] = {
        "sizes": {}, "load_before": os.getloadavg(), "python_loop": python_loop_ms(),
        "python_loop_all_cores": python_loop_all_cores_ms(),
    }
    for size in sizes:
        folder, cache = work / f"corpus-{size}", work / f"cache-{size}"
        say(f"corpus of {size:,} articles: writing")
        writer.write(folder, size)
        say(f"corpus of {size:,} articles: gazetteer pass")
        # three fresh processes, each with a new matcher: the VM's minute moves a single
        # pass by half; the row keeps the median one and every wall time
        passes = sorted(
            (run_measure("gazetteer", folder, gazetteer, cache) for _ in range(PASS_RUNS)),
            key=lambda measured: measured["wall"],
        )
        gazetteer_pass = {**passes[len(passes) // 2], "walls": [p["wall"] for p in passes]}
        say(f"corpus of {size:,} articles: spaCy's tokenizer patterns, compiled once")
        regex = run_measure("regex", folder, gazetteer, cache)
        say(f"corpus of {size:,} articles: extraction, cold cache")
        cold = run_measure("cold", folder, gazetteer, cache)
        say(f"corpus of {size:,} articles: extraction, warm cache")
        warm = run_measure("warm", folder, gazetteer, cache)
        say(f"corpus of {size:,} articles: make maps, then again (no-op)")
        first_maps = time_maps(folder, gazetteer, cache, work / f"out-{size}")
        noop = time_maps(folder, gazetteer, cache, work / f"out-{size}")
        say(f"corpus of {size:,} articles: every article touched, make maps (no-op, hashing)")
        for path in corpus_paths(folder):
            os.utime(path)
        touched = time_maps(folder, gazetteer, cache, work / f"out-{size}")
        row = {"gazetteer": gazetteer_pass, "regex": regex, "cold": cold, "warm": warm,
               "first_maps": first_maps, "noop_maps": noop, "touched_maps": touched}
        if size == SPACY_SIDE_BY_SIDE:
            # the machine's speed moves from minute to minute: our cold run is timed again
            # just before and after each full spaCy run, and the bar takes their median
            row["colds"] = [cold["wall"], cold_again(folder, gazetteer, cache)]
            row["floors"] = [cold_again(folder, gazetteer, cache, kind="floor")]
            say(f"corpus of {size:,} articles: the full spaCy pipeline, one process (minutes)")
            row["spacy_one"] = run_measure("spacy-one", folder, gazetteer, cache)
            row["floors"].append(cold_again(folder, gazetteer, cache, kind="floor"))
            row["colds"].append(cold_again(folder, gazetteer, cache))
            say(f"corpus of {size:,} articles: the full spaCy pipeline on every core")
            row["spacy"] = run_measure("spacy", folder, gazetteer, cache)
            row["colds"].append(cold_again(folder, gazetteer, cache))
            say(f"corpus of {size:,} articles: without the cache, and as a Dask bag")
            row["nocache"] = run_measure("nocache", folder, gazetteer, work / "no-cache")
            row["dask"] = run_measure("dask", folder, gazetteer, work / "no-cache")
        figures["sizes"][size] = row
    figures["load_after"] = os.getloadavg()
    return figures


def python_loop_ms() -> float:
    """How long this machine takes for ten million additions in a Python loop (best of 3):
    a yardstick for comparing figures taken on machines of other speeds, or under load."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _loop_ms(_: int = 0) -> float:
    return python_loop_ms()


def python_loop_all_cores_ms() -> float:
    """The same loop run on every core at once (the slowest core's time): a VM's cores may
    not all run at full speed together, and the extraction uses them all."""
    import multiprocessing

    cores = os.cpu_count() or 1
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        return max(pool.map(_loop_ms, range(cores)))


def say(text: str) -> None:
    print(f"  .. {text}", file=sys.stderr, flush=True)


def report(figures: dict[str, Any]) -> tuple[str, bool]:
    """The table of figures and the bars, as text; and whether every bar is met."""
    lines = [
        f"bench on {os.cpu_count()} cores; load average before {fmt_load(figures['load_before'])}, "
        f"after {fmt_load(figures['load_after'])}; a Python loop of 10^7 additions: "
        f"{figures['python_loop']:.0f} ms alone, "
        f"{figures.get('python_loop_all_cores', float('nan')):.0f} ms on every core at once",
        "",
        "| articles | MB | cold: s | MB/s | articles/s | gazetteer pass MB/s (CPU) | peak MB "
        "(main / worker) | warm: s | maps, first: s | maps, no-op: s | no-op, touched: s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    sizes = figures["sizes"]
    for size, row in sizes.items():
        cold, warm, gaz = row["cold"], row["warm"], row["gazetteer"]
        mb = cold["body_bytes"] / 1e6
        lines.append(
            f"| {size:,} | {mb:.1f} | {cold['wall']:.1f} | {mb / cold['wall']:.2f} | "
            f"{size / cold['wall']:.0f} | {mb / gaz['wall']:.0f} ({mb / gaz['cpu']:.0f}) | "
            f"{cold['peak_self']:.0f} / {cold['peak_child']:.0f} | {warm['wall']:.2f} | "
            f"{row['first_maps']:.1f} | {row['noop_maps']:.2f} | {row['touched_maps']:.2f} |"
        )
    regex = max(row["regex"]["wall"] for row in sizes.values())
    lines += ["", f"spaCy's tokenizer patterns, compiled and stored once per cache folder "
              f"(before each cold run): {regex:.1f} s at most"]
    checks: list[tuple[str, str, str, bool]] = []
    largest = max(sizes)
    big = sizes[largest]["cold"]
    rate = big["body_bytes"] / 1e6 / big["wall"]
    checks.append((f"end to end on {largest:,} articles (MB/s)", f"{rate:.2f}",
                   f">= {BAR_END_TO_END_MB_S}", rate >= BAR_END_TO_END_MB_S))
    if SPACY_SIDE_BY_SIDE in sizes:
        row = sizes[SPACY_SIDE_BY_SIDE]
        colds = row.get("colds", [row["cold"]["wall"]])
        ours = statistics.median(colds)
        lines += ["", f"ours, cold, on the {SPACY_SIDE_BY_SIDE:,} corpus, timed around the full "
                  f"spaCy runs: {', '.join(f'{wall:.2f}' for wall in colds)} s; median "
                  f"{ours:.2f} s"]
        for name, kind in (("spacy_one", "in one process (spaCy's default)"),
                           ("spacy", "on every core")):
            full = row[name]
            lines.append(
                f"full spaCy pipeline ({', '.join(full['pipes'])}) over every sentence of the "
                f"{SPACY_SIDE_BY_SIDE:,} corpus {kind}, {full['cores']} process(es), start-up "
                f"included ({full['start_up']:.1f} s): {full['wall']:.1f} s, "
                f"{full['bytes'] / 1e6 / full['wall']:.3f} MB/s, "
                f"{full['tokens'] / full['wall']:.0f} tokens/s; ours (median) {ours:.2f} s: "
                f"{full['wall'] / ours:.1f}x"
            )
        if "floors" in row:
            # what no work on our own analysis can beat: the run without it
            floor = statistics.median(row["floors"])
            lines.append(
                f"the design's floor, our cold run without the analysis of the parses (reading, "
                f"gazetteer pass, spaCy's start-up and parse of the candidate sentences), "
                f"just before and after the one-process spaCy run: "
                f"{', '.join(f'{wall:.2f}' for wall in row['floors'])} s; median {floor:.2f} s: "
                f"{row['spacy_one']['wall'] / floor:.1f}x at best"
            )
        speedup = row["spacy_one"]["wall"] / ours
        checks.append((f"speed-up over the full spaCy pipeline ({SPACY_SIDE_BY_SIDE:,})",
                       f"{speedup:.0f}x", f">= {BAR_SPEEDUP:.0f}x", speedup >= BAR_SPEEDUP))
        same = len({row["cold"]["digest"], row["warm"]["digest"], row["nocache"]["digest"],
                    row["dask"]["digest"]}) == 1
        lines.append(f"Dask bag (processes scheduler) on the {SPACY_SIDE_BY_SIDE:,} corpus: "
                     f"{row['dask']['wall']:.1f} s")
        checks.append(("claims identical: cold, warm cache, no cache, Dask",
                       "yes" if same else "NO", "yes", same))
    slowest = min(
        r["gazetteer"]["body_bytes"] / 1e6 / r["gazetteer"]["wall"] for r in sizes.values()
    )
    screens = ", ".join(
        f"{r['gazetteer']['body_bytes'] / 1e6 / r['gazetteer']['screen']:.0f}"
        for r in sizes.values()
    )
    lines.append(f"gazetteer pass, the screen alone (candidate places, before the exact "
                 f"check), MB/s per corpus: {screens}")
    for size, r in sizes.items():
        rates = ", ".join(
            f"{r['gazetteer']['body_bytes'] / 1e6 / wall:.0f}"
            for wall in r["gazetteer"].get("walls", [r["gazetteer"]["wall"]])
        )
        lines.append(f"gazetteer pass on {size:,} articles, fresh processes, MB/s: {rates} "
                     f"(the median is the figure above)")
    checks.append(("gazetteer pass, slowest corpus (MB/s)", f"{slowest:.0f}",
                   f">= {BAR_GAZETTEER_MB_S:.0f}", slowest >= BAR_GAZETTEER_MB_S))
    # the same bar on the largest corpus, where the matcher's first sight of each name (the
    # whole of a small corpus) weighs least: the pass's rate at scale
    biggest = sizes[largest]["gazetteer"]
    at_scale = biggest["body_bytes"] / 1e6 / biggest["wall"]
    checks.append((f"gazetteer pass, {largest:,} corpus (MB/s)", f"{at_scale:.0f}",
                   f">= {BAR_GAZETTEER_MB_S:.0f}", at_scale >= BAR_GAZETTEER_MB_S))
    noop = max(r["noop_maps"] for r in sizes.values())
    checks.append(("no-op make maps, slowest corpus (s)", f"{noop:.2f}", f"<= {BAR_NOOP_S}",
                   noop <= BAR_NOOP_S))
    if len(sizes) > 1:
        small = sorted(sizes)[-2]
        ratio = peak(sizes[largest]) / peak(sizes[small])
        checks.append((f"peak memory {largest:,} / {small:,}", f"{ratio:.2f}",
                       f"<= {BAR_MEMORY_RATIO}", ratio <= BAR_MEMORY_RATIO))
    lines += ["", "| bar | figure | wanted | |", "|---|---:|---:|---|"]
    lines += [f"| {name} | {got} | {want} | {'ok' if ok else 'MISSED'} |"
              for name, got, want, ok in checks]
    return "\n".join(lines), all(ok for *_, ok in checks)


def peak(row: dict[str, Any]) -> float:
    return max(row["cold"]["peak_self"], row["cold"]["peak_child"])  # type: ignore[no-any-return]


def fmt_load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.1f}" for x in load)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only 200 and 2,000 articles")
    parser.add_argument("--sizes", help="corpus sizes, comma-separated (default 200,2000,20000)")
    parser.add_argument("--gazetteer", default=str(ROOT / "gazetteer" / "aleppo.yaml"))
    parser.add_argument("--keep", help="write the corpora and caches here and keep them")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a bar is missed")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    gazetteer = Path(args.gazetteer).resolve()
    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.corpus), gazetteer)))
        return 0
    sizes = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        sizes = tuple(int(x) for x in args.sizes.split(","))
    if args.keep:
        work = Path(args.keep).resolve()
        work.mkdir(parents=True, exist_ok=True)
        figures = run_bench(sizes, gazetteer=gazetteer, work=work)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            figures = run_bench(sizes, gazetteer=gazetteer, work=Path(folder))
    text, met = report(figures)
    print(text)
    if args.json:
        print(json.dumps(figures, indent=1, default=str))
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
