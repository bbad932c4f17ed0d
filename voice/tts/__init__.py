"""Speech synthesis: one module per engine behind :class:`voice.tts.base.Synthesizer`."""

from voice.tts.base import Speech, Synthesizer
from voice.tts.fallback import FallbackSynthesizer
from voice.tts.speaker import Speaker

__all__ = ["FallbackSynthesizer", "Speaker", "Speech", "Synthesizer"]
