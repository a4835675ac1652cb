"""JSON-RPC 2.0 framing: parse a request (or a batch), call the method, shape the answer or the error.

Anything malformed gets an error object, never an exception out of this module: undecodable text
is -32700, a request that is not an object with a string `method` is -32600, an unknown method
-32601, bad parameters -32602, an unexpected failure inside a method -32603. Typed `RpcError`s
raised by methods carry their own code, message and data (e.g. Substrate's 1010 "Invalid
Transaction"). A batch holds at most `RpcLimits.max_batch_calls` calls, and its answers together at
most `max_batch_answer_bytes`: past that, the calls not yet made are not made and the whole batch is
answered with one error (-32011, as jsonrpsee does).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from phalanx.node.errors import NodeError
from phalanx.node.rpc.limits import BATCH_ANSWER_TOO_LARGE, RpcLimits

JsonValue = Any  # JSON values cross this boundary untyped by nature; methods validate their params.

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

log = logging.getLogger(__name__)


class RpcError(NodeError):
    """An error answer: `rpc_code`, the message, and optional `data`."""

    code = 40

    def __init__(self, rpc_code: int, message: str, data: JsonValue = None) -> None:
        super().__init__(message)
        self.rpc_code = rpc_code
        self.data = data

    def to_json(self) -> dict[str, JsonValue]:
        error: dict[str, JsonValue] = {"code": self.rpc_code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def invalid_params(message: str) -> RpcError:
    return RpcError(INVALID_PARAMS, "Invalid params", message)


@dataclass(frozen=True)
class Call:
    """One well-formed request. `id` is None for a notification (no answer expected)."""

    method: str
    params: list[JsonValue] | dict[str, JsonValue]
    id: JsonValue
    is_notification: bool


Handler = Callable[[Call], Awaitable[JsonValue]]


def error_response(request_id: JsonValue, error: RpcError) -> dict[str, JsonValue]:
    return {"jsonrpc": "2.0", "error": error.to_json(), "id": request_id}


def result_response(request_id: JsonValue, result: JsonValue) -> dict[str, JsonValue]:
    return {"jsonrpc": "2.0", "result": result, "id": request_id}


def parse_call(item: JsonValue) -> Call:
    """Check the shape of one request object; raises RpcError(-32600) when it is not one."""
    if not isinstance(item, dict):
        raise RpcError(INVALID_REQUEST, "Invalid request", "a request is a JSON object")
    if item.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, "Invalid request", 'the "jsonrpc" member must be "2.0"')
    method = item.get("method")
    if not isinstance(method, str):
        raise RpcError(INVALID_REQUEST, "Invalid request", 'the "method" member must be a string')
    request_id = item.get("id")
    if request_id is not None and (isinstance(request_id, bool) or not isinstance(request_id, (int, str))):
        raise RpcError(INVALID_REQUEST, "Invalid request", 'the "id" member must be a number or a string')
    params = item.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, (list, dict)):
        raise RpcError(INVALID_REQUEST, "Invalid request", 'the "params" member must be an array or object')
    return Call(method=method, params=params, id=request_id, is_notification="id" not in item)


async def _answer_one(item: JsonValue, handler: Handler) -> dict[str, JsonValue] | None:
    request_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(request_id, (bool, float, list, dict)):
        request_id = None
    try:
        call = parse_call(item)
    except RpcError as error:
        return error_response(request_id, error)
    try:
        result = await handler(call)
    except RpcError as error:
        return None if call.is_notification else error_response(call.id, error)
    except Exception:  # a bug in a method must not take the server down; the caller sees -32603
        log.exception("RPC method %s failed", call.method)
        internal = RpcError(INTERNAL_ERROR, "Internal error")
        return None if call.is_notification else error_response(call.id, internal)
    return None if call.is_notification else result_response(call.id, result)


async def handle_payload(raw: str | bytes, handler: Handler, limits: RpcLimits | None = None) -> str | None:
    """Answer one JSON-RPC payload (a request or a batch). None when nothing is to be sent back."""
    limits = limits or RpcLimits()
    try:
        decoded = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return json.dumps(error_response(None, RpcError(PARSE_ERROR, "Parse error")))
    if not isinstance(decoded, list):
        answer = await _answer_one(decoded, handler)
        return None if answer is None else json.dumps(answer)
    if not decoded:
        empty = RpcError(INVALID_REQUEST, "Invalid request", "empty batch")
        return json.dumps(error_response(None, empty))
    if len(decoded) > limits.max_batch_calls:
        limit = limits.max_batch_calls
        error = RpcError(INVALID_REQUEST, "Invalid request", f"a batch holds at most {limit} calls")
        return json.dumps(error_response(None, error))
    answers: list[str] = []
    size = 2  # the brackets
    for run, item in enumerate(decoded, 1):
        answer = await _answer_one(item, handler)
        if answer is None:
            continue
        text = json.dumps(answer)
        size += len(text) + 2  # and a separator
        if size > limits.max_batch_answer_bytes:
            too_large = RpcError(BATCH_ANSWER_TOO_LARGE, "The batch response was too large",
                                 f"the answers of a batch may take {limits.max_batch_answer_bytes} bytes "
                                 f"together; those of its first {run} calls passed that, and the other "
                                 f"{len(decoded) - run} were not run: ask in smaller batches")
            return json.dumps(error_response(None, too_large))
        answers.append(text)
    return "[" + ", ".join(answers) + "]" if answers else None
