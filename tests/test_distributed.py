"""The Dask engine on a real LocalCluster of 2 worker processes: the same database as a run on one
machine, resumable from its Parquet partitions, and a worker killed mid-partition costs nothing."""

import os
import signal
import threading
import time

import pytest

from redline.ingest.distributed import DaskIngest, partitions
from redline.store import Store
from tests.conftest import EXAMPLES, contents, copied_corpus, one_machine_contents


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return copied_corpus(tmp_path_factory.mktemp("dask-corpus"), 3)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """The same corpus ingested on one machine, one process, with the CLI."""
    return one_machine_contents(corpus, tmp_path_factory.mktemp("one-machine") / "one.duckdb")


def dask_ingest(corpus, db, cluster, parquet, **options):
    from redline.stories import rebuild

    with Store(db) as store:
        report = DaskIngest(store, scheduler=cluster.scheduler_address, parquet=parquet, files_per_partition=5,
                            **options).run([corpus])
        rebuild(store)
    return report


def test_dask_run_equals_the_one_machine_run(corpus, reference, cluster, tmp_path):
    parts = tmp_path / "parts"
    report = dask_ingest(corpus, tmp_path / "dask.duckdb", cluster, parts)
    assert not report.errors and len(report.stored) == len(list(corpus.iterdir()))
    assert contents(tmp_path / "dask.duckdb") == reference
    # The partitions stay (--parquet), complete, and DuckDB reads them in place.
    finished = sorted(parts.glob("part-*"))
    assert len(finished) == -(-len(report.stored) // 5) and not list(parts.glob(".part-*"))
    with Store(tmp_path / "dask.duckdb", read_only=True) as store:
        in_place = store.con.execute(f"SELECT count(*) FROM read_parquet('{parts}/part-*/events.parquet')").fetchone()[0]
    assert in_place == len(reference["events"])
    # A second run over the same files finds every partition done and every article stored.
    again = dask_ingest(corpus, tmp_path / "dask.duckdb", cluster, parts)
    assert again.stored == [] and len(again.unchanged) == len(report.stored)


def test_every_input_format_and_the_manifest_go_through_dask(example_db, cluster, tmp_path):
    """The example corpus (text, HTML, JSONL, a French article, a manifest) as the local ingest stores it."""
    from redline.ingest.manifest import Manifest

    report = dask_ingest(EXAMPLES / "corpus", tmp_path / "ex.duckdb", cluster, tmp_path / "parts",
                         manifest=Manifest.load(EXAMPLES / "manifest.csv"))
    assert not report.errors
    assert contents(tmp_path / "ex.duckdb") == contents(example_db)


@pytest.mark.reliability
def test_a_worker_killed_mid_partition_loses_nothing(cluster, tmp_path, tally):
    from distributed import Client

    corpus = copied_corpus(tmp_path / "corpus", 10)
    reference = one_machine_contents(corpus, tmp_path / "one.duckdb", workers=2)

    with Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
    result = {}
    run = threading.Thread(target=lambda: result.update(report=dask_ingest(corpus, tmp_path / "k.duckdb", cluster,
                                                                             tmp_path / "parts")))
    run.start()
    time.sleep(3)  # partitions are being parsed
    assert run.is_alive()
    os.kill(pids[0], signal.SIGKILL)  # the nanny starts a new worker; the scheduler reruns its task
    run.join(600)
    tally["kills survived"] += 1
    lost = [t for t, rows in reference.items() if contents(tmp_path / "k.duckdb")[t] != rows]
    tally["data lost"] += len(lost)
    assert lost == [] and not result["report"].errors


def test_partitions_are_cut_by_bytes_in_order(tmp_path):
    sizes = [300, 300, 300, 1500, 100, 100, 700]
    files = []
    for i, size in enumerate(sizes):
        (f := tmp_path / f"{i}.txt").write_text("x" * size)
        files.append(f)
    parts = partitions(files, max_bytes=1000)
    assert [p for part in parts for p in part] == files  # every file once, in input order
    assert [[sizes[files.index(f)] for f in part] for part in parts] == [[300, 300, 300], [1500], [100, 100, 700]]
    assert [len(part) for part in partitions(files, max_bytes=1000, max_files=2)] == [2, 1, 1, 2, 1]
