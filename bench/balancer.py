"""A small TCP load balancer: what nginx's ``upstream`` does in front of several web machines
(docs/deploy/nginx.conf), reduced to what the two-host test and the benches need.

Each client connection goes to the next host in turn; a host that refuses the connection is
passed over (as nginx's ``max_fails``), so once a host dies every connection goes to the
others. Bytes are copied both ways until either side closes.

The two-host test (tests/e2e/test_two_hosts.py) runs it on its own asyncio loop in a thread of
the test process. The benches run it as a process of its own, so that it does not share the
load generator's GIL (``bench.common.start_hosts``)::

    .venv/bin/python bench/balancer.py --port 8150 127.0.0.1:8151 127.0.0.1:8152

It prints ``ready`` once it listens; on SIGTERM it stops and prints the connections each host
was given (JSON).
"""

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import signal
import threading


class Balancer:
    def __init__(self, backends: list[tuple[str, int]]):
        self.backends = backends
        self.turns = itertools.cycle(range(len(backends)))
        self.served: collections.Counter = collections.Counter()  # connections per backend
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.port = 0

    def start(self, port: int = 0) -> int:
        """Listen on ``port`` of 127.0.0.1 (0: one the system picks); returns the port."""
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.handle, "127.0.0.1", port), self.loop
        ).result(timeout=10)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    def stop(self) -> None:
        async def close():
            self.server.close()
            await self.server.wait_closed()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def connect(self):
        for _attempt in range(len(self.backends)):
            backend = self.backends[next(self.turns)]
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(*backend), 2)
            except (OSError, TimeoutError):
                continue  # down: the next one
            self.served[backend] += 1
            return reader, writer
        return None

    async def handle(self, client_reader, client_writer):
        upstream = await self.connect()
        if upstream is None:
            client_writer.close()
            return
        upstream_reader, upstream_writer = upstream
        await asyncio.gather(
            self.pipe(client_reader, upstream_writer), self.pipe(upstream_reader, client_writer)
        )

    @staticmethod
    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(ConnectionError, OSError):
                writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="A round-robin TCP balancer on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True, help="where clients connect")
    parser.add_argument("backends", nargs="+", metavar="HOST:PORT")
    options = parser.parse_args()
    backends = [(host, int(port)) for host, port in (b.rsplit(":", 1) for b in options.backends)]
    # Block SIGTERM before the loop's thread starts (it inherits the mask), then wait for it.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    balancer = Balancer(backends)
    balancer.start(options.port)
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    balancer.stop()
    print(json.dumps({f"{host}:{port}": n for (host, port), n in balancer.served.items()}))


if __name__ == "__main__":
    main()
