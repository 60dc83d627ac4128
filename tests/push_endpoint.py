"""A Web Push service on loopback for tests: records what it receives and decrypts it as a browser would."""

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


def unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class PushEndpoint:
    """The push service and the browser's keys for one subscription."""

    status: int = 201
    received: list[Received] = field(default_factory=list)
    browser_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: b"0123456789abcdef")

    def start(self) -> "PushEndpoint":
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", 0))
                endpoint.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                )
                self.send_response(endpoint.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll: shutdown() waits for the loop's next look, 0.5 s by default.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/push/device-1"

    def subscription_json(self) -> dict:
        """What the browser's `PushSubscription.toJSON()` gives."""
        public = self.browser_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.url,
            "expirationTime": None,
            "keys": {"p256dh": b64(public), "auth": b64(self.auth_secret)},
        }

    def decrypt(self, message: Received) -> dict:
        """The payload, decrypted with the browser's private key (RFC 8291, aes128gcm)."""
        assert message.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            message.body, private_key=self.browser_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)

    def check_vapid(self, message: Received, *, public_key: str) -> dict:
        """The VAPID JWT's claims, after checking its ES256 signature against the server's public key."""
        scheme, _, params = message.headers["authorization"].partition(" ")
        assert scheme == "vapid"
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        assert fields["k"] == public_key
        header, claims, signature = fields["t"].split(".")
        raw = unb64(signature)
        der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
        key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        return json.loads(unb64(claims))
