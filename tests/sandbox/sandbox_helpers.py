"""Helpers for the simulator's tests: a token, a B2C body, an authorised POST."""

import requests


def token(base_url, key="key", secret="secret"):
	response = requests.get(
		base_url + "/oauth/v1/generate",
		params={"grant_type": "client_credentials"},
		auth=(key, secret),
		timeout=10,
	)
	response.raise_for_status()
	return response.json()["access_token"]


def b2c_body(receiver_url, **overrides):
	body = {
		"OriginatorConversationID": "payout-001",
		"InitiatorName": "testapi",
		"SecurityCredential": "c2VjcmV0",
		"CommandID": "BusinessPayment",
		"Amount": 150,
		"PartyA": "600997",
		"PartyB": "254708374149",
		"Remarks": "Driver share",
		"QueueTimeOutURL": receiver_url + "/timeout",
		"ResultURL": receiver_url + "/result",
		"Occassion": "",
	}
	body.update(overrides)
	return {k: v for k, v in body.items() if v is not None}


def post(base_url, path, body, access_token):
	return requests.post(
		base_url + path, json=body, headers={"Authorization": f"Bearer {access_token}"}, timeout=15
	)
