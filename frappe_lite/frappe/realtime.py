"""frappe.realtime: v15's publish_realtime / publish_progress, as a site without a socketio server has them.

Real Frappe sends these through Redis to its node socketio server, which pushes them to open Desk tabs; with
no such server (frappe_lite serves no Desk) nobody is listening, so they are accepted and dropped. Kept so
apps that report progress from background jobs run unchanged."""


def publish_progress(percent, title=None, doctype=None, docname=None, description=None, task_id=None):
	publish_realtime("progress", {"percent": percent, "title": title, "description": description})


def publish_realtime(
	event=None,
	message=None,
	room=None,
	user=None,
	doctype=None,
	docname=None,
	task_id=None,
	after_commit=False,
):
	return None
