"""A local HTTP relay that forwards every request to a served site with the site's ``Host`` header.

Frappe picks the site from the Host header. The M-Pesa simulator calls back the URLs it was given with plain
requests, so when a site is reached at an address that is not its name (a bench site ``x.realbench`` served
on 127.0.0.1:8830, with no DNS entry for the name) the simulator is given this relay's URL instead, as
Safaricom is given a site's public name. Stdlib only; the relay runs in threads of the test process.
"""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {
	"connection",
	"keep-alive",
	"proxy-authenticate",
	"proxy-authorization",
	"te",
	"trailers",
	"transfer-encoding",
	"upgrade",
	"host",
	"content-length",
}


class HostProxy:
	"""``with HostProxy("http://127.0.0.1:8830", "site.name") as proxy:`` relays ``proxy.url`` to the site."""

	def __init__(self, upstream: str, host: str | None, timeout: float = 120):
		parts = urlsplit(upstream)
		self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
		self.host = host or parts.netloc
		self.timeout = timeout
		self.forwarded = 0
		self._server = None
		self._thread = None
		self.url = None

	def start(self):
		proxy = self

		class Handler(BaseHTTPRequestHandler):
			protocol_version = "HTTP/1.1"

			def _relay(self):
				length = int(self.headers.get("Content-Length") or 0)
				body = self.rfile.read(length) if length else None
				headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
				headers["Host"] = proxy.host
				conn = http.client.HTTPConnection(
					proxy.upstream_host, proxy.upstream_port, timeout=proxy.timeout
				)
				try:
					conn.request(self.command, self.path, body=body, headers=headers)
					reply = conn.getresponse()
					data = reply.read()
					self.send_response(reply.status, reply.reason)
					for key, value in reply.getheaders():
						if key.lower() not in HOP_BY_HOP:
							self.send_header(key, value)
					self.send_header("Content-Length", str(len(data)))
					self.end_headers()
					self.wfile.write(data)
					proxy.forwarded += 1
				except OSError as e:
					message = f"relay to {proxy.upstream_host}:{proxy.upstream_port} failed: {e}".encode()
					self.send_response(502)
					self.send_header("Content-Length", str(len(message)))
					self.end_headers()
					self.wfile.write(message)
				finally:
					conn.close()

			do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay

			def log_message(self, *args):  # quiet
				pass

		self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
		self._server.daemon_threads = True
		self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
		self._thread = threading.Thread(target=self._server.serve_forever, name="host-proxy", daemon=True)
		self._thread.start()
		return self

	def stop(self):
		if self._server is not None:
			self._server.shutdown()
			self._server.server_close()
			self._server = None

	def __enter__(self):
		return self.start()

	def __exit__(self, *exc):
		self.stop()
