from __future__ import annotations

import io

import av
import numpy as np
import pytest

from tests.voice.conftest import noise, tone
from voice import audio
from voice.errors import BadAudioError, UndecodableAudioError, UnsupportedSampleRateError


def _peak_hz(pcm: bytes, rate: int) -> float:
    samples = audio.to_float(pcm)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * rate / len(samples))


@pytest.mark.parametrize(("src", "dst"), [(8000, 16000), (16000, 8000), (16000, 22050), (22050, 8000), (22050, 16000)])
def test_resample_keeps_length_and_pitch(src: int, dst: int) -> None:
    pcm = tone(1.0, src, hz=300)
    out = audio.resample(pcm, src, dst)
    assert abs(len(out) // 2 - dst) <= 2
    assert abs(_peak_hz(out, dst) - 300) < 3


def test_stream_resampler_matches_whole_buffer_length() -> None:
    pcm = tone(1.0, 8000)
    resampler = audio.StreamResampler(8000, 16000)
    out = b"".join(resampler.process(frame) for frame in audio.frames(pcm, 8000, 20))
    out += resampler.process(b"", last=True)
    assert abs(len(out) // 2 - 16000) <= 2
    assert abs(_peak_hz(out, 16000) - 440) < 3


@pytest.mark.parametrize(("encode", "decode"), [(audio.ulaw_encode, audio.ulaw_decode),
                                                (audio.alaw_encode, audio.alaw_decode)])
def test_g711_round_trip_is_close_and_one_byte_a_sample(encode, decode) -> None:  # noqa: ANN001
    pcm = tone(0.5, 8000, level=0.5)
    coded = encode(pcm)
    assert len(coded) == len(pcm) // 2
    back = np.frombuffer(decode(coded), dtype="<i2").astype(float)
    original = np.frombuffer(pcm, dtype="<i2").astype(float)
    # G.711 keeps about 12 bits of dynamic range: error well under 3 % of full scale
    assert np.max(np.abs(back - original)) < 0.03 * 32768
    assert encode(b"") == b""


def test_known_mu_law_codes() -> None:
    # ITU-T G.711: silence is 0xFF in μ-law and 0xD5 in A-law
    assert audio.ulaw_encode(b"\x00\x00") == b"\xff"
    assert audio.alaw_encode(b"\x00\x00") == b"\xd5"


def test_wav_round_trip_and_stereo_mix_down() -> None:
    pcm = tone(0.2, 16000)
    assert audio.read_wav(audio.wav_bytes(pcm, 16000)) == (pcm, 16000)
    buffer = io.BytesIO()
    import wave

    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x10\x00\x30\x00" * 100)
    mono, rate = audio.read_wav(buffer.getvalue())
    assert rate == 8000 and len(mono) == 200 and mono[:2] == b"\x20\x00"


def test_bad_pcm_and_rates_are_clear_errors() -> None:
    with pytest.raises(BadAudioError) as error:
        audio.resample(b"\x00\x01\x02", 16000, 8000)
    assert "16" in error.value.say("zh") and "bytes" in error.value.say("en")
    with pytest.raises(UnsupportedSampleRateError) as rate_error:
        audio.resample(tone(0.1), 16000, 11111)
    assert "11111" in rate_error.value.say("zh")
    with pytest.raises(UndecodableAudioError):
        audio.read_wav(b"RIFF not really")


def _encode(pcm: bytes, rate: int, fmt: str, codec: str) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=48000 if codec == "libopus" else rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.frombuffer(pcm, dtype="<i2").reshape(1, -1), format="s16",
                                           layout="mono")
        frame.sample_rate = rate
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=stream.rate)
        for converted in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(converted):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def ogg_opus(pcm: bytes, rate: int = 16000) -> bytes:
    """What Telegram sends as a voice note: Opus in an OGG container."""
    return _encode(pcm, rate, "ogg", "libopus")


def test_decode_ogg_opus_and_mp3() -> None:
    pcm = tone(2.0, 16000, hz=500)
    for data in (ogg_opus(pcm), _encode(pcm, 16000, "mp3", "libmp3lame")):
        decoded = audio.decode_audio(data, rate=16000)
        assert not decoded.truncated
        assert abs(decoded.seconds - 2.0) < 0.1
        assert abs(_peak_hz(decoded.pcm, 16000) - 500) < 5
    assert audio.decode_audio(ogg_opus(pcm), rate=8000).rate == 8000


def test_decode_stops_at_the_limit() -> None:
    decoded = audio.decode_audio(ogg_opus(noise(20.0, level=0.1)), rate=16000, max_seconds=5)
    assert decoded.truncated
    assert decoded.seconds == pytest.approx(5.0, abs=0.01)


@pytest.mark.parametrize("data", [b"", b"\x00" * 1000, b"OggS" + b"\x00" * 200, "你好".encode()])
def test_decode_garbage_is_a_bilingual_error(data: bytes) -> None:
    with pytest.raises(UndecodableAudioError) as error:
        audio.decode_audio(data)
    assert "音频" in error.value.say("zh") and "audio" in error.value.say("en")


def test_loudness() -> None:
    assert audio.rms_dbfs(bytes(320)) == float("-inf")
    assert audio.rms_dbfs(noise(0.5, level=3.0)) > -3
