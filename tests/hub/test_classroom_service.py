"""The class view service without a hub: storage and migrations on SQLite, input checks, names, rates."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("jupyterhub")

from meia_cnn import exercises  # noqa: E402
from meia_cnn.classroom.service import storage as st  # noqa: E402
from meia_cnn.classroom.service.app import (  # noqa: E402
    MAX_BATCH,
    MAX_BODY,
    BadRequest,
    RateLimit,  # noqa: E402
    build_summary,
    mistake_name,
    validate_attempts,
)

from .classroom_hub import new_attempt  # noqa: E402


@pytest.fixture
def db(tmp_path):
    storage = st.Storage(f"sqlite:///{tmp_path / 'class.sqlite'}")
    yield storage
    storage.close()


# -- storage -------------------------------------------------------------------------------
def test_a_new_database_is_at_the_current_version_in_wal_mode(db, tmp_path):
    assert st.schema_version(db.engine) == st.SCHEMA_VERSION == len(st.MIGRATIONS)
    assert st.migrate(db.engine) == []  # already there: nothing to do
    with sqlite3.connect(tmp_path / "class.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_old_database_is_migrated_step_by_step_and_keeps_its_attempts(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = st.connect(url)
    assert st.migrate(engine, target=1) == [1]
    with engine.begin() as conn:
        conn.execute(
            st.attempts_table.insert().values(
                user="ana",
                key="k" * 10,
                exercise="05.pool_params",
                variant=0,
                status="correct",
                mistake="",
                client_time=1.0,
                received=2.0,
            )
        )
    assert "ix_attempts_received" not in {i["name"] for i in sa.inspect(engine).get_indexes("attempts")}
    engine.dispose()
    storage = st.Storage(url)  # opening migrates
    assert st.schema_version(storage.engine) == 2
    assert "ix_attempts_received" in {i["name"] for i in sa.inspect(storage.engine).get_indexes("attempts")}
    assert storage.of_user("ana")[0]["exercise"] == "05.pool_params"
    storage.close()


def test_a_database_newer_than_the_code_is_refused(tmp_path):
    engine = st.connect(f"sqlite:///{tmp_path / 'new.sqlite'}")
    st.migrate(engine)
    with engine.begin() as conn:
        conn.execute(st.schema_table.update().values(version=st.SCHEMA_VERSION + 1))
    with pytest.raises(RuntimeError, match="newer than this code"):
        st.migrate(engine)
    engine.dispose()


def test_an_attempt_sent_twice_is_stored_once(db):
    batch = [new_attempt(), new_attempt(status="correct", mistake="")]
    assert db.record("ana", batch) == 2
    assert db.record("ana", batch) == 0
    assert db.record("ana", [batch[0], new_attempt()]) == 1
    assert db.record("beto", batch) == 2  # keys are per student
    assert db.count() == 5


def test_summaries_count_students_not_attempts(db):
    db.record("ana", [new_attempt(), new_attempt(), new_attempt(status="correct", mistake="")])
    db.record("beto", [new_attempt(mistake="other")])
    db.record("cris", [new_attempt(exercise="05.pool_params", status="correct", mistake="")])
    s = db.summaries()
    assert (s["04.output_size"].tried, s["04.output_size"].solved, s["04.output_size"].attempts) == (2, 1, 4)
    assert s["04.output_size"].mistakes == {"mistake.0": 1, "other": 1}
    assert (s["05.pool_params"].tried, s["05.pool_params"].solved) == (1, 1)
    rows = {(r["user"], r["exercise"]): r for r in db.students()}
    assert rows[("ana", "04.output_size")]["solved"] and rows[("ana", "04.output_size")]["attempts"] == 3
    assert rows[("beto", "04.output_size")]["last_mistake"] == "other"
    assert [a["user"] for a in db.all_attempts()].count("ana") == 3


# -- the view's words ---------------------------------------------------------------------
def test_mistakes_are_named_by_the_hints_own_words_in_both_languages():
    from meia_cnn.i18n import using_language

    key = exercises.check("04.output_size", 13).mistake
    assert key == "mistake.0"
    english = mistake_name("04.output_size", key)
    assert english and english in exercises.check("04.output_size", 13).message
    with using_language("es"):
        spanish = mistake_name("04.output_size", key)
        assert spanish != english and spanish in exercises.check("04.output_size", 13).message
    assert mistake_name("04.shape_table", "table.same/1") == "row same, stride 1"


def test_every_known_mistake_of_every_exercise_has_a_name():
    for ex in exercises.EXERCISES.values():
        for i in range(len(ex.mistakes)):
            assert mistake_name(ex.id, f"mistake.{i}").strip(), (ex.id, i)


def test_the_summary_puts_the_current_section_first_and_holds_no_names(db):
    db.record("ana", [new_attempt(exercise="05.pool_params", status="correct", mistake="")])
    time.sleep(0.01)
    db.record("secret-student", [new_attempt()])
    summary = build_summary(db.summaries(), "es", None, 7)
    assert summary["section"] == "04"
    assert summary["exercises"][0]["section"] == "04"
    assert [e["id"] for e in summary["exercises"] if e["section"] == "04"] == [
        ex.id for ex in exercises.for_notebook("04")
    ]
    assert "secret-student" not in json.dumps(summary)
    chosen = build_summary(db.summaries(), "en", "05", 7)
    assert chosen["exercises"][0]["id"] == "05.pool_shape"


# -- input checks -------------------------------------------------------------------------
def test_good_attempts_pass_the_checks():
    batch = [new_attempt(), new_attempt(exercise="04.shape_table", mistake="table.valid/2")]
    assert validate_attempts(json.dumps({"attempts": batch}).encode()) == batch


@pytest.mark.parametrize(
    "change, status, words",
    [
        (lambda a: {**a, "exercise": "99.nope"}, 400, "unknown exercise"),
        (lambda a: {**a, "user": "someone-else"}, 400, "exactly the fields"),
        (lambda a: {**a, "key": "short"}, 400, "`key`"),
        (lambda a: {**a, "key": "<script>alert(1)</script>"}, 400, "`key`"),
        (lambda a: {**a, "variant": True}, 400, "`variant`"),
        (lambda a: {**a, "variant": -1}, 400, "`variant`"),
        (lambda a: {**a, "status": "waiting"}, 400, "`status`"),
        (lambda a: {**a, "mistake": "<b>x</b>"}, 400, "`mistake`"),
        (lambda a: {**a, "time": float("nan")}, 400, "`time`"),
        (lambda a: {**a, "time": 0}, 400, "`time`"),
    ],
)
def test_bad_attempts_are_refused_with_the_reason(change, status, words):
    body = json.dumps({"attempts": [new_attempt(), change(new_attempt())]}, allow_nan=True).encode()
    with pytest.raises(BadRequest) as caught:
        validate_attempts(body)
    assert caught.value.status_code == status and words in caught.value.message
    assert "attempt 1" in caught.value.message


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        (b"[]", 400),
        (b'{"attempts": {}}', 400),
        (b'{"attempts": [], "user": "x"}', 400),
        (json.dumps({"attempts": [new_attempt()] * (MAX_BATCH + 1)}).encode(), 413),
        (b'{"attempts": [' + b" " * MAX_BODY + b"]}", 413),
    ],
)
def test_malformed_or_oversized_bodies_are_refused(body, status):
    with pytest.raises(BadRequest) as caught:
        validate_attempts(body)
    assert caught.value.status_code == status


def test_the_rate_limit_refills_per_user():
    rate = RateLimit(burst=10, per_second=2)
    assert rate.take("ana", 10, now=0.0) == 0
    assert rate.take("ana", 1, now=0.0) >= 1  # empty: wait
    assert rate.take("beto", 5, now=0.0) == 0  # another student is not held back
    assert rate.take("ana", 2, now=1.0) == 0  # two came back in a second
