"""Errors of the speech engines, each with a message in Mandarin and English.

A caller that shows an error to a person uses :meth:`VoiceError.say`; logs get the error's class
name and ``key``, never audio content or transcripts.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    "unsupported_language": {
        "zh": "不支持这种语言：{language}（支持 zh 普通话、en 英语）。",
        "en": "This language is not supported: {language} (supported: zh Mandarin, en English).",
    },
    "unsupported_rate": {
        "zh": "不支持这个采样率：{rate} Hz（支持 {rates}）。",
        "en": "This sample rate is not supported: {rate} Hz (supported: {rates}).",
    },
    "bad_pcm": {
        "zh": "音频格式不对：需要 16 位单声道 PCM，字节数必须是偶数（收到 {size} 字节）。",
        "en": "Bad audio: 16-bit mono PCM is needed, an even number of bytes (got {size}).",
    },
    "undecodable": {
        "zh": "无法识别这段音频的格式，请发送语音消息或常见音频文件。",
        "en": "This audio could not be decoded; please send a voice message or a common audio file.",
    },
    "engine_unavailable": {
        "zh": "语音引擎 {engine} 不可用：{reason}",
        "en": "The speech engine {engine} is not available: {reason}",
    },
    "model_invalid": {
        "zh": "语音模型目录无效：{path}（{reason}）",
        "en": "Not a valid speech model directory: {path} ({reason})",
    },
    "synthesis_failed": {
        "zh": "语音合成失败（{engine}）。",
        "en": "Speech synthesis failed ({engine}).",
    },
}


class VoiceError(Exception):
    """Base of every error the speech engines raise on purpose."""

    key = "engine_unavailable"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.say("en"))

    def say(self, language: str) -> str:
        """The message for a person, in ``language`` (English for anything but ``zh``)."""
        table = MESSAGES[self.key]
        return table.get(language, table["en"]).format(**self.params)


class UnsupportedLanguageError(VoiceError, ValueError):
    key = "unsupported_language"


class UnsupportedSampleRateError(VoiceError, ValueError):
    key = "unsupported_rate"


class BadAudioError(VoiceError, ValueError):
    key = "bad_pcm"


class UndecodableAudioError(VoiceError, ValueError):
    key = "undecodable"


class EngineUnavailableError(VoiceError, RuntimeError):
    key = "engine_unavailable"


class ModelInvalidError(VoiceError, ValueError):
    key = "model_invalid"


class SynthesisError(VoiceError, RuntimeError):
    key = "synthesis_failed"
