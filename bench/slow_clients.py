#!/usr/bin/env python3
"""slow_clients.py -- the slow-client scenario of docs/security.md against `casebank serve`, on loopback only.

SLOW connections from 127.0.0.1 (from ADDRS addresses 127.0.1.1, 127.0.1.2 ... when ADDRS is set) each send a request a little at a time (a header line, or for MODE=body one
byte of a POST body, every TRICKLE seconds), while another client on 127.0.0.2 sends GOOD requests one after
the other (GET /api/codebook, each on its own connection).  Prints how many of those were answered within a
second, and how many slow connections the server still holds at the end.

    python3 bench/slow_clients.py ./casebank                  # SLOW=300 GOOD=10 TRICKLE=10 MODE=headers
    MODE=body python3 bench/slow_clients.py ./casebank
    ADDRS=10 python3 bench/slow_clients.py ./casebank         # 30 slow connections from each of ten addresses
    python3 bench/slow_clients.py ./casebank --request-timeout 5   # extra arguments go to `casebank serve`

Python 3 standard library only.  Creates its database in a temporary directory and removes it.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

SLOW = int(os.environ.get("SLOW", "300"))
GOOD = int(os.environ.get("GOOD", "10"))
TRICKLE = float(os.environ.get("TRICKLE", "10"))
MODE = os.environ.get("MODE", "headers")
ADDRS = int(os.environ.get("ADDRS", "0"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def good_request(port):
    """One GET from 127.0.0.2: seconds until the whole answer arrived, or None after a second."""
    t0 = time.monotonic()
    s = socket.socket()
    s.settimeout(1.0)
    try:
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /api/codebook HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            left = 1.0 - (time.monotonic() - t0)
            if left <= 0:
                return None
            s.settimeout(left)
            b = s.recv(65536)
            if not b:
                break
            data += b
        return time.monotonic() - t0 if data.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None
    finally:
        s.close()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "./casebank"
    extra = sys.argv[2:]
    tmp = tempfile.mkdtemp()
    db = os.path.join(tmp, "slow.db")
    subprocess.run([binary, "init", db], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    srv = subprocess.Popen([binary, "serve", db, "--listen", "127.0.0.1:%d" % port] + extra,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if good_request(port) is not None:
                break
            time.sleep(0.1)
        slow = []
        for i in range(SLOW):
            s = socket.socket()
            s.setblocking(True)
            try:
                s.bind(("127.0.1.%d" % (1 + i % ADDRS) if ADDRS else "127.0.0.1", 0))
                s.connect(("127.0.0.1", port))
                if MODE == "body":
                    s.send(b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 100000\r\n\r\n")
                else:
                    s.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                s.setblocking(False)
                slow.append(s)
            except OSError:
                s.close()
        stop = threading.Event()

        def trickle():
            while not stop.wait(TRICKLE):
                for s in slow:
                    try:
                        s.send(b"{" if MODE == "body" else b"X-Slow: 1\r\n")
                    except OSError:
                        pass
        th = threading.Thread(target=trickle, daemon=True)
        th.start()
        time.sleep(1.0)
        times = [good_request(port) for _ in range(GOOD)]
        answered = [t for t in times if t is not None]
        held = 0
        for s in slow:
            try:
                if s.recv(1) == b"":
                    continue
                held += 1  # an answer: still open
            except BlockingIOError:
                held += 1
            except OSError:
                pass
        stop.set()
        ms = sorted(t * 1000 for t in answered)
        print("mode=%s slow=%d from %d address(es) trickle=%gs: %d of %d requests from 127.0.0.2 answered within 1 s%s; "
              "server still holds %d slow connections" %
              (MODE, SLOW, ADDRS or 1, TRICKLE, len(answered), GOOD,
               " (median %.1f ms)" % ms[len(ms) // 2] if ms else "", held))
        for s in slow:
            s.close()
    finally:
        srv.terminate()
        srv.wait()
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
