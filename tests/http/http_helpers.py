"""Users and small helpers shared by the tests/http modules."""

import uuid

MANAGER = {"email": "manager@example.com", "password": "manager-pw-1", "roles": ["HTTP Manager"]}
READER = {
	"email": "reader@example.com",
	"password": "reader-pw-1",
	"roles": ["HTTP Reader"],
	"api_key": "readerkey00001",
	"api_secret": "readersecret0001",
}
PLAIN = {"email": "plain@example.com", "password": "plain-pw-1", "roles": []}

METHOD = "/api/method/http_fixture.api."


def token_header(user):
	return {"Authorization": f"token {user['api_key']}:{user['api_secret']}"}


def unique(prefix="note"):
	return f"{prefix}-{uuid.uuid4().hex[:8]}"


def server_messages(body):
	"""The decoded `_server_messages` of an error body: a list of message dicts."""
	import json

	return [json.loads(m) for m in json.loads(body.get("_server_messages", "[]"))]
