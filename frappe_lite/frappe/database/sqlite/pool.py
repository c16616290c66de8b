# Idle SQLite connections, kept per process and handed to the next Database of the same file.
#
# Why: a new SQLite connection reads the whole schema (every table, index and money trigger) on its first
# statement, about 2 ms, a quarter of a served request; a kept connection costs nothing. MariaDB sites are not
# pooled: they connect per request, as Frappe v15 does.
#
# Safety: a connection is parked only outside any transaction (no locks, no read snapshot), and only handed
# out again if the file is still the one it was opened on: its device, inode, size and times are compared
# with those taken when it was parked. A file deleted and created again (drop-site, new-site, a test's
# rmtree) therefore gets fresh connections; drop-site and restore also discard the file's idle connections
# first. A child process never uses (nor closes) what its parent parked: SQLite connections must not cross
# a fork.
import os
import sqlite3
import threading

# per file: enough for a threaded server; a process serves one site, a test run a few
MAX_IDLE_PER_FILE = 8

_lock = threading.Lock()
_idle: dict[str, list] = {}  # abspath -> [(connection, fingerprint), ...]
_owner_pid = os.getpid()
_inherited: list = []  # a parent's connections, kept referenced in a child so they are never closed there


def _fingerprint(path):
	try:
		st = os.stat(path)
	except OSError:
		return None
	return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _adopt_fork():
	"""In a forked child, set the parent's idle connections aside (called with _lock held)."""
	global _owner_pid
	if _owner_pid != os.getpid():
		_inherited.extend(conn for idle in _idle.values() for conn, _fp in idle)
		_idle.clear()
		_owner_pid = os.getpid()


def take(path):
	"""An idle connection to `path`, or None. Idle connections whose file changed are closed."""
	path = os.path.abspath(path)
	current = _fingerprint(path)
	stale = []
	conn = None
	with _lock:
		_adopt_fork()
		idle = _idle.get(path)
		while idle:
			candidate, parked = idle.pop()
			if current is not None and parked == current:
				conn = candidate
				break
			stale.append(candidate)
	_close_all(stale)
	return conn


def park(path, conn):
	"""Keep `conn` for the next Database of `path` if it is clean; close it otherwise."""
	path = os.path.abspath(path)
	if conn.in_transaction:
		_close_all([conn])
		return
	fingerprint = _fingerprint(path)
	if fingerprint is not None:
		with _lock:
			_adopt_fork()
			idle = _idle.setdefault(path, [])
			if len(idle) < MAX_IDLE_PER_FILE:
				idle.append((conn, fingerprint))
				return
	_close_all([conn])


def discard(path):
	"""Close the idle connections to `path`: before the file is dropped or replaced."""
	with _lock:
		_adopt_fork()
		dropped = [conn for conn, _fp in _idle.pop(os.path.abspath(path), [])]
	_close_all(dropped)


def idle_count(path):
	with _lock:
		_adopt_fork()
		return len(_idle.get(os.path.abspath(path), []))


def _close_all(connections):
	for conn in connections:
		try:
			conn.close()
		except sqlite3.Error:
			pass
