"""Vosk with the real library and the one Vosk model a registry ships (Korean): the plumbing
(loading, streaming, partials, grammar, finals, timing, bad audio), not Mandarin/English accuracy.
Korean test speech is made with eSpeak NG's Korean voice."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.voice.conftest import noise
from voice.audio import frames, read_wav, resample, silence
from voice.errors import BadAudioError, EngineUnavailableError, UnsupportedLanguageError, UnsupportedSampleRateError
from voice.stt.vosk import VoskRecognizer


@pytest.fixture(scope="module")
def vosk_ko(ko_model_dir: Path) -> VoskRecognizer:
    # the model is Korean; the language label only decides how words are joined
    return VoskRecognizer("en", ko_model_dir, max_segment_seconds=10)


def say_ko(text: str, rate: int = 16000) -> bytes:
    wav = subprocess.run(["espeak-ng", "-v", "ko", "-s", "140", "--stdout"], input=text.encode(),
                         capture_output=True, check=True).stdout
    pcm, native = read_wav(wav)
    return resample(pcm, native, rate)


def test_streaming_gives_partials_then_a_final(vosk_ko: VoskRecognizer) -> None:
    stream = vosk_ko.stream(16000)
    results = []
    for frame in frames(say_ko("안녕하세요 서울역으로 가 주세요"), 16000, 100):
        results.extend(stream.feed(frame))
    partials = [r for r in results if not r.is_final]
    assert len(partials) >= 2 and all(p.text and p.confidence is None for p in partials)
    final = stream.finish()
    assert final.is_final and final.text and 0 < (final.confidence or 0) <= 1
    assert 0 <= final.start < final.end <= stream.seconds + 0.05
    assert final.engine == "vosk"


def test_an_endpoint_inside_the_stream_closes_a_segment_and_timing_goes_on(vosk_ko: VoskRecognizer) -> None:
    pcm = say_ko("안녕하세요") + silence(2.0, 16000) + say_ko("감사합니다") + silence(0.3, 16000)
    stream = vosk_ko.stream(16000)
    finals = [r for f in frames(pcm, 16000, 100) for r in stream.feed(f) if r.is_final]
    finals.append(stream.finish())
    spoken = [f for f in finals if f.text]
    assert len(spoken) == 2
    assert spoken[1].start > spoken[0].end + 1.5  # times count from the stream's start


def test_grammar_limits_results_to_the_phrases(vosk_ko: VoskRecognizer) -> None:
    phrases = ["네", "아니요"]
    assert vosk_ko.transcribe(say_ko("네"), 16000, phrases).text == "네"
    assert vosk_ko.transcribe(say_ko("아니요"), 16000, phrases).text == "아니요"
    free = vosk_ko.transcribe(say_ko("아니요"), 16000)
    assert free.text != "아니요"  # without the grammar this model mis-hears it: the grammar decides


def test_grammar_without_known_words_falls_back_to_free_recognition(vosk_ko: VoskRecognizer) -> None:
    stream = vosk_ko.stream(16000, ["zzqx-not-a-korean-word"])
    assert stream.phrases is None
    stream.feed(say_ko("안녕하세요"))
    assert stream.finish().text


@pytest.mark.parametrize("rate", [8000, 22050, 48000])
def test_other_sample_rates(vosk_ko: VoskRecognizer, rate: int) -> None:
    assert vosk_ko.transcribe(say_ko("네", rate), rate, ["네", "아니요"]).text == "네"


def test_empty_and_silent_audio_give_empty_finals(vosk_ko: VoskRecognizer) -> None:
    stream = vosk_ko.stream(16000)
    assert stream.feed(b"") == []
    assert stream.finish().text == ""
    result = vosk_ko.transcribe(silence(3.0, 16000), 16000)
    assert result.text == "" and result.confidence is None and result.is_final


def test_clipping_noise_does_not_crash(vosk_ko: VoskRecognizer) -> None:
    result = vosk_ko.transcribe(noise(3.0, level=4.0), 16000)
    assert result.is_final  # any text or none, but an answer


def test_long_audio_is_cut_into_bounded_segments(vosk_ko: VoskRecognizer) -> None:
    # 25 s of steady noise: no pause for Vosk's endpointer, so the 10 s segment limit closes it
    stream = vosk_ko.stream(8000)
    started = time.monotonic()
    finals = [r for f in frames(noise(25.0, 8000, level=0.05), 8000, 500) for r in stream.feed(f) if r.is_final]
    assert len(finals) >= 2
    assert time.monotonic() - started < 30


def test_bad_input_is_a_clear_error(vosk_ko: VoskRecognizer, tmp_path: Path) -> None:
    with pytest.raises(BadAudioError):
        vosk_ko.stream(16000).feed(b"\x01\x02\x03")
    with pytest.raises(UnsupportedSampleRateError):
        vosk_ko.stream(11025)
    with pytest.raises(UnsupportedLanguageError):
        VoskRecognizer("ko", tmp_path)
    with pytest.raises(EngineUnavailableError) as error:
        VoskRecognizer("zh", tmp_path)
    assert "am/final.mdl" in error.value.say("en")
