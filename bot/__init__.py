"""Dialogue definition, conversation hub and channel gateways."""
