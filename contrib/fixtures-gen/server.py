"""Loopback HTTP server for browser_sdp.sh: serves page.html and saves the SDPs it posts."""
import http.server, json, os, sys

port, dest, page = int(sys.argv[1]), sys.argv[2], sys.argv[3]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = open(page, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        if self.path == "/dump":
            with open(os.path.join(dest, data["name"] + ".sdp"), "w", newline="") as f:
                f.write(data["sdp"])
        elif self.path == "/err":
            print("browser error:", data, flush=True)
            os._exit(1)
        elif self.path == "/done":
            os._exit(0)

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
