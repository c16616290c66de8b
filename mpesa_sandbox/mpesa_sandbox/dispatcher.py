"""Delivers callbacks (C2B, B2C results, timeouts, status results) after a delay, like Daraja does.

One delivery thread with a time-ordered heap: deliveries are made in due order, and `drain()` can wait
until nothing is pending, so tests need no sleeps.
"""

import heapq
import itertools
import json
import threading
import time

import requests


class Dispatcher:
	def __init__(self, timeout: float = 15.0):
		self.timeout = timeout
		self._heap = []
		self._seq = itertools.count()
		self._cond = threading.Condition()
		self._in_flight = 0
		self._generation = 0
		self.deliveries = []  # what was posted where, and what the receiver answered
		self._thread = threading.Thread(target=self._run, name="daraja-callbacks", daemon=True)
		self._thread.start()

	def schedule(self, url: str, body: dict, delay: float, kind: str, ref: str = "", on_done=None):
		"""Post `body` to `url` after `delay` seconds; `on_done(record)` runs after the reply (C2B chains)."""
		with self._cond:
			heapq.heappush(
				self._heap,
				(
					time.monotonic() + max(delay, 0),
					next(self._seq),
					self._generation,
					url,
					body,
					kind,
					ref,
					on_done,
				),
			)
			self._cond.notify_all()

	def pending(self) -> int:
		with self._cond:
			return len(self._heap) + self._in_flight

	def drain(self, timeout: float = 30.0) -> bool:
		"""Wait until every scheduled callback was delivered (answered or failed). False on timeout."""
		deadline = time.monotonic() + timeout
		with self._cond:
			while self._heap or self._in_flight:
				left = deadline - time.monotonic()
				if left <= 0:
					return False
				self._cond.wait(min(left, 0.05))
		return True

	def reset(self):
		with self._cond:
			self._heap.clear()
			self._generation += 1
			self.deliveries = []
			self._cond.notify_all()

	def _run(self):
		while True:
			with self._cond:
				while not self._heap or self._heap[0][0] > time.monotonic():
					wait = (self._heap[0][0] - time.monotonic()) if self._heap else None
					self._cond.wait(wait)
				_due, _seq, generation, url, body, kind, ref, on_done = heapq.heappop(self._heap)
				self._in_flight += 1
			try:
				record = self._post(url, body, kind, ref)
				with self._cond:
					current = generation == self._generation
					if current:
						self.deliveries.append(record)
				if current and on_done is not None:
					try:
						on_done(record)
					except Exception as exc:  # a broken follow-up must not stop every later delivery
						record["error"] = f"follow-up failed: {exc!r}"
			finally:
				with self._cond:
					self._in_flight -= 1
					self._cond.notify_all()

	def _post(self, url, body, kind, ref) -> dict:
		record = {
			"kind": kind,
			"ref": ref,
			"url": url,
			"body": body,
			"status": None,
			"response": None,
			"error": None,
		}
		try:
			response = requests.post(
				url,
				data=json.dumps(body),
				headers={"Content-Type": "application/json"},
				timeout=self.timeout,
			)
			record["status"] = response.status_code
			record["response"] = response.text[:2000]
		except requests.RequestException as exc:
			record["error"] = f"{type(exc).__name__}: {exc}"
		return record
