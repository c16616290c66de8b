"""`python -m mpesa_sandbox --port N`: serve the simulated Daraja gateway (threaded werkzeug server)."""

import argparse
import sys

from werkzeug.serving import make_server

from .app import create_app


def main(argv=None):
	parser = argparse.ArgumentParser(prog="mpesa-sandbox", description=__doc__)
	parser.add_argument("--host", default="127.0.0.1")
	parser.add_argument("--port", type=int, default=8089, help="0 picks a free port (printed on startup)")
	parser.add_argument("--consumer-key", default=None, help="accepted consumer key (default: any)")
	parser.add_argument("--consumer-secret", default=None)
	parser.add_argument("--token-ttl", type=int, default=3599, help="seconds an access token lives")
	parser.add_argument("--result-delay", type=float, default=0.2, help="seconds before async callbacks")
	parser.add_argument("--initiator-name", default=None)
	parser.add_argument(
		"--initiator-password",
		default=None,
		help="when set, SecurityCredential must decrypt to it (see GET /__sandbox/certificate)",
	)
	args = parser.parse_args(argv)
	app = create_app(
		consumer_key=args.consumer_key,
		consumer_secret=args.consumer_secret,
		token_ttl=args.token_ttl,
		result_delay=args.result_delay,
		initiator_name=args.initiator_name,
		initiator_password=args.initiator_password,
	)
	server = make_server(args.host, args.port, app, threaded=True)
	print(f"mpesa_sandbox listening on http://{args.host}:{server.server_port}", flush=True)
	try:
		server.serve_forever()
	except KeyboardInterrupt:
		pass
	finally:
		server.server_close()
	return 0


if __name__ == "__main__":
	sys.exit(main())
