"""The consultants' console: a service beside the channel path (what a person does to a
conversation) and, in the next step, the web pages and their router."""
