"""Voice activity and end of speech, tuned for elders who speak slowly and pause to think.

webrtcvad (Google's WebRTC VAD, prebuilt wheels) classifies 30 ms frames as voiced or not. On top
of it :class:`EndOfSpeechDetector` decides when a turn starts (enough voiced frames close
together, so a click or a breath does not open a turn) and when it ends: only after
``silence_ms`` of continuous quiet (1.2 s by default, where call-centre systems use 0.5–0.8 s;
elders often pause mid-sentence) and only if the turn held at least ``min_speech_ms`` of speech,
so a cough is not taken for an answer.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import webrtcvad

from voice.audio import SAMPLE_WIDTH, StreamResampler, audioop, check_pcm, check_rate

_VAD_RATES = (8000, 16000, 32000, 48000)
FRAME_MS = 30
#: Frames quieter than this are never speech, whatever webrtcvad says: webrtcvad judges the shape
#: of the spectrum, not loudness, and takes faint line hiss for voice. Speech on a phone line sits
#: around -35..-15 dBFS; hiss and comfort noise below -50.
MIN_SPEECH_DBFS = -50.0
_MIN_SPEECH_RMS = 32768 * 10 ** (MIN_SPEECH_DBFS / 20)


def _is_speech(vad: webrtcvad.Vad, frame: bytes, rate: int) -> bool:
    return audioop.rms(frame, SAMPLE_WIDTH) >= _MIN_SPEECH_RMS and vad.is_speech(frame, rate)


class VadEventKind(enum.Enum):
    SPEECH_START = "speech_start"
    SPEECH_END = "speech_end"
    """The turn is over: ``silence_ms`` of quiet after at least ``min_speech_ms`` of speech."""
    TOO_LONG = "too_long"
    """The turn reached ``max_turn_ms`` and was closed, so a caller who never pauses is answered."""
    NOISE = "noise"
    """Something started a turn but held too little speech to count; the turn was dropped."""


@dataclass(frozen=True)
class VadEvent:
    kind: VadEventKind
    at: float
    """Seconds since the detector started, at the end of the frame that decided."""
    speech_seconds: float = 0.0
    """Voiced time in the turn (for SPEECH_END, TOO_LONG and NOISE)."""


class EndOfSpeechDetector:
    """Streaming turn detector: feed PCM of any size, get start/end events.

    Rates webrtcvad does not take (22.05 kHz …) are resampled to 16 kHz inside.
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        *,
        aggressiveness: int = 2,
        silence_ms: int = 1200,
        min_speech_ms: int = 300,
        start_ms: int = 90,
        max_turn_ms: int = 30000,
    ) -> None:
        check_rate(sample_rate)
        if not 0 <= aggressiveness <= 3:
            raise ValueError("aggressiveness is 0..3")
        self.sample_rate = sample_rate
        self._vad_rate = sample_rate if sample_rate in _VAD_RATES else 16000
        self._resampler = StreamResampler(sample_rate, self._vad_rate)
        self._vad = webrtcvad.Vad(aggressiveness)
        self._frame_bytes = self._vad_rate * FRAME_MS // 1000 * SAMPLE_WIDTH
        self.silence_frames = max(1, silence_ms // FRAME_MS)
        self.min_speech_frames = max(1, min_speech_ms // FRAME_MS)
        self.start_frames = max(1, start_ms // FRAME_MS)
        self.max_turn_frames = max(self.silence_frames, max_turn_ms // FRAME_MS)
        self._window: deque[bool] = deque(maxlen=self.start_frames + 2)
        self._pending = b""
        self._frames_seen = 0
        self.in_speech = False
        self._turn_frames = 0
        self._voiced_in_turn = 0
        self._quiet_run = 0

    @property
    def seconds(self) -> float:
        return self._frames_seen * FRAME_MS / 1000

    def reset(self) -> None:
        """Forget the current turn (after the system spoke, for instance); time keeps counting."""
        self._window.clear()
        self.in_speech = False
        self._turn_frames = self._voiced_in_turn = self._quiet_run = 0

    def feed(self, pcm: bytes) -> list[VadEvent]:
        data = self._pending + self._resampler.process(check_pcm(pcm))
        usable = len(data) - len(data) % self._frame_bytes
        self._pending = data[usable:]
        events: list[VadEvent] = []
        for start in range(0, usable, self._frame_bytes):
            event = self._step(_is_speech(self._vad, data[start:start + self._frame_bytes], self._vad_rate))
            if event is not None:
                events.append(event)
        return events

    def _step(self, voiced: bool) -> VadEvent | None:
        self._frames_seen += 1
        if not self.in_speech:
            self._window.append(voiced)
            # a turn opens on `start_frames` voiced frames among the last few, not on one blip
            if sum(self._window) >= self.start_frames:
                self.in_speech = True
                self._turn_frames = len(self._window)
                self._voiced_in_turn = sum(self._window)
                self._quiet_run = 0
                self._window.clear()
                return VadEvent(VadEventKind.SPEECH_START, self.seconds)
            return None
        self._turn_frames += 1
        if voiced:
            self._voiced_in_turn += 1
            self._quiet_run = 0
        else:
            self._quiet_run += 1
        speech = self._voiced_in_turn * FRAME_MS / 1000
        if self._quiet_run >= self.silence_frames:
            kind = (VadEventKind.SPEECH_END if self._voiced_in_turn >= self.min_speech_frames
                    else VadEventKind.NOISE)
            self.reset()
            return VadEvent(kind, self.seconds, speech)
        if self._turn_frames >= self.max_turn_frames:
            self.reset()
            return VadEvent(VadEventKind.TOO_LONG, self.seconds, speech)
        return None


def voiced_spans(pcm: bytes, rate: int, aggressiveness: int = 2, pad_ms: int = 150) -> list[tuple[float, float]]:
    """Voiced (start, end) seconds in a whole buffer, with ``pad_ms`` kept around each span and
    spans closer than 2 × ``pad_ms`` merged. Used to skip silence before running a recogniser."""
    check_rate(rate)
    vad_rate = rate if rate in _VAD_RATES else 16000
    data = StreamResampler(rate, vad_rate).process(check_pcm(pcm), last=True)
    vad = webrtcvad.Vad(aggressiveness)
    frame = vad_rate * FRAME_MS // 1000 * SAMPLE_WIDTH
    spans: list[tuple[float, float]] = []
    pad = pad_ms / 1000
    for index, start in enumerate(range(0, len(data) - frame + 1, frame)):
        if not _is_speech(vad, data[start:start + frame], vad_rate):
            continue
        begin, end = index * FRAME_MS / 1000, (index + 1) * FRAME_MS / 1000
        if spans and begin - pad <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end + pad)
        else:
            spans.append((max(0.0, begin - pad), end + pad))
    total = len(pcm) / (SAMPLE_WIDTH * rate)
    return [(start, min(end, total)) for start, end in spans]


def iter_voiced(pcm: bytes, rate: int, spans: list[tuple[float, float]]) -> Iterator[bytes]:
    for start, end in spans:
        yield pcm[int(start * rate) * SAMPLE_WIDTH:int(end * rate) * SAMPLE_WIDTH]
