"""The hotline's telephony: a front SIP address (:mod:`~voice.telephony.front`) that spreads calls
over SIP endpoints (pjsua2) in line processes (:mod:`~voice.telephony.lines`), each handing its
calls to the call session as a :class:`voice.call.Call`."""

from voice.telephony.endpoint import CODECS, EndpointConfig, EndpointStartError, SipEndpoint
from voice.telephony.hotline import Hotline, load_handler, serve_line
from voice.telephony.session import SipCall

__all__ = ["CODECS", "EndpointConfig", "EndpointStartError", "Hotline", "SipCall", "SipEndpoint", "load_handler",
           "serve_line"]
