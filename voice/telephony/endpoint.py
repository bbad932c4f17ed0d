"""The SIP endpoint of the hotline: pjsua2 (pjproject's SIP and RTP stack) driven from one thread.

pjsua2 is thread-safe only with care from Python, so one thread owns it: it creates the library
(which registers the thread with pjlib), polls SIP events (``threadCnt = 0``), and runs every
command the asyncio side posts (answer, BYE, REFER). pjmedia's own threads receive RTP and run
the conference bridge's clock (null sound device: no sound card); they only touch each call's
:class:`~voice.telephony.session.SipCall` buffers, which are thread-safe.

Only G.711 μ-law (PCMU) and A-law (PCMA) are enabled, so an offer with neither gets ``488 Not
Acceptable Here`` from pjsua itself. Keypad presses: RFC 4733 telephone-events and SIP INFO
``application/dtmf-relay`` (both decoded by pjsua) and ``application/dtmf`` (read here).
RTP that stops arriving for ``no_media_seconds`` ends the call with a BYE (``no_media``).

At shutdown every call is hung up and every pjsua2 object this module made is released before
``libDestroy``: pjsua2 aborts the process when a Python ``Call`` outlives the library.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import gc
import logging
import queue
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

import pjsua2 as pj

from careline.logging import get_logger
from careline.settings import Settings
from voice.call import CALL_RATE, FRAME_BYTES, FRAME_MS
from voice.telephony.dtmf import digit_from_info
from voice.telephony.session import SipCall
from voice.telephony.sipmsg import called_of, caller_of, split_message, uri_user

log = get_logger("voice.telephony")

CODECS = ("PCMU/8000/1", "PCMA/8000/1")
_POLL_MS = 10
_MEDIA_CHECK_SECONDS = 0.5
#: Seconds an audio port outlives its call (no frame callback can still be running by then).
PORT_RETIRE_SECONDS = 2.0
#: Seconds to wait, after a REFER was accepted, for the far end to report that the target answered.
TRANSFER_NOTIFY_WAIT = 8.0


@functools.cache
def call_limit() -> int:
    """Calls pjsua answers at once: ``PJSUA_MAX_CALLS`` of the build, which is also the default of
    ``maxCalls``. pjproject 2.15's default build, which the pjsua2-python wheel keeps, says 4;
    ``maxCalls`` above it is capped, and pjsua answers the next INVITE with 486 Busy Here."""
    return int(pj.EpConfig().uaConfig.maxCalls)

_LOG_LEVELS = {0: 50, 1: 40, 2: 30, 3: 20}


LOOPBACK = (ip_network("127.0.0.0/8"), ip_network("::1/128"))


def source_address(source: str) -> IPv4Address | IPv6Address | None:
    """The IP address of pjsip's "host:port" / "[v6]:port"; None when it is not one."""
    host = source.rsplit(":", 1)[0] if source.count(":") == 1 or source.startswith("[") else source
    try:
        address = ip_address(host.strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


class EndpointStartError(RuntimeError):
    """The SIP endpoint could not start (most often: its UDP port is taken)."""


@dataclass(frozen=True)
class EndpointConfig:
    host: str = "127.0.0.1"
    port: int = 5060
    public_address: str = ""
    rtp_port_min: int = 40000
    rtp_port_max: int = 40999
    no_media_seconds: float = 10.0
    max_calls: int = 3
    pj_log_level: int = 2
    trusted_peers: tuple[IPv4Network | IPv6Network, ...] = LOOPBACK

    @classmethod
    def from_settings(cls, settings: Settings) -> EndpointConfig:
        return cls(settings.sip_host, settings.sip_port, settings.sip_public_address, settings.sip_rtp_port_min,
                   settings.sip_rtp_port_max, settings.sip_no_media_seconds, settings.sip_max_calls,
                   trusted_peers=settings.sip_trusted_networks)

    def trusts(self, source: str) -> bool:
        """Whether a request from ``source`` (pjsip's "host:port") comes from the operator's trunk or PBX."""
        address = source_address(source)
        return address is not None and any(address in network for network in self.trusted_peers
                                           if network.version == address.version)


#: What the endpoint does with each answered call, on the asyncio loop (see :mod:`voice.telephony.hotline`).
CallStarter = Callable[[SipCall], Awaitable[None]]


class _LogWriter(pj.LogWriter):
    """pjlib's log lines into the standard library's logging (masked like every other line). Only
    the first line: pjsip appends the whole packet to some errors, and a packet names the caller."""

    def write(self, entry: pj.LogEntry) -> None:
        with contextlib.suppress(Exception):  # logging must never raise into pjlib
            logging.getLogger("pjsip").log(_LOG_LEVELS.get(entry.level, 10), entry.msg.strip().split("\n", 1)[0])


class _AudioPort(pj.AudioMediaPort):
    """The bridge port of one call: caller audio in, queued audio out, 8 kHz 16-bit frames."""

    def __init__(self, session: SipCall) -> None:
        super().__init__()
        self.session = session

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:  # noqa: N802 - pjsua2's name
        try:
            if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
                self.session.heard(bytes(tuple(frame.buf)))
        except Exception as error:  # noqa: BLE001 - never raise into the media thread
            log.warning("sip_frame_in_failed", error=type(error).__name__)

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:  # noqa: N802
        try:
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            frame.buf = pj.ByteVector(self.session.next_frame(frame.size or FRAME_BYTES))
            frame.size = len(frame.buf)
        except Exception as error:  # noqa: BLE001
            log.warning("sip_frame_out_failed", error=type(error).__name__)


class _PjCall(pj.Call):
    """pjsua2's call, forwarding what happens to the endpoint and the call's session."""

    def __init__(self, endpoint: SipEndpoint, account: pj.Account, call_index: int) -> None:
        super().__init__(account, call_index)
        self.endpoint = endpoint
        self.session: SipCall | None = None
        self.port: _AudioPort | None = None
        self.media: pj.AudioMedia | None = None
        self.media_index = -1
        self.last_rx_packets = -1
        self.last_rx_at = time.monotonic()
        self.transfer_outcome: concurrent.futures.Future[bool] | None = None
        self.transfer_accepted_at: float | None = None
        self.started = False
        self.gone = False

    def onCallState(self, prm: pj.OnCallStateParam) -> None:  # noqa: N802
        try:
            info = self.getInfo()
            if info.state == pj.PJSIP_INV_STATE_CONFIRMED and not self.started:
                self.started = True
                self.endpoint._call_confirmed(self)
            elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self.endpoint._call_disconnected(self, info.lastStatusCode)
        except Exception as error:  # noqa: BLE001
            log.error("sip_call_state_failed", error=type(error).__name__)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:  # noqa: N802
        try:
            info = self.getInfo()
            for index, media in enumerate(info.media):
                if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    self._connect(index)
                    return
        except Exception as error:  # noqa: BLE001
            log.error("sip_media_failed", call_id=self.session.call_id if self.session else "", error=repr(error))

    def _connect(self, index: int) -> None:
        if self.session is None or (self.port is not None and self.media_index == index):
            return
        self._disconnect_port()
        self.media = self.getAudioMedia(index)
        self.media_index = index
        port = _AudioPort(self.session)
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, CALL_RATE, 1, FRAME_MS * 1000, 16)
        port.createPort(f"call{self.getId()}", fmt)
        self.media.startTransmit(port)
        port.startTransmit(self.media)
        self.port = port
        self.last_rx_at = time.monotonic()

    def _disconnect_port(self) -> None:
        """Stop the call's audio both ways. The port itself is kept a while longer
        (:meth:`SipEndpoint._retire`): pjmedia's clock thread may be inside one of its callbacks
        right now, and destroying it here crashed a line process (SIGSEGV) when several calls
        ended at once."""
        if self.port is not None and self.media is not None:
            for action in (lambda: self.media.stopTransmit(self.port), lambda: self.port.stopTransmit(self.media)):
                with contextlib.suppress(pj.Error):
                    action()
        if self.port is not None:
            self.endpoint._retire(self.port)
        self.port, self.media = None, None

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:  # noqa: N802
        if self.session is not None and prm.digit in "0123456789*#" and prm.digit:
            self.session.pressed(prm.digit.upper())

    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:  # noqa: N802
        """SIP INFO with ``application/dtmf`` (pjsua itself reads ``application/dtmf-relay``)."""
        try:
            tsx = prm.e.body.tsxState.tsx
            if (tsx.method != "INFO" or tsx.role != pj.PJSIP_ROLE_UAS
                    or tsx.state != pj.PJSIP_TSX_STATE_TRYING or prm.e.body.tsxState.type != pj.PJSIP_EVENT_RX_MSG):
                return
            _start, headers, body = split_message(prm.e.body.tsxState.src.rdata.wholeMsg)
            content_type = headers.get("content-type", "")
            if content_type.split(";", 1)[0].strip().lower() != "application/dtmf":
                return
            digit = digit_from_info(content_type, body)
            if digit is not None and self.session is not None:
                self.session.pressed(digit)
        except Exception as error:  # noqa: BLE001
            log.warning("sip_info_failed", error=type(error).__name__)

    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:  # noqa: N802
        prm.statusCode = pj.PJSIP_SC_DECLINE  # a caller cannot make the hotline place calls

    def onCallReplaceRequest(self, prm: pj.OnCallReplaceRequestParam) -> None:  # noqa: N802
        prm.statusCode = pj.PJSIP_SC_DECLINE

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:  # noqa: N802
        """The REFER's answer, then the target's progress (NOTIFY): True once the target answered,
        False when the REFER or the target failed."""
        outcome = self.transfer_outcome
        if outcome is None or outcome.done():
            prm.cont = False
            return
        if prm.statusCode >= 300:
            outcome.set_result(False)
        elif prm.finalNotify:
            outcome.set_result(True)
        elif self.transfer_accepted_at is None:
            self.transfer_accepted_at = time.monotonic()
        prm.cont = not outcome.done()


