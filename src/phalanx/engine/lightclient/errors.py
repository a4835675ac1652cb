"""Typed errors of light-client verification: each names the check a header or commit failed."""

from __future__ import annotations

from phalanx.errors import PhalanxError


class LightClientError(PhalanxError):
    """A header, commit or validator set was refused; nothing about the trusted state changed."""

    module = "lightclient"
    code = 0


class InvalidSignature(LightClientError):
    """A precommit signature does not verify against its validator's key and the vote sign bytes."""

    code = 1


class InsufficientVotingPower(LightClientError):
    """The valid signatures for the block carry no more than 2/3 of the validator set's voting power."""

    code = 2


class ChainIdMismatch(LightClientError):
    """The header belongs to another chain than the one this client follows."""

    code = 3


class HeaderHashMismatch(LightClientError):
    """The header does not hash to the block id its commit signs."""

    code = 4


class ValidatorSetMismatch(LightClientError):
    """The validator set does not hash to what the header (or the trusted header) commits to,
    or does not line up with the commit's signatures."""

    code = 5


class HeightMismatch(LightClientError):
    """The commit is for another height than the header, or the header does not follow the trusted one."""

    code = 6


class HeaderLinkMismatch(LightClientError):
    """The header's last block id is not the trusted header's hash."""

    code = 7


class UnsupportedKeyType(LightClientError):
    """A validator key is not ed25519, the only kind this client verifies."""

    code = 8


class MalformedLightBlock(LightClientError):
    """A header, commit or validator set could not be read (missing field, bad hex or base64)."""

    code = 9
