"""The stories stage's state in the database (migration 8), read by an incremental run and
written by every run, inside the run's one transaction.

- `story_df`: per feature, how many placed articles have it (and `n` in `story_state`): the IDF;
- `story_clusters`: each happening and running story, with its centroids, its last day and
  whether it is still in its level's window;
- `story_postings`: per level and feature, the clusters that last took an article with it,
  oldest first: how a new article finds its candidate clusters;
- `copy_state`, `copy_bands`: the copy finder's articles still in its window, with their
  MinHashes and sentences, and their LSH bands: a new article's candidate copies are the
  stored articles sharing a band with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from typing import Iterable

import duckdb
import pyarrow as pa

from redline.store import Store
from redline.store.schema import EVENT_COLUMNS, HAPPENING_COLUMNS
from redline.stories.clusters import Cluster, StreamClusterer
from redline.stories.copies import CopyFinder, stored_minhash
from redline.stories.happenings import Mention, date_interval, happening_record, merge_events, parties

STATE_VERSION = 1  # raise when what is stored, or how it is read, changes: the next run rebuilds
LEVELS = ("happening", "story")


def fingerprint() -> str:
    """The settings the stored state was built with: when they change, the next run rebuilds."""
    from redline.stories import HAPPENING, RUNNING

    finder = {k: v for k, v in vars(CopyFinder()).items() if not k.startswith("_")}
    return hashlib.sha1(repr((STATE_VERSION, HAPPENING, RUNNING, sorted(finder.items()))).encode()).hexdigest()[:16]


def _keys(con: duckdb.DuckDBPyConnection, name: str, values: Iterable) -> None:
    """A temporary one-column table `name` (column `k`) to join the state tables with."""
    arrow_rows = pa.table({"k": pa.array(sorted(set(values)), pa.string())})  # noqa: F841 - read by name below
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT k FROM arrow_rows")


# -- reading --------------------------------------------------------------------------
def read(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM story_state").fetchall())


def rebuild_reason(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the stored state cannot be built on (then the run rebuilds), or None."""
    state = read(con)
    if "last_day" not in state:  # none yet, or a run that placed nothing
        return "no stored state"
    if state.get("fingerprint") != fingerprint():
        return "the settings changed"
    gone = con.execute("""SELECT count(*) FROM article_stories s LEFT JOIN articles a ON a.id = s.article_id
                          WHERE a.id IS NULL""").fetchone()[0]
    replaced = con.execute("""SELECT count(*) FROM articles a JOIN article_stories s ON s.article_id = a.id
                              WHERE a.ingested_at > (SELECT finished_at FROM stage_runs WHERE stage = 'stories')""").fetchone()[0]
    if gone or replaced:
        return "articles were replaced or deleted"
    # Placing runs in the order a rebuild reads (date, undated last, then id): an article that
    # comes before the last one placed would meet clusters that have moved on since, and get
    # another answer than a rebuild gives it (an ingest retried after failures, a late feed item).
    last = con.execute("""SELECT a.published, a.id FROM articles a JOIN article_stories s ON s.article_id = a.id
                          ORDER BY a.published DESC NULLS FIRST, a.id DESC LIMIT 1""").fetchone()
    before_last = ("(a.published IS NOT NULL OR a.id < ?)" if last and last[0] is None else
                   "(a.published < ? OR (a.published = ? AND a.id < ?))")
    params = [last[1]] if last and last[0] is None else [last[0], last[0], last[1]] if last else []
    earlier = last is not None and con.execute(
        f"""SELECT count(*) FROM articles a WHERE {before_last}
              AND NOT EXISTS (SELECT 1 FROM article_stories s WHERE s.article_id = a.id)""", params).fetchone()[0]
    if earlier:
        return "articles that come before the last one placed (date, then id)"
    return None


def load_df(con: duckdb.DuckDBPyConnection, df: dict[str, Counter]) -> dict[str, Counter]:
    """The stored document frequencies of the features in `df`."""
    _keys(con, "wanted_df", (f"{space}\t{key}" for space, counts in df.items() for key in counts))
    rows = con.execute("""SELECT d.space, d.key, d.df FROM story_df d
                          JOIN wanted_df w ON w.k = d.space || chr(9) || d.key""").fetchall()
    out: dict[str, Counter] = {}
    for space, key, n in rows:
        out.setdefault(space, Counter())[key] = n
    return out


def load_postings(con: duckdb.DuckDBPyConnection, level: str, keys: Iterable[str]) -> dict[str, list[str]]:
    _keys(con, "wanted_keys", keys)
    rows = con.execute("""SELECT p.key, list(p.cluster ORDER BY p.rank) FROM story_postings p
                          JOIN wanted_keys w ON w.k = p.key WHERE p.level = ? GROUP BY p.key""", [level]).fetchall()
    return dict(rows)


