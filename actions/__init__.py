"""rasa-sdk actions: thin classes that read slots, call ``knowledge`` queries and format replies.

Nothing here has a side effect on import. The action server configures its logging itself
(careline/action_server.py)."""
