"""The database's schema: its migrations, and the names of its tables and columns that the writes use.

Each migration is applied once, in order, inside a transaction (`Store.migrate`); the applied
versions are recorded in schema_version. Never edit a released migration: append a new one.
"""

from __future__ import annotations

from redline.model import Failure

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE articles (
            id               VARCHAR PRIMARY KEY,
            outlet           VARCHAR,
            url              VARCHAR,
            title            VARCHAR,
            published        DATE,
            published_source VARCHAR,   -- manifest | page | record | NULL when unknown
            language         VARCHAR,
            language_score   DOUBLE,
            source_path      VARCHAR,
            source_format    VARCHAR,   -- txt | html | jsonl
            raw              VARCHAR,   -- the input as read (text or HTML)
            text             VARCHAR,   -- the clean article text; all offsets point here
            content_hash     VARCHAR,   -- sha256 of raw
            metadata_hash    VARCHAR,   -- sha256 of the metadata that was applied
            n_sentences      INTEGER,
            nlp_note         VARCHAR,   -- NULL when parsed; why the English stages skipped it
            ingested_at      TIMESTAMP
        );
        CREATE TABLE removed_lines (
            article_id VARCHAR NOT NULL,
            seq        INTEGER NOT NULL,  -- order in the input
            text       VARCHAR NOT NULL,
            reason     VARCHAR NOT NULL
        );
        CREATE TABLE sentences (
            article_id VARCHAR NOT NULL,
            seq        INTEGER NOT NULL,
            start_char INTEGER NOT NULL,
            end_char   INTEGER NOT NULL,
            text       VARCHAR NOT NULL
        );
        -- Short non-sentence lines of each article, per outlet: a line that many articles of
        -- one outlet share is page furniture (see clean.text).
        CREATE TABLE outlet_lines (
            outlet     VARCHAR NOT NULL,
            line       VARCHAR NOT NULL,
            article_id VARCHAR NOT NULL
        );
        CREATE TABLE quotes (
            id             VARCHAR,
            article_id     VARCHAR NOT NULL,
            speaker_name   VARCHAR,
            speaker_country VARCHAR,
            speaker_sector VARCHAR,
            speaker_role   VARCHAR,
            text           VARCHAR,
            kind           VARCHAR,   -- direct | partial | indirect
            cue            VARCHAR,
            start_char     INTEGER,
            end_char       INTEGER,
            sentence       VARCHAR
        );
        CREATE TABLE events (
            id             VARCHAR,
            article_id     VARCHAR NOT NULL,
            event_type     VARCHAR,
            mode           VARCHAR,
            source         STRUCT(name VARCHAR, country VARCHAR, sector VARCHAR)[],
            target         STRUCT(name VARCHAR, country VARCHAR, sector VARCHAR)[],
            date           DATE,
            date_precision VARCHAR,
            date_text      VARCHAR,
            location       STRUCT(name VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE),
            negated        BOOLEAN,
            modality       VARCHAR,
            attributed_to  STRUCT(name VARCHAR, country VARCHAR, sector VARCHAR),
            evidence       VARCHAR,
            trigger        VARCHAR,
            start_char     INTEGER,
            end_char       INTEGER,
            quad_class     VARCHAR,
            intensity      DOUBLE,
            confidence     DOUBLE
        );
        """,
    ),
    (
        2,
        """
        -- Canonical actors (people, organisations, states), one row per actor id, as last seen.
        CREATE TABLE actors (
            id      VARCHAR PRIMARY KEY,
            name    VARCHAR NOT NULL,
            kind    VARCHAR NOT NULL,  -- person | organisation | state
            country VARCHAR,
            sector  VARCHAR,
            role    VARCHAR
        );
        -- Each mention of an actor, with the country, sector and role it had in that article.
        CREATE TABLE mentions (
            article_id VARCHAR NOT NULL,
            start_char INTEGER NOT NULL,
            end_char   INTEGER NOT NULL,
            text       VARCHAR NOT NULL,
            actor_id   VARCHAR NOT NULL,
            country    VARCHAR,
            sector     VARCHAR,
            role       VARCHAR,
            method     VARCHAR NOT NULL  -- dictionary | metonym | role | surname | fuzzy | title | ner
        );
        ALTER TABLE quotes ADD COLUMN speaker_id VARCHAR;
        """,
    ),
    (
        3,
        """
        -- Where in the evidence sentence the trigger word stands.
        ALTER TABLE events ADD COLUMN trigger_start INTEGER;
        ALTER TABLE events ADD COLUMN trigger_end INTEGER;
        """,
    ),
    (
        4,
        """
        -- Content lemmas of each article (from the parse), for story clustering.
        ALTER TABLE articles ADD COLUMN terms VARCHAR[];
        -- The stories stage's output, rebuilt as a whole (see redline.stories).
        CREATE TABLE lineage (
            article_id   VARCHAR PRIMARY KEY,
            derived_from VARCHAR NOT NULL,  -- the earliest article of its lineage
            duplicate_of VARCHAR,           -- set for copies, NULL for rewrites
            similarity   DOUBLE,
            relation     VARCHAR NOT NULL   -- copy | rewrite
        );
        CREATE TABLE stories (
            id         VARCHAR PRIMARY KEY,  -- h-... (a happening) or s-... (a running story)
            level      VARCHAR NOT NULL,     -- happening | story
            story_id   VARCHAR,              -- for a happening: the running story it belongs to
            label      VARCHAR,
            actors     VARCHAR[],
            terms      VARCHAR[],
            first_date DATE,
            last_date  DATE,
            articles   INTEGER,
            sources    INTEGER,              -- articles with copies of one lineage counted once
            outlets    VARCHAR[]
        );
        CREATE TABLE article_stories (
            article_id   VARCHAR PRIMARY KEY,
            happening_id VARCHAR NOT NULL,
            story_id     VARCHAR NOT NULL,
            similarity   DOUBLE
        );
        CREATE TABLE happenings (
            id             VARCHAR PRIMARY KEY,  -- e-...
            happening_id   VARCHAR,              -- the happening (story level) of its first report
            story_id       VARCHAR,
            event_type     VARCHAR,
            mode           VARCHAR,
            source         STRUCT(name VARCHAR, country VARCHAR, sector VARCHAR)[],
            target         STRUCT(name VARCHAR, country VARCHAR, sector VARCHAR)[],
            date           DATE,
            date_precision VARCHAR,
            date_text      VARCHAR,
            location       STRUCT(name VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE),
            modality       VARCHAR,
            negated        BOOLEAN,
            disputed       BOOLEAN,
            quad_class     VARCHAR,
            intensity      DOUBLE,
            confidence     DOUBLE,
            sources        INTEGER,
            outlets        VARCHAR[],
            articles       INTEGER,
            mentions       INTEGER,
            first_reported DATE,
            first_article  VARCHAR,
            evidence       STRUCT(event_id VARCHAR, article_id VARCHAR, outlet VARCHAR, published DATE,
                                  sentence VARCHAR, negated BOOLEAN, modality VARCHAR, attributed_to VARCHAR)[]
        );
        CREATE TABLE happening_events (happening_id VARCHAR NOT NULL, event_id VARCHAR NOT NULL);
        """,
    ),
    (
        5,
        # Whole-corpus stages (stories, search index) record the articles they were built from,
        # so that a run killed between ingest and those stages is completed by the next run.
        """
        CREATE TABLE stage_runs (stage VARCHAR PRIMARY KEY, fingerprint VARCHAR NOT NULL, finished_at TIMESTAMP);
        """,
    ),
    (
        6,
        # An article that a stage failed on, as it was read: the next run skips it while it is
        # unchanged, and `redline ingest --retry-failed` tries it again from here.
        """
        CREATE TABLE failures (
            article_id    VARCHAR PRIMARY KEY,
            source_path   VARCHAR,   -- the file, URL or upload it came from
            line          INTEGER,   -- its line in a .jsonl file
            stage         VARCHAR NOT NULL,  -- clean | a spaCy component (parser, redline_events ...) | store
            problem       VARCHAR NOT NULL,
            source_format VARCHAR,
            is_html       BOOLEAN,
            raw           VARCHAR,   -- the input as read
            meta          VARCHAR,   -- JSON: the metadata that was applied (manifest, record, feed)
            content_hash  VARCHAR,
            metadata_hash VARCHAR,
            failed_at     TIMESTAMP
        );
        """,
    ),
    (
        7,
        """
        -- Where the outlet came from, as published_source: manifest | record | page | NULL when unknown
        ALTER TABLE articles ADD COLUMN outlet_source VARCHAR;
        """,
    ),
    (
        8,
        # The stories stage's working state, so that new articles are placed without re-reading
        # the corpus (see redline.stories.state): document frequencies, the clusters with their
        # centroids, the posting lists that find candidate clusters, and the copy finder's recent
        # articles with their MinHash LSH bands.
        """
        CREATE TABLE story_state (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
        CREATE TABLE story_df (space VARCHAR NOT NULL, key VARCHAR NOT NULL, df INTEGER NOT NULL,
                               PRIMARY KEY (space, key));
        CREATE TABLE story_clusters (
            id       VARCHAR PRIMARY KEY,  -- the stories row it makes (h-... or s-...)
            level    VARCHAR NOT NULL,     -- happening | story
            parent   VARCHAR,              -- for a happening: its running story
            last_day INTEGER NOT NULL,     -- proleptic ordinal of its latest article
            is_open  BOOLEAN NOT NULL,     -- still in its level's window
            centroid VARCHAR NOT NULL,     -- JSON: space -> key -> summed weight
            norms    VARCHAR NOT NULL,     -- JSON: space -> norm of the centroid
            indexed  VARCHAR[] NOT NULL    -- the posting lists it is in
        );
        CREATE TABLE story_postings (level VARCHAR NOT NULL, key VARCHAR NOT NULL, cluster VARCHAR NOT NULL,
                                     rank INTEGER NOT NULL);  -- oldest first
        CREATE TABLE copy_state (
            article_id  VARCHAR PRIMARY KEY,
            seq         BIGINT NOT NULL,    -- arrival order
            day         INTEGER,            -- NULL: undated
            kept_day    INTEGER NOT NULL,   -- the day it leaves the window from (undated: the day it came)
            root        VARCHAR NOT NULL,   -- the earliest article of its lineage
            shingle_hash UBIGINT[] NOT NULL,
            word_hash   UBIGINT[] NOT NULL,
            sentences   VARCHAR[][] NOT NULL
        );
        CREATE TABLE copy_bands (kind TINYINT NOT NULL, band BIGINT NOT NULL, article_id VARCHAR NOT NULL);
        """,
    ),
    (
        9,
        # Quote provenance (redline.provenance): each news quote against its speaker's primary
        # passages (transcript statements, earlier articles' quotes), kept up to date after ingest.
        """
        -- The articles the stage has seen, as ingested then: a new ingested_at means replaced.
        CREATE TABLE provenance_articles (article_id VARCHAR NOT NULL, ingested_at TIMESTAMP);
        -- The primary passages (quotes rows) that news quotes are looked up among.
        CREATE TABLE provenance_sources (
            quote_id   VARCHAR NOT NULL,
            article_id VARCHAR NOT NULL,
            speaker_id VARCHAR NOT NULL,
            published  DATE NOT NULL,
            transcript BOOLEAN NOT NULL,  -- a transcript's statement, else an article's direct or partial quote
            start_char INTEGER NOT NULL,  -- the passage, in its article's text
            text       VARCHAR NOT NULL
        );
        CREATE INDEX provenance_sources_quote ON provenance_sources (quote_id);
        -- The inverted index: a key (speaker and two content words, hashed) -> the passages holding
        -- it, with what filters them (so that a lookup reads the index and nothing else).
        CREATE TABLE provenance_keys (
            key        BIGINT NOT NULL,
            quote_id   VARCHAR NOT NULL,
            article_id VARCHAR NOT NULL,
            published  DATE NOT NULL,
            transcript BOOLEAN NOT NULL
        );
        CREATE INDEX provenance_keys_key ON provenance_keys (key);
        CREATE TABLE quote_provenance (
            quote_id          VARCHAR NOT NULL,
            article_id        VARCHAR NOT NULL,
            source_article_id VARCHAR,    -- NULL when nothing was found
            source_quote_id   VARCHAR,
            start_char        INTEGER,    -- the matched passage, in the source article's text
            end_char          INTEGER,
            similarity        DOUBLE,     -- difflib ratio of the quote's words and the passage's
            grade             VARCHAR,    -- verbatim | trimmed | altered | paraphrase | not found | NULL (no primary source)
            diff              VARCHAR     -- JSON: [{op, source, quote}] where the words differ
        );
        """,
    ),
    (
        10,
        # The search index (redline.search) as tables of their own, kept up to date by each
        # stories run (the documents that changed, not all of them): each document's version,
        # each posting's document length, and the corpus totals BM25 needs, so that what
        # depends on the whole corpus is computed when a query runs. The tables a whole
        # rebuild made before go; the next stories run (`redline ingest`) fills the new ones.
        """
        DROP TABLE IF EXISTS search_docs;
        DROP TABLE IF EXISTS search_postings;
        DROP TABLE IF EXISTS search_terms;
        CREATE TABLE search_docs (
            doc_id  VARCHAR NOT NULL,  -- kind:id
            kind    VARCHAR NOT NULL,  -- article | actor | quote | happening
            ref     VARCHAR,           -- what a hit opens
            title   VARCHAR,
            snippet VARCHAR,
            length  INTEGER NOT NULL,  -- indexed terms
            version UBIGINT NOT NULL   -- hash of the stored fields it was made from
        );
        CREATE TABLE search_postings (term VARCHAR NOT NULL, doc_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
                                      tf INTEGER NOT NULL, length INTEGER NOT NULL,
                                      run INTEGER NOT NULL);  -- the update (or merge) that wrote it
        -- Each run of postings written sorted by term, and how many it wrote (small ones are merged).
        CREATE TABLE search_runs (run INTEGER NOT NULL, postings BIGINT NOT NULL);
        CREATE TABLE search_stats (docs BIGINT NOT NULL, total_length BIGINT NOT NULL);
        INSERT INTO search_stats VALUES (0, 0);
        DELETE FROM stage_runs WHERE stage = 'stories';
        """,
    ),
]

PROVENANCE_TABLES = ("provenance_articles", "provenance_sources", "provenance_keys", "quote_provenance")

STORY_TABLES = ("lineage", "stories", "article_stories", "happenings", "happening_events")
# The stories stage's working state (migration 8): emptied by a full rebuild.
STORY_STATE_TABLES = ("story_state", "story_df", "story_clusters", "story_postings", "copy_state", "copy_bands")
HAPPENING_COLUMNS = (
    "id", "happening_id", "story_id", "event_type", "mode", "source", "target", "date", "date_precision",
    "date_text", "location", "modality", "negated", "disputed", "quad_class", "intensity", "confidence",
    "sources", "outlets", "articles", "mentions", "first_reported", "first_article", "evidence",
)

EVENT_COLUMNS = (
    "id", "article_id", "event_type", "mode", "source", "target", "date", "date_precision", "date_text",
    "location", "negated", "modality", "attributed_to", "evidence", "trigger", "start_char", "end_char",
    "trigger_start", "trigger_end", "quad_class", "intensity", "confidence",
)

# Tables holding rows that belong to one article (deleted with it when it is replaced).
ARTICLE_CHILD_TABLES = ("removed_lines", "sentences", "outlet_lines", "mentions", "quotes", "events")
# The columns of `articles` written as they are from an ArticleRecord's attributes (the others:
# n_sentences, counted, and ingested_at, the time of the write).
ARTICLE_COLUMNS = ("id", "outlet", "url", "title", "published", "published_source", "language", "language_score",
                   "source_path", "source_format", "raw", "text", "content_hash", "metadata_hash", "nlp_note",
                   "terms", "outlet_source")

FAILURE_COLUMNS = tuple(Failure.__dataclass_fields__)
