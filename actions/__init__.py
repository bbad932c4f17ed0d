"""rasa-sdk actions: thin classes that read slots, call ``knowledge`` queries and format replies."""
