"""Custom Rasa pipeline components. They run inside the engine venv (Rasa 3.6.21)."""
