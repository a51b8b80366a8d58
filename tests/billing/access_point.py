"""A stand-in for an access point provider's API (the shape in docs/deploy.md), run by the
tests as a real HTTP server on 127.0.0.1.

It checks what it receives as a provider would before it passes a document into the Peppol
network: the API key; the JSON envelope; a well-formed UBL document of the declared type; the
EN 16931 / Peppol rules the suite checks (tests/billing/ubl_rules.py); the receiver and sender
identifiers against the document's own endpoints. It refuses anything else with HTTP 422 and
the reason. It can be told to fail the next N calls (HTTP 503) or to refuse every document,
and says per message id what the buyer's side did (``outcome``).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.billing.ubl_rules import CAC, CBC, check_en16931, check_endpoints
from tests.servers import serve

API_KEY = "stand-in-key-0123456789"
INVOICE_TYPE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
CREDIT_NOTE_TYPE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


@dataclass
class Received:
    id: str
    sender: str
    receiver: str
    document_type: str
    document: bytes

    @property
    def root(self) -> ET.Element:
        return ET.fromstring(self.document)  # noqa: S314  (the test's own output)


@dataclass
class State:
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # the reasons of each 422
    fail_next: int = 0  # answer 503 to this many calls
    reject_with: str = ""  # refuse every document with this reason
    outcome: str = "delivered"  # what GET /documents/<id> says: delivered, pending or failed
    outcome_error: str = ""
    calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _endpoint(root: ET.Element, party: str) -> str:
    el = root.find(f"{CAC}{party}/{CAC}Party/{CBC}EndpointID")
    return f"{el.get('schemeID', '')}:{(el.text or '').strip()}" if el is not None else ""


def problems_of(envelope: Any) -> tuple[list[str], bytes]:
    """What a provider would refuse in the envelope and its document."""
    if not isinstance(envelope, dict):
        return ["the body is not a JSON object"], b""
    missing = [
        k
        for k in ("sender", "receiver", "documentTypeId", "processId", "document")
        if not isinstance(envelope.get(k), str) or not envelope[k]
    ]
    if missing:
        return [f"missing {', '.join(missing)}"], b""
    try:
        document = base64.b64decode(envelope["document"], validate=True)
        root = ET.fromstring(document)  # noqa: S314
    except (binascii.Error, ValueError, ET.ParseError):
        return ["the document is not well-formed XML in base64"], b""
    problems = []
    credit = root.tag.endswith("}CreditNote")
    expected = CREDIT_NOTE_TYPE if credit else INVOICE_TYPE
    if not envelope["documentTypeId"].startswith(expected):
        problems.append("documentTypeId does not match the document")
    if envelope["processId"] != PROFILE:
        problems.append("unknown processId")
    problems += check_en16931(document) + check_endpoints(document)
    if envelope["receiver"] != _endpoint(root, "AccountingCustomerParty"):
        problems.append("the receiver is not the buyer's EndpointID")
    if envelope["sender"] != _endpoint(root, "AccountingSupplierParty"):
        problems.append("the sender is not the seller's EndpointID")
    return problems, document


class Handler(BaseHTTPRequestHandler):
    server: Any

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _allowed(self, state: State) -> bool:
        with state.lock:
            state.calls += 1
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                self._answer(401, {"error": "unknown API key"})
                return False
            if state.fail_next:
                state.fail_next -= 1
                self._answer(503, {"error": "try again later"})
                return False
        return True

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        state: State = self.server.state
        if self.path != "/documents":
            self._answer(404, {"error": "no such resource"})
            return
        if not self._allowed(state):
            return
        length = int(self.headers.get("Content-Length", "0"))
        try:
            envelope = json.loads(self.rfile.read(length))
        except ValueError:
            envelope = None
        problems, document = problems_of(envelope)
        if not problems and state.reject_with:
            problems = [state.reject_with]
        if problems:
            state.refused.append("; ".join(problems))
            self._answer(422, {"error": "; ".join(problems)})
            return
        with state.lock:
            message_id = f"msg-{len(state.received) + 1}"
            state.received.append(
                Received(
                    message_id,
                    envelope["sender"],
                    envelope["receiver"],
                    envelope["documentTypeId"],
                    document,
                )
            )
        self._answer(201, {"id": message_id, "status": "accepted"})

    def do_GET(self) -> None:  # noqa: N802
        state: State = self.server.state
        if not self._allowed(state):
            return
        message_id = self.path.removeprefix("/documents/")
        if not self.path.startswith("/documents/") or message_id not in {
            r.id for r in state.received
        }:
            self._answer(404, {"error": "no such document"})
            return
        self._answer(200, {"id": message_id, "status": state.outcome, "error": state.outcome_error})

    def log_message(self, *args: Any) -> None:
        """Quiet: the tests read what happened from the state, not from a request log."""


@dataclass
class StandIn:
    url: str
    state: State


def run_stand_in() -> Iterator[StandIn]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = State()  # type: ignore[attr-defined]
    serve(server)
    try:
        yield StandIn(f"http://127.0.0.1:{server.server_address[1]}", server.state)  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
