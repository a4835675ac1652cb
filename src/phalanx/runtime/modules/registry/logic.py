"""Registry logic: attested registration, gatekeepers, the allowlist and master-key publication.

Attestation is judged by `phalanx.attestation.verify_attestation` against a policy built from
storage, at the block time (`Timestamp.Now`, ms → s), never the wall clock; each attestation error
becomes the registry error with the same name, so `ExtrinsicFailed` says why a registration failed.

Trust root: when genesis sets a trust anchor, the report data must end with the hash of this chain's
trust root (`get_trust_root`: the anchor and the genesis hash recorded at block 1); a quote that
binds the info but another trust root is refused with `TrustRootMismatch`. A chain without an anchor
does not check the second half.
"""

from __future__ import annotations

from phalanx import attestation as att
from phalanx.attestation import AttestationEvidence, AttestationPolicy, RegistrationInfo
from phalanx.attestation.registration import (
    CometBftTrustRoot,
    DevTrustRoot,
    TrustRoot,
    compute_trust_root_hash,
    read_report_data,
)
from phalanx.crypto import KeyType, blake2_256
from phalanx.mq import MASTER_KEY_TOPIC, MasterKeyRotation, Message, RuntimeOrigin, encode_gatekeeper_payload
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.mq import logic as mq
from phalanx.runtime.modules.mq import payloads
from phalanx.runtime.modules.registry import declarations as d
from phalanx.runtime.modules.registry import hooks
from phalanx.runtime.modules.timestamp import declarations as timestamp
from phalanx.runtime.state import State

ATTESTATION_ERRORS: dict[type[att.AttestationError], type[d.RegistryError]] = {
    att.MalformedEvidence: d.MalformedEvidence,
    att.SimulatedNotAllowed: d.SimulatedNotAllowed,
    att.BadSignature: d.BadAttestationSignature,
    att.QuoteVerificationFailed: d.QuoteVerificationFailed,
    att.CollateralExpired: d.CollateralExpired,
    att.CollateralNotYetValid: d.CollateralNotYetValid,
    att.MeasurementNotAllowed: d.MeasurementNotAllowed,
    att.ReportDataMismatch: d.ReportDataMismatch,
    att.TcbRevoked: d.TcbRevoked,
    att.TcbOutOfDate: d.TcbOutOfDate,
    att.DebugEnclave: d.DebugEnclave,
    att.TcbStatusUnknown: d.TcbStatusUnknown,
    att.StaleQuote: d.StaleQuote,
}


def to_registry_error(exc: att.AttestationError) -> d.RegistryError:
    """The registry error naming the same condition as an attestation error."""
    for cls in type(exc).__mro__:
        mapped = ATTESTATION_ERRORS.get(cls)  # type: ignore[call-overload]
        if mapped is not None:
            return mapped(exc.message)
    return d.QuoteVerificationFailed(exc.message)


# -- reads ---------------------------------------------------------------------------------------------


def get_policy(state: State) -> AttestationPolicy:
    """The attestation policy from genesis settings and the governance allowlist."""
    settings: d.AttestationConfig = d.AttestationSettings.get(state)
    return AttestationPolicy(
        allow_simulated=settings.allow_simulated,
        simulated_attestation_key=settings.simulated_attestation_key,
        measurement_allowlist=frozenset(d.AllowedMeasurements.get(state)),
        allow_out_of_date=settings.allow_out_of_date,
    )


def get_worker(state: State, identity: bytes) -> d.WorkerInfo | None:
    worker: d.WorkerInfo | None = d.Workers.get(state, identity)
    return worker


def get_gatekeeper_keys(state: State) -> list[tuple[bytes, KeyType]]:
    """The ed25519 keys gatekeeper messages may be signed with: every published generation, newest first."""
    newest = d.MasterKeyGeneration.get(state)
    if newest is None:
        return []
    keys = (d.MasterPublicKeys.get(state, g) for g in range(newest, -1, -1))
    return [(key, KeyType.ED25519) for key in keys if key is not None]


