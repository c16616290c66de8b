"""TukTuk Settings' Test connection against the Daraja simulator: good credentials, a wrong secret, a base URL
that is not Daraja (the wrong environment), an unreachable host, a host that never answers; the settings'
coherence validation on save; the button's whitelisted method."""

import socket
import threading

import pytest

from .conftest import CONSUMER_KEY, CONSUMER_SECRET, INITIATOR, INITIATOR_PASSWORD


def configure(site, **values):
	doc = site.get_single("TukTuk Settings")
	doc.update({"http_timeout_seconds": 5, **values})
	doc.save(ignore_permissions=True)
	site.db.commit()
	return doc


def custom(daraja_url, key=CONSUMER_KEY, secret=CONSUMER_SECRET):
	return {
		"mpesa_environment": "custom",
		"mpesa_base_url": daraja_url,
		"mpesa_consumer_key": key,
		"mpesa_consumer_secret": secret,
	}


def test_good_credentials(site, daraja):
	from tuktuk_management.connection import check_connection

	configure(site, **custom(daraja.url))
	verdict = check_connection()
	assert verdict.ok, verdict
	assert "issued an access token" in verdict.message and daraja.url in verdict.message
	# the token is shared with the payout workers, as every token is
	from tuktuk_management.payouts.daraja import get_access_token

	assert get_access_token()


def test_wrong_secret(site, daraja):
	from tuktuk_management.connection import check_connection

	configure(site, **custom(daraja.url, secret="wrong"))
	verdict = check_connection()
	assert not verdict.ok and verdict.problem == "credentials"
	assert "400.008.01" in verdict.message and "consumer key or secret" in verdict.message


def test_wrong_key_on_production_names_the_other_environment(site, monkeypatch, daraja):
	"""Sandbox keys on production: Daraja answers as for a wrong key; the message says both."""
	from tuktuk_management.connection import check_connection
	from tuktuk_management.payouts import daraja as client

	monkeypatch.setitem(client.BASE_URLS, "production", daraja.url)  # production's Daraja, played locally
	configure(
		site,
		mpesa_environment="production",
		mpesa_paybill="4012345",
		mpesa_consumer_key="sandbox-key",
		mpesa_consumer_secret="x",
	)
	verdict = check_connection()
	assert verdict.problem == "credentials" and "sandbox app" in verdict.message


def test_base_url_that_is_not_daraja(site, daraja):
	from tuktuk_management.connection import check_connection

	configure(site, **custom(daraja.url + "/not-daraja"))
	verdict = check_connection()
	assert not verdict.ok and verdict.problem == "base_url"
	assert "does not answer like Daraja" in verdict.message and "environment" in verdict.message


def test_unreachable_host(site):
	from tuktuk_management.connection import check_connection

	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		port = s.getsockname()[1]  # closed again: nothing listens there
	configure(site, **custom(f"http://127.0.0.1:{port}"))
	verdict = check_connection()
	assert not verdict.ok and verdict.problem == "network"
	assert "connection refused" in verdict.message


def test_unresolvable_host(site):
	from tuktuk_management.connection import check_connection

	configure(site, **custom("http://daraja.invalid"))
	verdict = check_connection()
	assert not verdict.ok and verdict.problem == "network"
	assert "does not resolve" in verdict.message


def test_host_that_never_answers(site):
	from tuktuk_management.connection import check_connection

	listener = socket.socket()
	listener.bind(("127.0.0.1", 0))
	listener.listen(5)  # accepts connections (the kernel does) but never replies
	accepted = []
	stop = threading.Event()

	def hold():
		listener.settimeout(0.2)
		while not stop.is_set():
			try:
				accepted.append(listener.accept()[0])
			except OSError:
				pass

	thread = threading.Thread(target=hold, daemon=True)
	thread.start()
	try:
		configure(site, **custom(f"http://127.0.0.1:{listener.getsockname()[1]}"), http_timeout_seconds=1)
		verdict = check_connection()
		assert not verdict.ok and verdict.problem == "timeout", verdict
		assert "did not answer within 1 s" in verdict.message
	finally:
		stop.set()
		thread.join()
		for c in accepted:
			c.close()
		listener.close()


def test_not_configured(site):
	from tuktuk_management.connection import check_connection

	verdict = check_connection()
	assert not verdict.ok and verdict.problem == "not_configured"
	assert "consumer key and secret" in verdict.message


def test_the_button_method(site, daraja):
	from tuktuk_management.api.health import test_connection

	configure(site, **custom(daraja.url))
	result = test_connection()
	assert result["ok"] is True and result["base_url"] == daraja.url


# -- validation: incoherent settings are refused ---------------------------------------------------------------


@pytest.mark.parametrize(
	"values, message",
	[
		({"mpesa_environment": "production", "site_url": "http://fleet.example.com"}, "HTTPS"),
		({"mpesa_environment": "production", "site_url": "https://127.0.0.1:8000"}, "not reachable"),
		({"mpesa_environment": "production", "site_url": "https://abc.ngrok.io"}, "public URL tester"),
		({"mpesa_environment": "production", "site_url": "https://sandbox.fleet.example.com"}, "sandbox"),
		({"mpesa_environment": "production", "mpesa_paybill": "174379"}, "sandbox test shortcode"),
		(
			{"mpesa_environment": "custom", "mpesa_base_url": "https://sandbox.safaricom.co.ke"},
			"choose the environment sandbox",
		),
		(
			{"mpesa_environment": "custom", "mpesa_base_url": "https://api.safaricom.co.ke/"},
			"production instead",
		),
		({"mpesa_paybill": "1234"}, "5 to 7 digits"),
		({"b2c_shortcode": "12345678"}, "5 to 7 digits"),
		({"mpesa_paybill": "60O984"}, "digits only"),
		({"b2c_enabled": 1, "mpesa_consumer_key": "k", "mpesa_consumer_secret": "s"}, "Initiator Name"),
		(
			{
				"b2c_enabled": 1,
				"mpesa_consumer_key": "k",
				"mpesa_consumer_secret": "s",
				"mpesa_initiator_name": "api",
			},
			"security credential",
		),
		(
			{"b2c_enabled": 1, "mpesa_initiator_name": "api", "mpesa_security_credential": "c2VjcmV0"},
			"consumer key",
		),
		({"mpesa_certificate": "not a certificate"}, "PEM"),
	],
)
def test_incoherent_settings_are_refused(site, values, message):
	doc = site.get_single("TukTuk Settings")
	doc.update(values)
	with pytest.raises(site.ValidationError) as raised:
		doc.save(ignore_permissions=True)
	assert message in str(raised.value)
	site.db.rollback()


def test_coherent_settings_are_saved(site, daraja):
	production = {
		"mpesa_environment": "production",
		"site_url": "https://fleet.example.com",
		"mpesa_paybill": "4012345",
		"b2c_shortcode": "3012345",
		"mpesa_consumer_key": "k",
		"mpesa_consumer_secret": "s",
		"mpesa_initiator_name": "fleet_api",
		"mpesa_initiator_password": INITIATOR_PASSWORD,
		"mpesa_certificate": daraja.client.certificate(),
		"b2c_enabled": 1,
	}
	doc = configure(site, **production)
	assert doc.environment == "production"
	# a stored secret shows as asterisks on the next load: saving again keeps it
	doc = site.get_single("TukTuk Settings")
	doc.save(ignore_permissions=True)
	assert doc.secret("mpesa_initiator_password") == INITIATOR_PASSWORD
	configure(site, mpesa_environment="sandbox", b2c_enabled=0, mpesa_initiator_name=INITIATOR)
