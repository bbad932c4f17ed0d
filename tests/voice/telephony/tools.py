"""Helpers of the telephony tests: free ports, tones, audio measures, a raw SIP exchange."""

from __future__ import annotations

import socket
import time

import numpy as np

from voice.call import CALL_RATE


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tone(frequency: float, seconds: float, amplitude: int = 8000) -> bytes:
    samples = np.arange(int(CALL_RATE * seconds)) / CALL_RATE
    return (np.sin(2 * np.pi * frequency * samples) * amplitude).astype("<i2").tobytes()


def dominant_frequency(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / CALL_RATE)[spectrum.argmax()])


def rms(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples ** 2))) if len(samples) else 0.0


def best_match(heard: bytes, reference: bytes) -> float:
    """Peak normalised cross-correlation of ``reference`` within ``heard`` (1.0: an exact copy)."""
    x = np.frombuffer(heard, dtype="<i2").astype(np.float64)
    y = np.frombuffer(reference, dtype="<i2").astype(np.float64)
    n = len(x) + len(y)
    correlation = np.fft.irfft(np.fft.rfft(x, n) * np.conj(np.fft.rfft(y, n)), n)[: len(x) - len(y) + 1]
    energy = np.sqrt(np.convolve(x ** 2, np.ones(len(y)), "valid"))
    return float(np.max(correlation / (np.linalg.norm(y) * np.maximum(energy, 1e-9))))


def free_even_port() -> int:
    """A free UDP port, even (RTP's convention), for SIPp's media."""
    return free_udp_port() // 2 * 2


def exchange(port: int, datagram: bytes, wait: float = 1.0, source: str = "127.0.0.1") -> bytes | None:
    """Send one datagram to the hotline from ``source`` (any 127.x address is this machine); the
    first line of its first final answer (provisional 1xx skipped) within ``wait`` s."""
    deadline = time.monotonic() + wait
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((source, 0))
        sock.sendto(datagram, ("127.0.0.1", port))
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                first = sock.recvfrom(65535)[0].split(b"\r\n", 1)[0]
            except TimeoutError:
                return None
            if not first.startswith(b"SIP/2.0 1"):
                return first
        return None


def sip_options(port: int, wait: float = 10.0) -> bytes | None:
    """An OPTIONS keep-alive to a hotline on ``port``; the first line of its answer."""
    deadline = time.monotonic() + wait
    request = (f"OPTIONS sip:hotline@127.0.0.1:{port} SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-{branch}\r\n"
               "From: <sip:trunk@127.0.0.1>;tag=1\r\nTo: <sip:hotline@127.0.0.1>\r\n"
               "Call-ID: {branch}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
    attempt = 0
    while True:
        attempt += 1
        answer = exchange(port, request.format(branch=f"opt{attempt}").encode(), wait=1.0)
        if answer is not None or time.monotonic() >= deadline:
            return answer
