"""Rasa input channels of CareLine. They run inside the engine venv (Rasa 3.6.21)."""
