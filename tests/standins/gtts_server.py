"""A local stand-in of Google Translate's text-to-speech endpoint, the one gTTS talks to.

It answers ``POST /_/TranslateWebserverUi/data/batchexecute`` the way the real service does, so
the unchanged gTTS library runs against it (``GttsSynthesizer(base_url=server.url)``):

* the request body is ``f.req=<url-encoded JSON>``: ``[[["jQ1olc", "[text, lang, speed, \\"null\\"]",
  null, "generic"]]]`` with speed ``true`` for slow and ``null`` for normal;
* the reply is Google's "batchexecute" envelope: the ``)]}'`` guard line, then length-prefixed
  JSON chunks, the first holding ``["wrb.fr","jQ1olc","[\\"<base64 MP3>\\"]",…]``; gTTS finds the
  audio by that RPC id and base64-decodes it;
* the MP3 is real speech (eSpeak NG says the requested text, encoded as 24 kHz mono MP3 like
  Google's), so a test can decode it and even recognise it.

Modes for failure tests: ``delay`` (seconds before answering: a slow service), ``status`` (an HTTP
error such as 500 or 429), ``no_audio`` (200 with an envelope but no audio, as when Google
refuses a text). Every request is recorded (text, lang, slow) in ``requests``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import av
import numpy as np

PATH = "/_/TranslateWebserverUi/data/batchexecute"
_ESPEAK_VOICES = {"zh-CN": "cmn-latn-pinyin", "zh": "cmn-latn-pinyin", "zh-TW": "cmn-latn-pinyin", "en": "en-us"}


@dataclass(frozen=True)
class TtsRequest:
    text: str
    lang: str
    slow: bool


def mp3_of(text: str, lang: str, slow: bool) -> bytes:
    """Speech for ``text`` as a 24 kHz mono MP3."""
    speed = "110" if slow else "170"
    wav = subprocess.run(["espeak-ng", "-v", _ESPEAK_VOICES.get(lang, "en-us"), "-s", speed, "--stdout"],
                         input=text.encode(), capture_output=True, check=True, timeout=10).stdout
    with av.open(io.BytesIO(wav)) as source:
        frames = [f.to_ndarray() for f in source.decode(audio=0)]
        rate = source.streams.audio[0].rate
    samples = np.concatenate(frames, axis=1).reshape(-1).astype(np.int16)
    out = io.BytesIO()
    with av.open(out, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=24000, layout="mono")
        stream.bit_rate = 32000
        resampler = av.AudioResampler(format="s16p", layout="mono", rate=24000)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for converted in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(converted):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def envelope(mp3: bytes | None) -> bytes:
    """Google's batchexecute reply around the audio (or around nothing)."""
    payload = json.dumps([base64.b64encode(mp3).decode()]) if mp3 is not None else "[]"
    first = json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"],
                        ["di", 42], ["af.httprm", 41, "-4436318297785446880", 7]], separators=(",", ":"))
    if mp3 is None:  # an answer without audio: the RPC id is there, the audio is not
        first = first.replace('"[]"', '"[null]"')
    second = json.dumps([["e", 4, None, None, len(first) + 100]], separators=(",", ":"))
    body = ")]}'\n\n"
    for chunk in (first, second):
        body += f"{len(chunk.encode()) + 1}\n{chunk}\n"
    return body.encode()


@dataclass
class GttsServer:
    delay: float = 0.0
    status: int = 200
    no_audio: bool = False
    requests: list[TtsRequest] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> GttsServer:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                if urllib.parse.urlsplit(self.path).path != PATH:
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                try:
                    rpc = json.loads(urllib.parse.parse_qs(body)["f.req"][0])
                    rpc_id, parameters = rpc[0][0][0], json.loads(rpc[0][0][1])
                    text, lang, speed = parameters[0], parameters[1], parameters[2]
                    assert rpc_id == "jQ1olc"
                except (KeyError, IndexError, ValueError, AssertionError):
                    self.send_error(400)
                    return
                stand_in.requests.append(TtsRequest(text, lang, speed is True))
                if stand_in.delay:
                    time.sleep(stand_in.delay)
                if stand_in.status != 200:
                    self.send_error(stand_in.status)
                    return
                reply = envelope(None if stand_in.no_audio else mp3_of(text, lang, speed is True))
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (the service is down)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
