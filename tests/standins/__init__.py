"""Local stand-ins of outside services (Telegram Bot API, ...) that tests run against instead of the internet."""
