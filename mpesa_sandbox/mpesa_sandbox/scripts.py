"""Scripted outcomes: what the simulated M-Pesa does with the next request(s), per request or per phone.

A script entry is a dict posted to `/__sandbox/script`:
	{"outcome": "insufficient_funds", "phone": "254708374149", "times": 1}
	{"outcome": "timeout", "originator_conversation_id": "abc123"}
	{"api": "status", "outcome": "no_callback"}
Fields: `api` ("b2c" default, "status", "c2b"), `outcome` (a preset below), `phone` or
`originator_conversation_id` (or neither: matches any request), `times` (how many requests it applies to;
default 1, 0 = every request until reset), and overrides `paid`, `callback`, `delay`, `reply_delay`, `name`.
Matching prefers an OriginatorConversationID entry, then a phone entry, then a catch-all; among equals the
oldest entry wins.
"""

import threading

# B2C presets: (ResultCode outcome posted in the Result, money moved?, what is posted back, sync error?)
B2C_PRESETS = {
	"success": {"result": "success", "paid": True, "callback": "result"},
	"insufficient_funds": {"result": "insufficient_funds", "paid": False, "callback": "result"},
	"invalid_initiator": {"result": "invalid_initiator", "paid": False, "callback": "result"},
	# A QueueTimeOutURL notice instead of a result; by default M-Pesa did pay (the hard case).
	"timeout": {"result": "success", "paid": True, "callback": "timeout"},
	"timeout_unpaid": {"result": None, "paid": False, "callback": "timeout"},
	# Nothing ever comes back; by default the money moved.
	"no_callback": {"result": "success", "paid": True, "callback": "none"},
	"no_callback_unpaid": {"result": None, "paid": False, "callback": "none"},
	# The same Result is posted twice.
	"duplicate": {"result": "success", "paid": True, "callback": "duplicate"},
	# Paid and the Result is posted, but the synchronous reply comes only after `reply_delay` seconds.
	"lost_reply": {"result": "success", "paid": True, "callback": "result", "reply_delay": 3.0},
	# The gateway fails the request synchronously (HTTP 500); nothing is paid.
	"sync_error": {"result": None, "paid": False, "callback": "none", "sync_error": True},
}
STATUS_PRESETS = {
	"truth": {"callback": "result"},
	"no_callback": {"callback": "none"},
	"timeout": {"callback": "timeout"},
}
C2B_PRESETS = {
	"normal": {"callback": "result"},
	"duplicate": {"callback": "duplicate"},
	"no_confirmation": {"callback": "none"},
}
PRESETS = {"b2c": B2C_PRESETS, "status": STATUS_PRESETS, "c2b": C2B_PRESETS}
DEFAULT_OUTCOME = {"b2c": "success", "status": "truth", "c2b": "normal"}
OVERRIDES = ("paid", "callback", "delay", "reply_delay", "name")


class ScriptError(ValueError):
	pass


class Scripts:
	def __init__(self):
		self._lock = threading.Lock()
		self._entries = []
		self._next_id = 1

	def add(self, entry: dict) -> dict:
		api = entry.get("api") or "b2c"
		if api not in PRESETS:
			raise ScriptError(f"unknown api {api!r}; one of {sorted(PRESETS)}")
		outcome = entry.get("outcome") or DEFAULT_OUTCOME[api]
		if outcome not in PRESETS[api]:
			raise ScriptError(f"unknown {api} outcome {outcome!r}; one of {sorted(PRESETS[api])}")
		times = entry.get("times", 1)
		if not isinstance(times, int) or times < 0:
			raise ScriptError("times must be a non-negative integer (0 = until reset)")
		stored = {
			"id": None,
			"api": api,
			"outcome": outcome,
			"phone": str(entry["phone"]) if entry.get("phone") else None,
			"originator_conversation_id": entry.get("originator_conversation_id") or None,
			"times": times,
			"used": 0,
		}
		for key in OVERRIDES:
			if key in entry:
				stored[key] = entry[key]
		with self._lock:
			stored["id"] = self._next_id
			self._next_id += 1
			self._entries.append(stored)
		return dict(stored)

	def take(self, api: str, phone: str = "", originator_conversation_id: str = "") -> dict:
		"""The behaviour for one request: the best matching entry (consumed once) merged over its preset."""
		with self._lock:
			candidates = [
				e for e in self._entries if e["api"] == api and (e["times"] == 0 or e["used"] < e["times"])
			]
			chosen = None
			for key, value in (("originator_conversation_id", originator_conversation_id), ("phone", phone)):
				chosen = next((e for e in candidates if value and e[key] == value), None)
				if chosen:
					break
			if chosen is None:
				chosen = next(
					(e for e in candidates if not e["phone"] and not e["originator_conversation_id"]), None
				)
			if chosen is not None:
				chosen["used"] += 1
		outcome = chosen["outcome"] if chosen else DEFAULT_OUTCOME[api]
		behaviour = {"outcome": outcome, **PRESETS[api][outcome]}
		if chosen:
			behaviour.update({k: chosen[k] for k in OVERRIDES if k in chosen})
			behaviour["script_id"] = chosen["id"]
		return behaviour

	def list(self) -> list:
		with self._lock:
			return [dict(e) for e in self._entries]

	def clear(self):
		with self._lock:
			self._entries.clear()