def get_trust_root(state: State) -> TrustRoot | None:
    """The trust root a worker's enclave must follow, or None when the chain sets no anchor."""
    anchor = d.TrustAnchor.get(state)
    genesis_hash = d.GenesisHash.get(state)
    if anchor is None or genesis_hash is None:
        return None
    name, fields = anchor
    if name == "Dev":
        return DevTrustRoot(genesis_hash, fields["authority_public"], fields["authority_key_type"])
    return CometBftTrustRoot(genesis_hash, fields["chain_id"], fields["validator_set_hash"])


def record_genesis_hash(ctx: Context) -> None:
    """At block 1, remember the genesis hash (the parent) when the chain names a trust anchor."""
    if ctx.block_number == 1 and d.TrustAnchor.get(ctx.state) is not None:
        d.GenesisHash.put(ctx.state, ctx.parent_hash)


def compute_expected_report_data(
    state: State, info: RegistrationInfo, evidence: AttestationEvidence
) -> bytes:
    """What the quote must carry: the info's hash, then this chain's trust root hash (or, on a chain that
    sets no anchor, whatever trust root the quote names)."""
    root = get_trust_root(state)
    if root is not None:
        return att.compute_report_data(info, compute_trust_root_hash(root))
    if d.TrustAnchor.get(state) is not None:
        raise d.TrustRootMismatch("the chain's genesis hash is not recorded yet; register from block 1 on")
    try:
        return att.compute_report_data(info, read_report_data(evidence)[32:])
    except att.AttestationError as exc:
        raise to_registry_error(exc) from None


def _explain_report_data_mismatch(
    state: State, info: RegistrationInfo, evidence: AttestationEvidence, exc: att.AttestationError
) -> d.RegistryError:
    """TrustRootMismatch when the quote binds the info but another trust root; else ReportDataMismatch."""
    root = get_trust_root(state)
    try:
        actual = read_report_data(evidence)
    except att.AttestationError:
        return to_registry_error(exc)
    if root is not None and actual[:32] == blake2_256(att.encode_registration_info(info)):
        return d.TrustRootMismatch(
            f"the enclave follows trust root 0x{actual[32:].hex()}, this chain's is "
            f"0x{compute_trust_root_hash(root).hex()}: start the worker against this chain's genesis"
        )
    return to_registry_error(exc)


# -- registration --------------------------------------------------------------------------------------


def register_worker(ctx: Context, host: bytes, info: RegistrationInfo, evidence: AttestationEvidence) -> bool:
    """Verify the attestation and store (or update) the worker; True if it is new. Emits WorkerRegistered."""
    now_ms = timestamp.Now.get(ctx.state)
    expected = compute_expected_report_data(ctx.state, info, evidence)
    try:
        report = att.verify_attestation(
            evidence, now_s=now_ms // 1000, expected_report_data=expected, policy=get_policy(ctx.state),
        )  # fmt: skip
    except att.ReportDataMismatch as exc:
        raise _explain_report_data_mismatch(ctx.state, info, evidence, exc) from None
    except att.AttestationError as exc:
        raise to_registry_error(exc) from None
    if report.provider != info.provider:
        raise d.ProviderMismatch(
            f"the info names provider {info.provider!r}, the evidence is {report.provider!r}"
        )
    if info.operator is not None and info.operator != host:
        raise d.NotOperator("a registration that names an operator must be signed by that operator")
    identity = info.identity_public
    previous = get_worker(ctx.state, identity)
    d.Workers.put(ctx.state, identity, d.WorkerInfo(
        encryption_public=info.encryption_public, provider=report.provider,
        measurement=report.measurement, confidence_level=report.confidence_level,
        tcb_status=report.tcb_status, endpoint=info.endpoint, operator=info.operator, host=host,
        version=info.version,
        registered_at=ctx.block_number if previous is None else previous.registered_at,
        last_attested_ms=now_ms,
    ))  # fmt: skip
    ctx.deposit_event(d.WorkerRegistered, worker=identity, operator=info.operator,
                      measurement=report.measurement,
                      confidence_level=report.confidence_level, first_time=previous is None)  # fmt: skip
    _tell_enclaves(ctx, payloads.WorkerRegistered(identity, info.encryption_public))
    if previous is None:
        hooks.notify_worker_registered(ctx, identity)
    return previous is None


