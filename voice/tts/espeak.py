"""eSpeak NG (Debian package ``espeak-ng``): offline Mandarin and English, robotic but instant.

Mandarin uses the voice ``cmn-latn-pinyin``: Debian 12's plain ``cmn`` reads latin letters the
English way, and with it some characters come out as pinyin with tone numbers spoken in English.
"""

from __future__ import annotations

import shutil
import subprocess

from voice.audio import read_wav
from voice.errors import EngineUnavailableError, SynthesisError
from voice.tts.base import Synthesizer

VOICES = {"zh": "cmn-latn-pinyin", "en": "en-us"}
#: eSpeak's normal pace in words per minute; ``rate`` scales it.
NORMAL_WPM = 175


class EspeakSynthesizer(Synthesizer):
    name = "espeak"
    languages = ("zh", "en")

    def __init__(self, binary: str = "espeak-ng", timeout: float = 10.0) -> None:
        found = shutil.which(binary)
        if found is None:
            raise EngineUnavailableError(engine="espeak-ng", reason="the espeak-ng program is not installed")
        self.binary = found
        self.timeout = timeout

    def voice(self, language: str) -> str:
        return VOICES[language]

    def render(self, sentence: str, language: str, rate: float) -> tuple[bytes, int]:
        words_per_minute = max(80, min(450, round(NORMAL_WPM * rate)))
        try:
            done = subprocess.run(
                [self.binary, "-v", VOICES[language], "-s", str(words_per_minute), "--stdout"],
                input=sentence.encode("utf-8"), capture_output=True, timeout=self.timeout, check=True,
            )
        except (subprocess.SubprocessError, OSError) as error:
            raise SynthesisError(engine=self.name) from error
        return read_wav(done.stdout)
