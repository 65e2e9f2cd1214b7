"""The briefing: titled by what it covers, and light (Plotly written once beside it)."""

from __future__ import annotations

import re

from tests.conftest import EXAMPLES


def title_of(path) -> str:
    return re.search(r"<h1>(.*?)</h1>", path.read_text(encoding="utf-8")).group(1)


def test_plotly_is_written_once_beside_the_briefing(run_cli, example_db, tmp_path):
    out = tmp_path / "out"
    first = run_cli("brief", "--rules", EXAMPLES / "watch.yaml", "-o", out / "brief.html", "--db", example_db)
    assert first.exit_code == 0, first.output
    assert first.output.rstrip().endswith(f"-> {out / 'brief.html'} + {out / 'plotly.min.js'}")
    page = (out / "brief.html").read_text(encoding="utf-8")
    assert len(page.encode()) < 100_000  # was 4.8 MB with Plotly inlined
    assert '<script src="plotly.min.js"></script>' in page
    bundle = (out / "plotly.min.js").stat()
    assert bundle.st_size > 1_000_000
    # A second briefing in the same folder shares the bundle: it is not written again.
    second = run_cli("brief", "--actor", "RUS", "-o", out / "russia.html", "--db", example_db)
    assert second.exit_code == 0 and second.output.rstrip().endswith(f"-> {out / 'russia.html'}"), second.output
    assert (out / "plotly.min.js").stat().st_mtime_ns == bundle.st_mtime_ns


def test_self_contained_briefing_inlines_plotly(run_cli, example_db, tmp_path):
    result = run_cli("brief", "--self-contained", "-o", tmp_path / "brief.html", "--db", example_db)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert len(page.encode()) > 1_000_000 and "plotly.min.js" not in page
    assert not (tmp_path / "plotly.min.js").exists()


def test_the_title_says_what_the_briefing_covers(run_cli, example_db, tmp_path):
    run_cli("brief", "--actor", "rus", "--actor", "UKR", "-o", tmp_path / "dyad.html", "--db", example_db)
    assert title_of(tmp_path / "dyad.html") == "Russia and Ukraine, 22 Jul 2022 to 19 Jul 2023"
    result = run_cli("brief", "--rules", EXAMPLES / "watch.yaml", "-o", tmp_path / "all.html", "--db", example_db)
    title = title_of(tmp_path / "all.html")
    # Without a filter: the three most involved actors, how many more, and the dates covered
    assert re.fullmatch(r"[^,]+, [^,]+, [^,]+ and \d+ others, \d{1,2} \w{3} \d{4} to 20 Jul 2023", title), title
    assert "All happenings" not in result.output
    assert "from every happening stored, with the alerts of the watch rules in watch.yaml" in \
        (tmp_path / "all.html").read_text(encoding="utf-8")
    run_cli("brief", "--actor", "RUS", "-f", "md", "-o", tmp_path / "russia.md", "--db", example_db)
    head = (tmp_path / "russia.md").read_text(encoding="utf-8").splitlines()
    assert head[0].startswith("# Russia, ") and "from the happenings that involve Russia." in head[2]


def test_the_relations_graph_has_a_legend_of_the_colours_it_draws(example_db):
    import duckdb

    from redline import queries
    from redline.brief import relations_figure
    from redline.render import QUAD_COLOURS

    con = duckdb.connect(str(example_db), read_only=True)
    figure = relations_figure(queries.timeline(con, include_unfirm=True, limit=None)["items"])
    con.close()
    edges = [t for t in figure["data"] if t.get("showlegend") is False and t["mode"] == "lines"]
    legend = {t["name"]: t["line"]["color"] for t in figure["data"] if "name" in t}
    assert edges and {e["line"]["color"] for e in edges} == set(legend.values())
    assert all(QUAD_COLOURS[name] == colour for name, colour in legend.items())
