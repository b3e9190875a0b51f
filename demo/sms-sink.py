"""The demo's SMS gateway: accepts POST /sms as the contract's gateway does and prints each
message (Idempotency-Key, to, text). Loopback only; for the demo, never for production."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            sms = json.loads(body)
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        print(f"SMS {self.headers.get('Idempotency-Key')} to {sms.get('to')}: {sms.get('text')}", flush=True)
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8090
    HTTPServer(("127.0.0.1", port), Gateway).serve_forever()
