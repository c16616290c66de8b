"""One payer process for the C2B race test: posts Daraja-shaped confirmations over HTTP and prints a JSON
summary on its last line. Run as: c2b_client.py URL TOKEN ACCOUNT PREFIX COUNT."""

import json
import sys

import requests

from tests.helpers.daraja import amount_for, payload


def main(url, token, account, prefix, count):
	session = requests.Session()
	summary = {"sent": 0, "http_ok": 0, "statuses": {}, "retries": 0, "errors": []}
	for i in range(int(count)):
		body = payload(account, amount_for(prefix, i), f"{prefix}{i:05d}")
		summary["sent"] += 1
		try:
			r = session.post(url, params={"token": token}, json=body, timeout=60)
		except requests.RequestException as e:
			summary["errors"].append(f"{body['TransID']}: {e}")
			continue
		if r.status_code == 200 and r.json().get("ResultCode") == 0:
			summary["http_ok"] += 1
			status = r.json().get("status")
			summary["retries"] += max(int(r.json().get("attempts") or 1) - 1, 0)
			summary["statuses"][status] = summary["statuses"].get(status, 0) + 1
		else:
			summary["errors"].append(f"{body['TransID']}: HTTP {r.status_code} {r.text[:300]}")
	print(json.dumps(summary))


if __name__ == "__main__":
	main(*sys.argv[1:6])
