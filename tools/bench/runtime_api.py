"""A minimal stand-in for the Lambda Runtime API, for cold-start and memory
measurements of the function binaries outside Lambda.

It implements the three calls a runtime makes: GET .../invocation/next (hands
out the configured event, up to `invocations` times, then holds the caller),
POST .../invocation/<id>/response and .../error. It records when the first
`next` poll arrived: the moment the runtime finished initialising.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RuntimeApi:
    def __init__(self, event: bytes, invocations: int):
        self.event = event
        self.remaining = invocations
        self.first_poll = None
        self.responses = 0
        self.errors = 0
        self.statuses = []
        self.done = threading.Event()
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if not self.path.endswith("/invocation/next"):
                    return self._reply(404)
                with api.lock:
                    if api.first_poll is None:
                        api.first_poll = time.perf_counter()
                    give = api.remaining > 0
                    if give:
                        api.remaining -= 1
                if not give:
                    api.done.set()
                    time.sleep(3600)  # hold the runtime until it is killed
                    return
                request_id = str(uuid.uuid4())
                deadline = int((time.time() + 30) * 1000)
                self._reply(200, api.event, {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:bench",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                })

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with api.lock:
                    if self.path.endswith("/response"):
                        api.responses += 1
                        try:
                            api.statuses.append(json.loads(body).get("statusCode"))
                        except ValueError:
                            api.statuses.append(None)
                    else:
                        api.errors += 1
                self._reply(202, b"{}", {"Content-Type": "application/json"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
