"""A small TCP load balancer for the two-host test: what nginx's ``upstream`` does in front of
several web machines (docs/deploy/nginx.conf), reduced to what the test needs.

Each client connection goes to the next host in turn; a host that refuses the connection is
passed over (as nginx's ``max_fails``), so once a host dies every connection goes to the
others. Bytes are copied both ways until either side closes. It runs on its own asyncio loop
in a thread of the test process.
"""

import asyncio
import collections
import contextlib
import itertools
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

    def start(self) -> int:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self.handle, "127.0.0.1", 0), self.loop
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
