"""The hotline's telephony: a SIP endpoint (pjsua2) that answers calls and hands each one to the
call session as a :class:`voice.call.Call`."""

from voice.telephony.endpoint import CODECS, EndpointConfig, EndpointStartError, SipEndpoint
from voice.telephony.hotline import Hotline, load_handler, serve
from voice.telephony.session import SipCall

__all__ = ["CODECS", "EndpointConfig", "EndpointStartError", "Hotline", "SipCall", "SipEndpoint", "load_handler",
           "serve"]
