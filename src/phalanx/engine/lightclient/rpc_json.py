"""Reads light blocks from CometBFT's JSON-RPC answers (`/commit` and `/validators`).

Hashes and addresses come as upper-case hex, signatures and keys as base64, integers as decimal
strings, times as RFC 3339 with up to nanosecond precision; a malformed field raises
`MalformedLightBlock` naming it.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from phalanx.engine.lightclient.errors import MalformedLightBlock, UnsupportedKeyType
from phalanx.engine.lightclient.types import (
    BlockId,
    BlockIdFlag,
    Commit,
    CommitSig,
    Header,
    SignedHeader,
    Validator,
    ValidatorSet,
)

T = TypeVar("T")
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")
_KEY_TYPES = {"tendermint/PubKeyEd25519": "ed25519"}

JsonObject = Mapping[str, object]


def _field(obj: object, name: str, parse: Callable[[object], T]) -> T:
    if not isinstance(obj, Mapping) or name not in obj:
        raise MalformedLightBlock(f"field {name!r} is missing")
    try:
        return parse(obj[name])
    except (ValueError, TypeError, binascii.Error) as exc:
        raise MalformedLightBlock(f"field {name!r} is malformed: {exc}") from exc


def _hex(value: object) -> bytes:
    if not isinstance(value, str):
        raise TypeError("expected a hex string")
    return bytes.fromhex(value)


def _b64(value: object) -> bytes:
    if not isinstance(value, str):
        raise TypeError("expected a base64 string")
    return base64.b64decode(value, validate=True)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError("expected an integer")
    return int(value)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _obj(value: object) -> JsonObject:
    if not isinstance(value, Mapping):
        raise TypeError("expected an object")
    return value


def parse_time_ns(value: object) -> int:
    """RFC 3339 UTC time (CometBFT writes `Z` and up to 9 fraction digits) to ns since the epoch."""
    match = _RFC3339.fullmatch(_str(value))
    if match is None:
        raise ValueError(f"{value!r} is not an RFC 3339 UTC time")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = (match.group(7) or "").ljust(9, "0")
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    return seconds * 1_000_000_000 + int(fraction)


def parse_block_id(value: object) -> BlockId:
    parts = _field(value, "parts", _obj)
    return BlockId(hash=_field(value, "hash", _hex), part_set_total=_field(parts, "total", _int),
                   part_set_hash=_field(parts, "hash", _hex))


def parse_header(value: object) -> Header:
    version = _field(value, "version", _obj)
    return Header(
        version_block=_field(version, "block", _int),
        version_app=_int(version.get("app", "0")),
        chain_id=_field(value, "chain_id", _str),
        height=_field(value, "height", _int),
        time_ns=_field(value, "time", parse_time_ns),
        last_block_id=_field(value, "last_block_id", parse_block_id),
        last_commit_hash=_field(value, "last_commit_hash", _hex),
        data_hash=_field(value, "data_hash", _hex),
        validators_hash=_field(value, "validators_hash", _hex),
        next_validators_hash=_field(value, "next_validators_hash", _hex),
        consensus_hash=_field(value, "consensus_hash", _hex),
        app_hash=_field(value, "app_hash", _hex),
        last_results_hash=_field(value, "last_results_hash", _hex),
        evidence_hash=_field(value, "evidence_hash", _hex),
        proposer_address=_field(value, "proposer_address", _hex),
    )


def parse_commit_sig(value: object) -> CommitSig:
    signature = _field(value, "signature", lambda v: b"" if v is None else _b64(v))
    return CommitSig(block_id_flag=BlockIdFlag(_field(value, "block_id_flag", _int)),
                     validator_address=_field(value, "validator_address", _hex),
                     time_ns=_field(value, "timestamp", parse_time_ns), signature=signature)


def parse_commit(value: object) -> Commit:
    signatures = _field(value, "signatures", lambda v: tuple(parse_commit_sig(s) for s in _list(v)))
    return Commit(height=_field(value, "height", _int), round=_field(value, "round", _int),
                  block_id=_field(value, "block_id", parse_block_id), signatures=signatures)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def parse_signed_header(commit_result: object) -> SignedHeader:
    """Read the `result` of `/commit?height=H`."""
    signed = _field(commit_result, "signed_header", _obj)
    return SignedHeader(header=_field(signed, "header", parse_header),
                        commit=_field(signed, "commit", parse_commit))


def parse_validator(value: object) -> Validator:
    pub_key = _field(value, "pub_key", _obj)
    key_type = _field(pub_key, "type", _str)
    if key_type not in _KEY_TYPES:
        raise UnsupportedKeyType(f"validator key type {key_type!r} is not supported (only ed25519)")
    return Validator(pub_key=_field(pub_key, "value", _b64), voting_power=_field(value, "voting_power", _int),
                     key_type=_KEY_TYPES[key_type])


def parse_validator_set(validators_result: object) -> ValidatorSet:
    """Read the `result` of `/validators?height=H` (ask with per_page large enough for the whole set)."""
    validators = _field(validators_result, "validators", _list)
    total = _field(validators_result, "total", _int)
    if total != len(validators):
        raise MalformedLightBlock(
            f"answer lists {len(validators)} of {total} validators; ask for all of them")
    return ValidatorSet(validators=tuple(parse_validator(v) for v in validators))
