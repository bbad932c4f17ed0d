"""The call session of the voice hotline: what happens inside one answered call.

:func:`voice.hotline.session.handle_call` is what the telephony side runs for each call; the
README's "Hotline: the call" part describes the rules and the modules.
"""
