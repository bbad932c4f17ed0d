"""The hub's HTTP doors, one router each, included by :func:`bot.hub.app.create_app`."""