def register_gatekeeper(ctx: Context, worker: bytes) -> None:
    """Make a registered worker a gatekeeper. Emits GatekeeperRegistered."""
    info = get_worker(ctx.state, worker)
    if info is None:
        raise d.UnknownWorker(f"worker {worker.hex()} is not registered; it must register_worker first")
    gatekeepers = list(d.Gatekeepers.get(ctx.state))
    if worker in gatekeepers:
        raise d.AlreadyGatekeeper(f"worker {worker.hex()} is a gatekeeper already")
    gatekeepers.append(worker)
    d.Gatekeepers.put(ctx.state, gatekeepers)
    ctx.deposit_event(d.GatekeeperRegistered, worker=worker)
    _tell_enclaves(ctx, payloads.GatekeeperRegistered(worker, info.encryption_public))


def _tell_enclaves(ctx: Context, event: payloads.WorkerRegistered | payloads.GatekeeperRegistered) -> None:
    mq.queue_for_enclaves(
        ctx, Message(RuntimeOrigin(), payloads.REGISTRY_TOPIC, payloads.REGISTRY_EVENT.encode(event))
    )


# -- allowlist -----------------------------------------------------------------------------------------


def allow_measurement(ctx: Context, measurement: bytes) -> None:
    allowed = list(d.AllowedMeasurements.get(ctx.state))
    if measurement in allowed:
        raise d.MeasurementAlreadyAllowed(f"measurement {measurement.hex()} is allowed already")
    allowed.append(measurement)
    d.AllowedMeasurements.put(ctx.state, allowed)
    ctx.deposit_event(d.MeasurementAllowed, measurement=measurement)


def remove_measurement(ctx: Context, measurement: bytes) -> None:
    allowed = list(d.AllowedMeasurements.get(ctx.state))
    if measurement not in allowed:
        raise d.MeasurementNotListed(f"measurement {measurement.hex()} is not in the allowlist")
    allowed.remove(measurement)
    d.AllowedMeasurements.put(ctx.state, allowed)
    ctx.deposit_event(d.MeasurementRemoved, measurement=measurement)


# -- master key ----------------------------------------------------------------------------------------


def publish_master_key(
    ctx: Context, sender_worker: bytes | None, generation: int, master_public: bytes
) -> None:
    """Record a master-key publication accepted by Mq. Emits MasterKeyPublished.

    Generation 0 comes from the first gatekeeper as a worker (`sender_worker`), before any master key
    exists; later generations come from the gatekeeper group (`sender_worker` None) and only the one
    governance asked for.
    """
    newest = d.MasterKeyGeneration.get(ctx.state)
    if sender_worker is not None:
        gatekeepers = list(d.Gatekeepers.get(ctx.state))
        if newest is not None or generation != 0 or not gatekeepers or gatekeepers[0] != sender_worker:
            raise d.UnexpectedMasterKey(
                "only the first gatekeeper publishes generation 0, once, and before any master key exists"
            )
    else:
        pending = d.PendingRotation.get(ctx.state)
        if pending is None or generation != pending:
            raise d.UnexpectedMasterKey(f"generation {generation} was not requested (pending: {pending})")
        d.PendingRotation.kill(ctx.state)
    d.MasterPublicKeys.put(ctx.state, generation, master_public)
    d.MasterKeyGeneration.put(ctx.state, generation)
    ctx.deposit_event(d.MasterKeyPublished, generation=generation, master_public=master_public)


def request_rotation(ctx: Context) -> int:
    """Ask the gatekeepers for the next master-key generation. Emits MasterKeyRotationRequested."""
    newest = d.MasterKeyGeneration.get(ctx.state)
    if newest is None:
        raise d.NoMasterKey("no master key is published yet; there is nothing to rotate")
    if d.PendingRotation.get(ctx.state) is not None:
        raise d.RotationPending("a rotation is requested already and not yet published")
    generation: int = newest + 1
    d.PendingRotation.put(ctx.state, generation)
    payload = encode_gatekeeper_payload(MasterKeyRotation(generation))
    mq.queue_for_enclaves(ctx, Message(RuntimeOrigin(), MASTER_KEY_TOPIC, payload))
    ctx.deposit_event(d.MasterKeyRotationRequested, generation=generation)
    return generation
