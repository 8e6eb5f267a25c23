"""Shared fixtures. Storage and service tests run against ``GONGZHANG_TEST_DB`` when it is set
(any SQLAlchemy URL; the database is emptied before each test), else a fresh SQLite file."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine
from sqlmodel import Session

from ledger import i18n, signing
from ledger.db import Ledger, open_ledger
from ledger.demo import DEMO_PASSWORD, build_demo
from ledger.domain import BookKind, Role
from ledger.models import AppUser
from ledger.services import users
from ledger.services.books import create_book
from ledger.services.users import create_user, get_user


def _database_of_this_worker(url: str | None) -> str | None:
    """With pytest-xdist, each worker gets a database of its own on the server (the tests
    empty theirs before each test): ``…/gongzhang_test`` becomes ``…/gongzhang_test_gw0``,
    made if missing. Set in the environment too, for the processes the tests start: those
    import this module again and must use that database as it is, not derive another."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or url.startswith("sqlite"):
        return url
    if os.environ.get("GONGZHANG_TEST_DB_OF_WORKER") == worker:
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        known = conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
        ).first()
        if known is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    own = base.set(database=name).render_as_string(hide_password=False)
    os.environ["GONGZHANG_TEST_DB"] = own
    os.environ["GONGZHANG_TEST_DB_OF_WORKER"] = worker
    return own


TEST_DB = _database_of_this_worker(os.environ.get("GONGZHANG_TEST_DB"))

#: Every test user's password: the demo's, so the command line (which reads the acting user's
#: password from $GONGZHANG_PASSWORD) acts as any user of a test ledger or of the demo.
TEST_PASSWORD = DEMO_PASSWORD
os.environ["GONGZHANG_PASSWORD"] = TEST_PASSWORD
os.environ["GONGZHANG_APPROVER_PASSWORD"] = TEST_PASSWORD
os.environ["GONGZHANG_NEW_PASSWORD"] = TEST_PASSWORD
# scrypt at its real cost (32 MiB, ~0.1 s) for every user a test makes would take minutes of
# the suite; each hash names its parameters, so the lower cost is only that of the tests' own.
users.SCRYPT_N = signing.SCRYPT_N = 2**4


def _empty_database(url: str) -> None:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Tests read messages in English unless they switch (Chinese has tests of its own)."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def ledger_target(tmp_path: Path) -> str:
    if TEST_DB:
        _empty_database(TEST_DB)
        return TEST_DB
    return str(tmp_path / "ledger.sqlite")


@dataclass
class World:
    """A ledger with one user per role and a book of each kind."""

    ledger: Ledger
    fund_id: int
    trust_id: int
    village_id: int

    def user(self, session: Session, name: str) -> AppUser:
        return get_user(session, name)


@pytest.fixture
def world(ledger_target: str) -> Iterator[World]:
    ledger = open_ledger(ledger_target, create=True)
    with ledger.write() as s:
        admin = create_user(
            s, username="admin", role=Role.ADMIN, password=TEST_PASSWORD, actor=None
        )
        for name, role in [
            ("treasurer", Role.TREASURER),
            ("reviewer", Role.REVIEWER),
            ("committee", Role.COMMITTEE),
            ("auditor", Role.AUDITOR),
            ("treasurer2", Role.TREASURER),
        ]:
            made = create_user(s, username=name, role=role, password=TEST_PASSWORD, actor=admin)
            # The test acts as every one of them: each has signed in (their key is unlocked).
            signing.unlock(made.signing_key, TEST_PASSWORD)
        fund = create_book(s, kind=BookKind.MICRO_FUND, name="碧鸡桥社区微基金", actor=admin)
        trust = create_book(s, kind=BookKind.TRUST_PROPERTY, name="金河绿洲物业", actor=admin)
        village = create_book(s, kind=BookKind.COLLECTIVE_REVENUE, name="全兴村", actor=admin)
        ids = (fund.id or 0, trust.id or 0, village.id or 0)
    yield World(ledger, *ids)
    ledger.close()


D = dt.date


# --- the demo ledger, built once per test session (tests only read it, or copy it) ---------


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    with open_ledger(path, create=True) as ledger, ledger.write() as s:
        build_demo(s)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Ledger]:
    """The demo ledger, opened for one test (tests only read it; copy the file to change it)."""
    with open_ledger(demo_path) as ledger:
        yield ledger
