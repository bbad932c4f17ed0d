"""Voice: speech recognition, speech synthesis and telephony."""
