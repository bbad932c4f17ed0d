"""Speech recognition: one module per engine behind :class:`voice.stt.base.Recognizer`."""

from voice.stt.base import RecognitionStream, Recognizer, Transcript
from voice.stt.files import transcribe_audio, transcribe_voice_note
from voice.stt.registry import Recognizers, choose

__all__ = ["RecognitionStream", "Recognizer", "Recognizers", "Transcript", "choose", "transcribe_audio",
           "transcribe_voice_note"]
