"""An S3-compatible endpoint for tests: moto's server mode in a thread of this process, on a
free port, reached over real HTTP by boto3 (django-storages) and by the processes under test."""

import contextlib
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass

REGION = "us-east-1"


@dataclass
class Endpoint:
    url: str
    bucket: str
    access_key: str = "bayline-test-key"
    secret_key: str = "bayline-test-secret"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def keys(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def environment(self) -> dict[str, str]:
        """The settings that put a Bayline process's files into this bucket."""
        return {
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": self.url,
            "S3_ACCESS_KEY_ID": self.access_key,
            "S3_SECRET_ACCESS_KEY": self.secret_key,
            "S3_REGION": REGION,
            "S3_ADDRESSING_STYLE": "path",
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def s3_endpoint() -> Iterator[Endpoint]:
    """A fresh moto server with one empty bucket."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = Endpoint(
            url=f"http://127.0.0.1:{port}", bucket=f"bayline-{secrets.token_hex(4)}"
        )
        endpoint.client().create_bucket(Bucket=endpoint.bucket)
        yield endpoint
    finally:
        server.stop()
