"""One payer process for the C2B race tests: posts Daraja-shaped confirmations over HTTP and prints a JSON
summary on its last line. Run as: c2b_client.py TARGET_SPEC_JSON ACCOUNT PREFIX COUNT [SHORTCODE]
(TARGET_SPEC_JSON: tests.helpers.target.Target.spec(): the base URL, Host header and callback secret)."""

import json
import sys

import requests

from tests.helpers.daraja import amount_for, payload

CONFIRM = "/api/method/tuktuk_management.api.tuktuk.payment_confirmation"


def main(spec, account, prefix, count, shortcode="600000"):
	spec = json.loads(spec)
	session = requests.Session()
	if spec.get("host"):
		session.headers["Host"] = spec["host"]
	url = spec["url"] + CONFIRM
	summary = {"sent": 0, "http_ok": 0, "statuses": {}, "retries": 0, "errors": []}
	for i in range(int(count)):
		body = payload(account, amount_for(prefix, i), f"{prefix}{i:05d}", shortcode=shortcode)
		summary["sent"] += 1
		try:
			r = session.post(url, params={"token": spec["callback_token"]}, json=body, timeout=120)
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
