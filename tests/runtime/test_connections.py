"""When the database connection opens and what is kept of it: v15 connects on the first statement; a SQLite
site's connections are kept per process (frappe/database/sqlite/pool.py), a MariaDB site's are not."""

import multiprocessing
import os
import sqlite3

import pytest
from frappe import _dict
from frappe.database.sqlite import pool


def test_connect_is_lazy_and_commit_without_a_statement_does_not_connect(lite_site):
	with lite_site.connect() as frappe:
		assert frappe.db._conn is None  # frappe.connect made the Database, nothing more
		frappe.db.commit()
		frappe.db.rollback()
		assert frappe.db._conn is None
		assert frappe.db.sql("select 1") == ((1,),)
		assert frappe.db._conn is not None


def test_savepoint_is_the_first_statement(lite_site):
	with lite_site.connect() as frappe:
		frappe.db.savepoint("first")
		frappe.db.sql("insert into `tabLF Note` (name, subject) values ('lazy-sp', 'x')")
		frappe.db.rollback(save_point="first")
		frappe.db.release_savepoint("first")
		assert not frappe.db.exists("LF Note", "lazy-sp")


def _raw_connection(frappe):
	frappe.db.sql("select 1")
	return frappe.db._conn


def test_sqlite_connections_are_kept_per_process_mariadb_ones_are_not(lite_site):
	with lite_site.connect() as frappe:
		first = _raw_connection(frappe)
	with lite_site.connect() as frappe:
		second = _raw_connection(frappe)
		path = frappe.db.db_path if lite_site.backend == "sqlite" else None
	if lite_site.backend == "sqlite":
		assert second is first
		assert pool.idle_count(path) >= 1
	else:
		assert second is not first  # v15 opens a MariaDB connection per request


def test_an_uncommitted_write_is_rolled_back_before_the_connection_is_kept(lite_site):
	with lite_site.connect() as frappe:
		frappe.db.sql("insert into `tabLF Note` (name, subject) values ('kept-conn', 'x')")
		# destroy() without a commit: what was written must not reach the next user of the connection
	with lite_site.connect() as frappe:
		assert not frappe.db.exists("LF Note", "kept-conn")
		frappe.db.sql("insert into `tabLF Note` (name, subject) values ('kept-conn', 'x')")
		frappe.db.commit()
		frappe.db.delete("LF Note", "kept-conn")
		frappe.db.commit()


# ---- the pool itself, on plain files ---------------------------------------------------------------------


def _make_db(path, value):
	conn = sqlite3.connect(path, isolation_level=None)
	conn.execute("pragma journal_mode=wal")
	conn.execute("create table t (v text)")
	conn.execute("insert into t values (?)", (value,))
	return conn


def test_a_connection_in_a_transaction_is_closed_not_kept(tmp_path):
	path = str(tmp_path / "a.sqlite3")
	conn = _make_db(path, "a")
	conn.execute("begin")
	pool.park(path, conn)
	assert pool.idle_count(path) == 0
	with pytest.raises(sqlite3.ProgrammingError):
		conn.execute("select 1")  # closed


def test_a_replaced_file_gets_a_new_connection(tmp_path):
	path = str(tmp_path / "db.sqlite3")
	old = _make_db(path, "old")
	pool.park(path, old)
	assert pool.idle_count(path) == 1

	# the file is replaced (a restore by file copy, or drop-site then new-site at the same path)
	new_path = str(tmp_path / "new.sqlite3")
	_make_db(new_path, "new").close()
	os.replace(new_path, path)

	assert pool.take(path) is None
	assert pool.idle_count(path) == 0
	with pytest.raises(sqlite3.ProgrammingError):
		old.execute("select 1")  # the stale connection was closed, not kept


def test_a_deleted_file_gets_no_connection(tmp_path):
	path = str(tmp_path / "db.sqlite3")
	pool.park(path, _make_db(path, "x"))
	for suffix in ("", "-wal", "-shm"):
		if os.path.exists(path + suffix):
			os.remove(path + suffix)
	assert pool.take(path) is None


def test_an_unchanged_file_gives_back_the_same_connection(tmp_path):
	path = str(tmp_path / "db.sqlite3")
	conn = _make_db(path, "x")
	pool.park(path, conn)
	assert pool.take(path) is conn
	assert pool.take(path) is None  # handed out once
	conn.close()


def test_discard_closes_a_files_idle_connections(tmp_path):
	path = str(tmp_path / "db.sqlite3")
	conn = _make_db(path, "x")
	pool.park(path, conn)
	pool.discard(path)
	assert pool.idle_count(path) == 0
	with pytest.raises(sqlite3.ProgrammingError):
		conn.execute("select 1")


def _take_in_child(path, queue):
	queue.put(pool.take(path) is None)


def test_a_forked_child_never_uses_its_parents_connections(tmp_path):
	path = str(tmp_path / "db.sqlite3")
	conn = _make_db(path, "x")
	pool.park(path, conn)
	ctx = multiprocessing.get_context("fork")
	queue = ctx.Queue()
	child = ctx.Process(target=_take_in_child, args=(path, queue))
	child.start()
	got_none = queue.get(timeout=30)
	child.join(30)
	assert got_none, "the child was handed its parent's SQLite connection"
	assert pool.take(path) is conn  # still the parent's, still open
	assert conn.execute("select v from t").fetchall() == [("x",)]
	conn.close()


def test_drop_site_and_restore_discard_the_files_connections(tmp_path):
	from frappe.database.sqlite.dialect import dialect

	path = str(tmp_path / "db.sqlite3")
	pool.park(path, _make_db(path, "x"))
	dialect.drop_database(_dict(db_path=path))
	assert pool.idle_count(path) == 0

	backup = str(tmp_path / "backup.sqlite3")
	_make_db(backup, "from backup").close()
	pool.park(path, sqlite3.connect(path, isolation_level=None))
	dialect.restore(_dict(db_path=path), backup)
	assert pool.idle_count(path) == 0
	conn = sqlite3.connect(path)
	assert conn.execute("select v from t").fetchall() == [("from backup",)]
	conn.close()
