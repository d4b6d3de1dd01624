"""The permit service's HTTP API as the demo's people use it (JSON and multipart over urllib).

The installed package must not depend on a test client, so this speaks plain HTTP/1.1 with
the standard library, as the node client does.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 30.0


class ServiceError(Exception):
    """The service answered with an error, or not at all: the request and what came back."""


@dataclass(frozen=True)
class Answer:
    """An HTTP status and the decoded JSON body (None when it has none)."""

    status: int
    body: Any


class ServiceClient:
    """The permit service at `base_url` (http://127.0.0.1:PORT)."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        """Talk to `base_url`, each request bounded by `timeout` seconds."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # The demo's server is on loopback: the caller's http_proxy must neither carry nor see
        # its requests (their session tokens among them).
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, path: str, token: str = "") -> Answer:
        """GET `path`."""
        return self._send("GET", path, None, {}, token)

    def post_json(
        self, path: str, body: dict[str, Any] | None = None, token: str = "", **headers: str
    ) -> Answer:
        """POST a JSON body (or none) to `path`."""
        data = None if body is None else json.dumps(body).encode()
        extra = {} if data is None else {"Content-Type": "application/json"}
        return self._send("POST", path, data, {**extra, **headers}, token)

    def post_multipart(
        self,
        path: str,
        parts: list[tuple[str, str, bytes, str]],
        token: str = "",
        **headers: str,
    ) -> Answer:
        """POST multipart/form-data: each part is (field, file name, content, media type)."""
        boundary = f"kepil-demo-{secrets.token_hex(12)}"
        chunks: list[bytes] = []
        for name, file_name, content, media_type in parts:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{file_name}"\r\nContent-Type: {media_type}\r\n\r\n'.encode()
            )
            chunks.extend((content, b"\r\n"))
        chunks.append(f"--{boundary}--\r\n".encode())
        content_type = f"multipart/form-data; boundary={boundary}"
        return self._send(
            "POST", path, b"".join(chunks), {"Content-Type": content_type, **headers}, token
        )

    def expect(self, answer: Answer, status: int, what: str) -> Any:
        """The body of `answer` when its status is `status`; ServiceError naming `what` else."""
        if answer.status != status:
            raise ServiceError(f"{what}: HTTP {answer.status} {_short(answer.body)}")
        return answer.body

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str], token: str
    ) -> Answer:
        request = urllib.request.Request(  # noqa: S310 - the URL is the demo's own server
            self.base_url + path, data=data, method=method, headers=dict(headers)
        )
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return Answer(response.status, _decode(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _decode(error.read()))
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ServiceError(
                f"{method} {path}: no answer from {self.base_url}: {reason}"
            ) from None


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")[:500]


def _short(body: Any) -> str:
    text = json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body
    return text[:400]
