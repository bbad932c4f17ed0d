"""rasa-sdk actions: thin classes that read slots, call ``knowledge`` queries and format replies."""

from careline.logging import configure_stdlib_in_server

# rasa-sdk imports this package after installing its own, unmasked, root log handler; the
# careline.action_server entry point configures masking itself (and marks its workers)
configure_stdlib_in_server("rasa_sdk.__main__")