def load_clusters(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> list[tuple[Cluster, bool]]:
    _keys(con, "wanted_clusters", ids)
    rows = con.execute("""SELECT c.id, c.parent, c.last_day, c.is_open, c.centroid, c.norms, c.indexed
                          FROM story_clusters c JOIN wanted_clusters w ON w.k = c.id""").fetchall()
    return [(Cluster(cid, last_day, parent, centroid=json.loads(centroid), norms=json.loads(norms), indexed=set(indexed)),
             is_open) for cid, parent, last_day, is_open, centroid, norms, indexed in rows]


def load_copies(con: duckdb.DuckDBPyConnection, bands: Iterable[tuple[int, int]], from_day: int) -> list[tuple]:
    """The stored articles sharing an LSH band with `bands`, still in the window on `from_day`,
    in arrival order, as `CopyFinder.adopt` takes them."""
    wanted = sorted(set(bands))
    arrow_rows = pa.table({"kind": [k for k, _ in wanted], "band": [b for _, b in wanted]})  # noqa: F841
    rows = con.execute("""SELECT c.article_id, c.seq, c.day, c.root, c.shingle_hash, c.word_hash, c.sentences
                          FROM copy_state c
                          WHERE c.kept_day >= ? AND c.article_id IN (
                              SELECT b.article_id FROM copy_bands b JOIN arrow_rows t ON t.kind = b.kind AND t.band = b.band)
                          ORDER BY c.seq""", [from_day]).fetchall()
    return [(a, seq, day, root, stored_minhash(sh), stored_minhash(wh), [frozenset(s) for s in sentences])
            for a, seq, day, root, sh, wh, sentences in rows]


def placed_before(con: duckdb.DuckDBPyConnection, article_id: str) -> tuple[str, str, float] | None:
    row = con.execute("SELECT happening_id, story_id, similarity FROM article_stories WHERE article_id = ?",
                      [article_id]).fetchone()
    return tuple(row) if row else None


# -- writing (inside the run's transaction) ------------------------------------------------
def write(con: duckdb.DuckDBPyConnection, placer, df: dict[str, Counter], n_new: int, actor_names,
          new_articles: list[str] | None) -> None:
    """Everything one run found: the new articles' lineage and clusters, the clusters' and
    happenings' records they changed, and the state the next run starts from.
    `new_articles` None: a rebuild (every event is merged again)."""
    from redline.stories import _label

    links = list(placer.lineage.values())
    Store._append(con, "lineage", {
        "article_id": [x.article_id for x in links], "derived_from": [x.derived_from for x in links],
        "duplicate_of": [x.duplicate_of for x in links], "similarity": [x.similarity for x in links],
        "relation": [x.relation for x in links],
    })
    placed = placer.placed
    Store._append(con, "article_stories", {
        "article_id": list(placed), "happening_id": [v[0] for v in placed.values()],
        "story_id": [v[1] for v in placed.values()], "similarity": [v[2] for v in placed.values()],
    })
    _write_df(con, df, n_new)
    last_day = placer.last_day
    for level, clusterer in zip(LEVELS, (placer.happenings, placer.stories)):
        _write_clusters(con, level, clusterer, last_day)
    _write_copies(con, placer.copies, list(placed), last_day)
    # The records of the clusters that took articles: counts from the stored members.
    joined = {v[0] for v in placed.values()} | {v[1] for v in placed.values()}
    clusters = [c for clusterer in (placer.happenings, placer.stories) for cid, c in clusterer.clusters.items() if cid in joined]
    names = dict(con.execute("SELECT id, name FROM actors WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                             [sorted({k for c in clusters for k in c.centroid.get("actors", {})})]).fetchall()) \
        if actor_names is None else actor_names
    labels = [(c, *_label(c, names)) for c in clusters]
    arrow_rows = pa.table({  # noqa: F841 - read by name below
        "id": [c.id for c, *_ in labels], "level": ["happening" if c.id.startswith("h-") else "story" for c, *_ in labels],
        "story_id": [c.parent if c.id.startswith("h-") else None for c, *_ in labels],
        "label": [label for *_, label in labels], "actors": [a for _, a, _, _ in labels], "terms": [t for _, _, t, _ in labels],
    })
    con.execute("DELETE FROM stories WHERE id IN (SELECT id FROM arrow_rows)")
    con.execute("""INSERT INTO stories (id, level, story_id, label, actors, terms, first_date, last_date, articles, sources, outlets)
                   SELECT t.id, t.level, t.story_id, t.label, t.actors, t.terms, min(a.published), max(a.published),
                          count(*)::INTEGER, count(DISTINCT coalesce(l.derived_from, m.article_id))::INTEGER,
                          coalesce(list_sort(list(DISTINCT a.outlet) FILTER (WHERE a.outlet IS NOT NULL)), [])
                   FROM arrow_rows t
                   JOIN (SELECT happening_id AS id, article_id FROM article_stories
                         UNION ALL SELECT story_id, article_id FROM article_stories) m ON m.id = t.id
                   JOIN articles a ON a.id = m.article_id
                   LEFT JOIN lineage l ON l.article_id = m.article_id
                   GROUP BY ALL""")
    _write_happenings(con, new_articles)
    if last_day is not None:
        con.execute("INSERT OR REPLACE INTO story_state VALUES ('fingerprint', ?), ('last_day', ?)",
                    [fingerprint(), str(last_day)])


def _write_df(con: duckdb.DuckDBPyConnection, df: dict[str, Counter], n_new: int) -> None:
    rows = [(space, key, n) for space, counts in df.items() for key, n in counts.items()]
    arrow_rows = pa.table({"space": [r[0] for r in rows], "key": [r[1] for r in rows],  # noqa: F841
                      "df": pa.array([r[2] for r in rows], pa.int32())})
    con.execute("""INSERT INTO story_df SELECT space, key, df FROM arrow_rows
                   ON CONFLICT (space, key) DO UPDATE SET df = story_df.df + excluded.df""")
    n = int(read(con).get("n", 0)) + n_new
    con.execute("INSERT OR REPLACE INTO story_state VALUES ('n', ?)", [str(n)])


def _write_clusters(con: duckdb.DuckDBPyConnection, level: str, clusterer: StreamClusterer, last_day: int) -> None:
    """The clusters this run changed, the posting lists it changed, and the clusters that left
    the window meanwhile (not read by this run: closed here, as the stream would have)."""
    is_open = clusterer.open_clusters()
    touched = [clusterer.clusters[cid] for cid in sorted(clusterer.touched)]
    arrow_rows = pa.table({  # noqa: F841 - read by name below
        "id": [c.id for c in touched], "level": [level] * len(touched), "parent": [c.parent for c in touched],
        "last_day": pa.array([c.last_day for c in touched], pa.int32()), "is_open": [c.id in is_open for c in touched],
        "centroid": [json.dumps(c.centroid) for c in touched], "norms": [json.dumps(c.norms) for c in touched],
        "indexed": pa.array([sorted(c.indexed) for c in touched], pa.list_(pa.string())),
    })
    con.execute("DELETE FROM story_clusters WHERE id IN (SELECT id FROM arrow_rows)")
    con.execute("INSERT INTO story_clusters SELECT * FROM arrow_rows")
    # Postings: those of the clusters closed here go; the lists this run changed are written whole.
    _keys(con, "closed_here", clusterer.closed)
    _keys(con, "touched_keys", clusterer.touched_keys)
    con.execute("""DELETE FROM story_postings WHERE level = ? AND (cluster IN (SELECT k FROM closed_here)
                   OR key IN (SELECT k FROM touched_keys))""", [level])
    lists = clusterer.postings(clusterer.touched_keys)
    rows = [(key, cid, rank) for key, ids in lists.items() for rank, cid in enumerate(ids)]
    postings = pa.table({"level": [level] * len(rows), "key": [r[0] for r in rows],  # noqa: F841
                         "cluster": [r[1] for r in rows], "rank": pa.array([r[2] for r in rows], pa.int32())})
    con.execute("INSERT INTO story_postings SELECT * FROM postings")
    closed = con.execute("""UPDATE story_clusters SET is_open = false
                            WHERE level = ? AND is_open AND ? - last_day > ? RETURNING id""",
                         [level, last_day, clusterer.s.window_days]).fetchall()
    if closed:
        _keys(con, "closed_now", (cid for cid, in closed))
        con.execute("DELETE FROM story_postings WHERE level = ? AND cluster IN (SELECT k FROM closed_now)", [level])


def _write_copies(con: duckdb.DuckDBPyConnection, finder: CopyFinder, articles: list[str], last_day: int) -> None:
    """The new articles still in the copy finder's window, with their bands; those that left it go."""
    rows = [(a, kept) for a in articles if (kept := finder.kept(a))]
    arrow_rows = pa.table({  # noqa: F841 - read by name below
        "article_id": [a for a, _ in rows], "seq": pa.array([k[0] for _, k in rows], pa.int64()),
        "day": pa.array([k[1] for _, k in rows], pa.int32()),
        "kept_day": pa.array([k[1] if k[1] is not None else last_day for _, k in rows], pa.int32()),
        "root": [k[2] for _, k in rows],
        "shingle_hash": pa.array([k[3].hashvalues for _, k in rows], pa.list_(pa.uint64())),
        "word_hash": pa.array([k[4].hashvalues for _, k in rows], pa.list_(pa.uint64())),
        "sentences": pa.array([[sorted(s) for s in k[5]] for _, k in rows], pa.list_(pa.list_(pa.string()))),
    })
    con.execute("INSERT INTO copy_state SELECT * FROM arrow_rows")
    bands = [(kind, band, a) for a, k in rows for kind, band in finder.bands(k[3], k[4])]
    band_table = pa.table({"kind": pa.array([b[0] for b in bands], pa.int8()),  # noqa: F841
                           "band": pa.array([b[1] for b in bands], pa.int64()), "article_id": [b[2] for b in bands]})
    con.execute("INSERT INTO copy_bands SELECT * FROM band_table")
    window = finder.window_days
    con.execute("DELETE FROM copy_bands WHERE article_id IN (SELECT article_id FROM copy_state WHERE ? - kept_day > ?)",
                [last_day, window])
    con.execute("DELETE FROM copy_state WHERE ? - kept_day > ?", [last_day, window])


# -- happenings (merged events) ------------------------------------------------------------
_MENTION_SQL = f"""SELECT {', '.join('e.' + c for c in EVENT_COLUMNS)}, a.published AS _published, a.outlet AS _outlet,
                          coalesce(l.derived_from, e.article_id) AS _root
                   FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN lineage l ON l.article_id = e.article_id"""


def _mentions(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[Mention]:
    cur = con.execute(f"{_MENTION_SQL} {where} ORDER BY e.article_id, e.start_char", params)
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        e = dict(zip(names, row))
        published, outlet, root = e.pop("_published"), e.pop("_outlet"), e.pop("_root")
        out.append(Mention(event=e, published=published, outlet=outlet, lineage=root, interval=date_interval(e),
                           sources=parties(e["source"]), targets=parties(e["target"])))
    return out


def _swept(m: Mention) -> bool:
    """Does `merge_events` compare this mention with others (else it stays alone)?"""
    from redline.stories.happenings import WIDEST_INTERVAL_DAYS

    return bool(m.all_parties) and m.interval is not None and m.interval[1] - m.interval[0] <= WIDEST_INTERVAL_DAYS


def _write_happenings(con: duckdb.DuckDBPyConnection, new_articles: list[str] | None) -> None:
    """Merge the new articles' events with the stored happenings they can join.

    Exact, not approximate: `merge_events` sweeps each event type in date order, and a
    happening whose mentions all end more than DATE_TOLERANCE_DAYS before the earliest new
    mention of its type is closed before that mention comes; so merging the new mentions
    with every stored happening of their type that ends later (its mentions reach at most
    WIDEST_INTERVAL_DAYS past their date) gives what merging everything again would.
    """
    from redline.stories.happenings import DATE_TOLERANCE_DAYS, WIDEST_INTERVAL_DAYS

    if new_articles is None:
        mentions, replaced = _mentions(con, "", []), []
    else:
        _keys(con, "new_articles", new_articles)
        mentions = _mentions(con, "WHERE e.article_id IN (SELECT k FROM new_articles)", [])
        starts: dict[str, int] = {}
        for m in mentions:
            if _swept(m):
                starts[m.event["event_type"]] = min(starts.get(m.event["event_type"], m.interval[0]), m.interval[0])
        replaced = []
        for event_type, start in sorted(starts.items()):
            since = dt.date.fromordinal(start - WIDEST_INTERVAL_DAYS - DATE_TOLERANCE_DAYS - 1)
            replaced += [h for h, in con.execute(
                """SELECT DISTINCT he.happening_id FROM happening_events he JOIN events e ON e.id = he.event_id
                   WHERE e.event_type = ? AND e.date >= ?""", [event_type, since]).fetchall()]
        if replaced:
            _keys(con, "replaced", replaced)
            mentions += _mentions(con, "WHERE e.id IN (SELECT he.event_id FROM happening_events he "
                                       "WHERE he.happening_id IN (SELECT k FROM replaced))", [])
            con.execute("DELETE FROM happenings WHERE id IN (SELECT k FROM replaced)")
            con.execute("DELETE FROM happening_events WHERE happening_id IN (SELECT k FROM replaced)")
    groups = merge_events(mentions)
    records = [happening_record(g) for g in groups]
    _keys(con, "first_articles", (r["first_article"] for r in records))
    placed = {a: (h, s) for a, h, s in con.execute(
        "SELECT article_id, happening_id, story_id FROM article_stories WHERE article_id IN (SELECT k FROM first_articles)").fetchall()}
    for r in records:
        r["happening_id"], r["story_id"] = placed.get(r["first_article"], (None, None))
    if records:
        Store._append(con, "happenings", {c: [r[c] for r in records] for c in HAPPENING_COLUMNS})
    links = [(r["id"], m.event["id"]) for r, g in zip(records, groups) for m in g]
    Store._append(con, "happening_events", {"happening_id": [h for h, _ in links], "event_id": [e for _, e in links]})
