#!/usr/bin/env python3
"""Tiny TCP reachability probe for cluster/netns/run --selftest (stdlib only).

    tcpprobe.py listen PORT [PORT...] --seconds S
        Accept connections on 0.0.0.0:PORT and keep them open for S seconds, so that
        `ss` in this namespace sees them ESTABLISHED. Answers each peer with one line
        naming the listener (`hello from HOST:PORT`).
    tcpprobe.py connect HOST:PORT [HOST:PORT...] --seconds S
        Resolve each HOST (through /etc/hosts, i.e. /etc/netns/NAME/hosts inside
        `ip netns exec`), connect (retrying for up to 10 s while listeners start), read
        the greeting, keep every connection open for S seconds. Exit 1 if any fails.
"""
import selectors
import socket
import sys
import time


def parse(argv):
    seconds = 5.0
    rest = []
    i = 0
    while i < len(argv):
        if argv[i] == "--seconds":
            seconds = float(argv[i + 1])
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    return rest, seconds


def listen(ports, seconds):
    sel = selectors.DefaultSelector()
    host = socket.gethostname()
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", int(p)))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, int(p))
    held = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            conn, _addr = key.fileobj.accept()
            conn.sendall(f"hello from {host}:{key.data}\n".encode())
            held.append(conn)
    for c in held:
        c.close()
    return 0


def connect(targets, seconds):
    held, failed = [], []
    for t in targets:
        host, _, port = t.rpartition(":")
        deadline = time.monotonic() + 10
        while True:
            try:
                c = socket.create_connection((host, int(port)), timeout=2)
                greeting = c.recv(200).decode(errors="replace").strip()
                print(f"connected {t} ({c.getpeername()[0]}): {greeting}", flush=True)
                held.append(c)
                break
            except OSError as e:
                if time.monotonic() > deadline:
                    print(f"FAILED {t}: {e}", file=sys.stderr, flush=True)
                    failed.append(t)
                    break
                time.sleep(0.2)
    time.sleep(seconds)
    for c in held:
        c.close()
    return 1 if failed else 0


def main(argv):
    if not argv or argv[0] not in ("listen", "connect"):
        sys.stderr.write(__doc__)
        return 2
    rest, seconds = parse(argv[1:])
    return listen(rest, seconds) if argv[0] == "listen" else connect(rest, seconds)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
