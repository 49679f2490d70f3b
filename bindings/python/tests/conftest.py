"""Shared fixtures: the source tree, this build's dbmtool, the CDNOW
sample loaded into a store through the binding."""

import os
import shutil

import pytest

import libdbm

SOURCE_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CDNOW_SAMPLE = os.path.join(SOURCE_ROOT, "examples", "data", "cdnow_sample.txt")
CALIBRATION_END = "1997-09-30"
HOLDOUT_END = "1998-06-30"


def load_cdnow(store, path=CDNOW_SAMPLE):
    """Adds the purchases of a CDNOW log as `dbmtool import --format cdnow`
    does (docs/import.md): whitespace-separated `master_id sample_id
    YYYYMMDD cds dollars` (or 4 columns with the master id), the id without
    leading zeros, one purchase per line at midnight UTC, in one batch."""
    with store.batch(), open(path) as lines:
        for line in lines:
            fields = line.split()
            if not fields or not fields[0].isdigit():
                continue   # blank line or header
            customer_id = fields[-4].lstrip("0") or "0"
            store.add_purchase(customer_id, fields[-3], float(fields[-1]))


@pytest.fixture(scope="session")
def cdnow_store():
    """An in-memory store holding the CDNOW sample (read-only use)."""
    store = libdbm.Store()
    load_cdnow(store)
    yield store
    store.close()


@pytest.fixture(scope="session")
def dbmtool():
    path = os.environ.get("DBMTOOL") or shutil.which("dbmtool")
    if not path:
        pytest.skip("no dbmtool: set DBMTOOL")
    return path