class _Account(pj.Account):
    def __init__(self, endpoint: SipEndpoint) -> None:
        super().__init__()
        self.endpoint = endpoint

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:  # noqa: N802
        try:
            self.endpoint._incoming(self, prm)
        except Exception as error:  # noqa: BLE001
            log.error("sip_incoming_failed", error=repr(error))


class SipEndpoint:
    """Answers calls on ``config.host:config.port`` (UDP) and runs ``start_call`` for each on ``loop``."""

    def __init__(self, config: EndpointConfig, loop: asyncio.AbstractEventLoop, start_call: CallStarter,
                 on_load: Callable[[int], None] | None = None) -> None:
        self.config = config
        self.loop = loop
        self.start_call = start_call
        self.on_load = on_load
        #: The UDP port bound (``config.port``, or the one the system gave when that is 0).
        self.port = config.port
        self._commands: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self._calls: dict[int, _PjCall] = {}
        self._released: list[_PjCall] = []
        self._retired_ports: list[tuple[float, _AudioPort]] = []  # (drop after, port)
        self._started = threading.Event()
        self._stopping = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pjsua", daemon=True)
        self.tasks: set[asyncio.Task[None]] = set()

    # --- the asyncio side ------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> None:
        """Start the library and the transport; raises if the port cannot be bound."""
        self._thread.start()
        if not self._started.wait(timeout):
            raise EndpointStartError("the SIP endpoint did not start in time")
        if self._error is not None:
            detail = self._error.info() if isinstance(self._error, pj.Error) else repr(self._error)
            raise EndpointStartError(detail) from self._error

    def post(self, command: Callable[[], object]) -> None:
        """Run ``command`` on the pjsua thread."""
        self._commands.put(command)

    def stop(self, timeout: float = 10.0) -> None:
        """Hang up every call (``shutdown``), release pjsua2's objects, destroy the library."""
        self._stopping.set()
        self._thread.join(timeout)

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    # --- the pjsua thread ------------------------------------------------------------------
    def _run(self) -> None:
        endpoint = pj.Endpoint()
        try:
            endpoint.libCreate()
            account = self._configure(endpoint)
        except Exception as error:  # noqa: BLE001 - reported to start()
            self._error = error
            self._started.set()
            self._destroy(endpoint, None)
            return
        self._started.set()
        log.info("sip_listening", host=self.config.host, port=self.port, codecs=list(CODECS),
                 rtp_ports=f"{self.config.rtp_port_min}-{self.config.rtp_port_max}")
        next_check = time.monotonic() + _MEDIA_CHECK_SECONDS
        while not self._stopping.is_set():
            try:
                endpoint.libHandleEvents(_POLL_MS)
                self._run_commands()
                self._let_go()
                if time.monotonic() >= next_check:
                    next_check = time.monotonic() + _MEDIA_CHECK_SECONDS
                    self._check_media()
            except Exception as error:  # noqa: BLE001 - a bad moment never stops the hotline
                log.error("sip_loop_error", error=repr(error))
        self._shutdown(endpoint)
        self._destroy(endpoint, account)

    def _configure(self, endpoint: pj.Endpoint) -> _Account:
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = False
        config.uaConfig.maxCalls = call_limit()  # those beyond max_calls hear that the lines are busy
        if self.config.max_calls > call_limit():
            log.warning("sip_max_calls_capped", wanted=self.config.max_calls, limit=call_limit())
        config.uaConfig.userAgent = "CareLine hotline"
        config.logConfig.level = self.config.pj_log_level
        config.logConfig.consoleLevel = self.config.pj_log_level
        config.logConfig.msgLogging = 0  # whole SIP messages carry callers' numbers
        self._log_writer = _LogWriter()
        config.logConfig.writer = self._log_writer
        config.logConfig.decor = 0
        media = config.medConfig
        media.clockRate = CALL_RATE
        media.sndClockRate = CALL_RATE
        media.channelCount = 1
        media.audioFramePtime = FRAME_MS
        media.ptime = FRAME_MS
        media.noVad = True
        media.ecTailLen = 0
        endpoint.libInit(config)
        transport = pj.TransportConfig()
        transport.port = self.config.port
        transport.boundAddress = self.config.host
        if self.config.public_address:
            transport.publicAddress = self.config.public_address
        transport_id = endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        self.port = int(endpoint.transportGetInfo(transport_id).localName.rsplit(":", 1)[1])
        endpoint.audDevManager().setNullDev()
        for codec in endpoint.codecEnum2():
            endpoint.codecSetPriority(codec.codecId, 200 if codec.codecId in CODECS else 0)
        endpoint.libStart()
        account_config = pj.AccountConfig()
        account_config.idUri = f"sip:hotline@{self.config.public_address or self.config.host}:{self.port}"
        rtp = account_config.mediaConfig.transportConfig
        rtp.port = self.config.rtp_port_min
        rtp.portRange = max(0, self.config.rtp_port_max - self.config.rtp_port_min)
        rtp.boundAddress = self.config.host
        if self.config.public_address:
            rtp.publicAddress = self.config.public_address
        account = _Account(self)
        account.create(account_config, True)
        return account

    def _run_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                command()
            except Exception as error:  # noqa: BLE001
                log.warning("sip_command_failed", error=repr(error))

    def _incoming(self, account: _Account, prm: pj.OnIncomingCallParam) -> None:
        call = _PjCall(self, account, prm.callId)
        if not self.config.trusts(prm.rdata.srcAddress):
            log.warning("sip_call_refused_untrusted", source=prm.rdata.srcAddress)
            refuse = pj.CallOpParam()
            refuse.statusCode = pj.PJSIP_SC_FORBIDDEN
            with contextlib.suppress(pj.Error):
                call.hangup(refuse)
            self._released.append(call)
            return
        message = prm.rdata.wholeMsg
        info = call.getInfo()
        index, call_id = prm.callId, info.callIdString
        session = SipCall(self.loop, self.post, call_id, caller_of(message), called_of(message),
                          hang_up=lambda: self._hang_up_live(index, call_id),
                          transfer=lambda target: self._transfer_live(index, call_id, target),
                          busy=split_message(message)[1].get("x-careline-busy", "") == "1")
        call.session = session
        self._calls[prm.callId] = call
        self._load_changed()
        log.info("sip_call_incoming", call_id=session.call_id, phone=session.caller, calls=len(self._calls))
        answer = pj.CallOpParam()
        answer.statusCode = pj.PJSIP_SC_OK
        try:
            call.answer(answer)
        except pj.Error as error:  # e.g. no RTP port free: refuse this call, keep the others
            log.error("sip_answer_failed", call_id=session.call_id, error=error.info())
            self._calls.pop(prm.callId, None)
            self._load_changed()
            refuse = pj.CallOpParam()
            refuse.statusCode = pj.PJSIP_SC_INTERNAL_SERVER_ERROR
            with contextlib.suppress(pj.Error):
                call.hangup(refuse)
            self._released.append(call)

    def _retire(self, port: _AudioPort) -> None:
        self._retired_ports.append((time.monotonic() + PORT_RETIRE_SECONDS, port))

    def _load_changed(self) -> None:
        if self.on_load is not None:
            try:
                self.on_load(len(self._calls))
            except Exception as error:  # noqa: BLE001 - counting never fails a call
                log.warning("sip_load_report_failed", error=repr(error))

    def _call_confirmed(self, call: _PjCall) -> None:
        session = call.session
        if session is None:
            return
        log.info("sip_call_answered", call_id=session.call_id)

        def begin() -> None:
            task = self.loop.create_task(self.start_call(session))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(begin)

    def _call_disconnected(self, call: _PjCall, status: int) -> None:
        if call.gone:
            return
        call.gone = True
        call._disconnect_port()
        if call.transfer_outcome is not None and not call.transfer_outcome.done():
            call.transfer_outcome.set_result(False)
        if call.session is not None:
            call.session.disconnected("caller")
            log.info("sip_call_ended", call_id=call.session.call_id, status=status)
        self._calls.pop(call.getId(), None)
        self._load_changed()
        self._released.append(call)  # released after the callback has returned

    def _let_go(self) -> None:
        """Drop the pjsua2 calls that ended, but only while their slot is free. pjsua2's ``Call``
        destructor keeps the slot number it had and hangs up whatever call holds that slot now
        (with 603 Decline if unanswered), taking its callbacks away too; pjsua may give the slot to
        a new caller within the very poll that ended the old call. So a call is released only
        while its slot is empty, and the sessions refer to their call by slot and Call-ID, never
        holding the pjsua2 object (which Python would then destroy whenever it liked)."""
        if self._released:
            self._released = [call for call in self._released if call.isActive()]
        if self._retired_ports and self._retired_ports[0][0] <= time.monotonic():
            now = time.monotonic()
            self._retired_ports = [(until, port) for until, port in self._retired_ports if until > now]

    def _live(self, index: int, call_id: str) -> _PjCall | None:
        call = self._calls.get(index)
        if call is None or call.gone or call.session is None or call.session.call_id != call_id:
            return None
        return call

    def _hang_up_live(self, index: int, call_id: str) -> None:
        call = self._live(index, call_id)
        if call is not None:
            self._hang_up(call)

    def _transfer_live(self, index: int, call_id: str, target: str) -> concurrent.futures.Future[bool]:
        call = self._live(index, call_id)
        if call is not None:
            return self._transfer(call, target)
        over: concurrent.futures.Future[bool] = concurrent.futures.Future()
        over.set_result(False)
        return over

    def _hang_up(self, call: _PjCall, status: int = pj.PJSIP_SC_OK) -> None:
        if call.gone:
            return
        prm = pj.CallOpParam()
        if not call.started:
            prm.statusCode = pj.PJSIP_SC_DECLINE
        call.hangup(prm)

    def _transfer(self, call: _PjCall, target: str) -> concurrent.futures.Future[bool]:
        outcome: concurrent.futures.Future[bool] = concurrent.futures.Future()
        call.transfer_outcome, call.transfer_accepted_at = outcome, None
        if ":" not in target:
            host = call.getInfo().remoteUri.split("@", 1)[-1].split(">", 1)[0].split(";", 1)[0]
            target = f"sip:{target}@{host}"
        log.info("sip_refer", call_id=call.session.call_id if call.session else "",
                 phone=uri_user(target) or target)
        call.xfer(target, pj.CallOpParam(True))
        return outcome

    def _check_media(self) -> None:
        now = time.monotonic()
        for call in list(self._calls.values()):
            outcome = call.transfer_outcome
            if (outcome is not None and not outcome.done() and call.transfer_accepted_at is not None
                    and now - call.transfer_accepted_at >= TRANSFER_NOTIFY_WAIT):
                outcome.set_result(True)  # accepted, and the far end reports no progress
            if call.gone or call.port is None or call.session is None:
                continue
            try:
                packets = call.getStreamStat(call.media_index).rtcp.rxStat.pkt
            except pj.Error:
                continue
            if packets != call.last_rx_packets:
                call.last_rx_packets, call.last_rx_at = packets, now
            elif now - call.last_rx_at >= self.config.no_media_seconds:
                log.info("sip_no_media", call_id=call.session.call_id, seconds=self.config.no_media_seconds)
                call.session.ending("no_media")
                self._hang_up(call)

    def _shutdown(self, endpoint: pj.Endpoint) -> None:
        for call in list(self._calls.values()):
            if call.session is not None:
                call.session.ending("shutdown")
            with contextlib.suppress(pj.Error):
                self._hang_up(call)
        deadline = time.monotonic() + 2.0
        while self._calls and time.monotonic() < deadline:
            endpoint.libHandleEvents(_POLL_MS)
        for call in list(self._calls.values()):  # the far end never answered our BYE
            call._disconnect_port()
            if call.session is not None:
                call.session.disconnected("shutdown")
        self._calls.clear()
        self._released.clear()
        self._retired_ports.clear()

    def _destroy(self, endpoint: pj.Endpoint, account: _Account | None) -> None:
        if account is not None:
            with contextlib.suppress(pj.Error):
                account.shutdown()
        del account
        gc.collect()
        try:
            endpoint.libDestroy()
        except pj.Error as error:
            log.warning("sip_destroy_failed", error=repr(error))
        log.info("sip_stopped")
