"""Client side of confidential contracts: read who runs them, send encrypted commands, ask signed queries.

    async with RpcClient.connect(url) as rpc, ConfidentialClient(rpc) as client:
        contract = await client.get_contract(TOKEN_ID)
        included = await client.push_command(alice, TOKEN_ID, command_bytes)
        answer = await client.query(alice, TOKEN_ID, query_bytes, min_block=included.block_number)

What the client trusts, and why:
- Chain state (read over RPC from the node the user chose): which workers are registered
  (`Registry.Workers`: identity, X25519 key, endpoint), which run a contract (`Contracts.Assignments`)
  and the contract's X25519 key (`Contracts.PublicKeys`).
- A worker's answer only if it opens with this query's ephemeral key, is signed by the identity the
  chain registered for a worker that the chain assigned to the contract, and names this query. The
  worker host relays two ciphertexts and learns neither the query nor the answer.

Commands are sealed boxes to the contract key, bound to the contract and the signer
(`phalanx.wire.command`); the chain sees only ciphertext. "Applied" means a worker's signed
answer reflects the block that included the command (`wait_applied`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from types import TracebackType

import aiohttp

from phalanx.client.chain import Chain, compose_call
from phalanx.client.rpc import ClientError, RpcClient
from phalanx.contracts import compute_builtin_id
from phalanx.crypto import Keypair
from phalanx.errors import PhalanxError
from phalanx.runtime.modules.contracts import declarations as contracts_d
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.wire.command import encrypt_command
from phalanx.wire.query import QueryAnswer, make_query, open_answer, seal_query

TOKEN_ID = compute_builtin_id("token")
DEFAULT_APPLY_TIMEOUT_S = 60.0
HTTP_TIMEOUT_S = 30.0


class ConfidentialError(ClientError):
    """Base class of confidential-contract client errors."""

    code = 20


class UnknownContract(ConfidentialError):
    """No contract with this id is deployed on the chain."""

    code = 21


class NoContractKey(ConfidentialError):
    """The contract's encryption key is not published yet (no gatekeeper has served it)."""

    code = 22


class NoWorker(ConfidentialError):
    """No registered worker assigned to the contract answered."""

    code = 23


class UntrustedAnswer(ConfidentialError):
    """An answer that is not the signed answer of a registered, assigned worker to this query."""

    code = 24


class QueryRefused(ConfidentialError):
    """The contract refused the query (e.g. reading another account's private data)."""

    code = 25

    def __init__(self, message: str, contract_module: str = "", contract_code: int = 0) -> None:
        super().__init__(message)
        self.contract_module = contract_module
        self.contract_code = contract_code


class ExtrinsicFailed(ConfidentialError):
    """The chain included the transaction, and the call failed (only its fee was charged)."""

    code = 26


class NotApplied(ConfidentialError):
    """The workers did not reflect the block of a command before the deadline."""

    code = 27


# ---------------------------------------------------------------------------------------------
# What the chain says


@dataclass(frozen=True)
class WorkerRecord:
    """A registered worker (`Registry.Workers`)."""

    identity: bytes
    encryption_public: bytes
    endpoint: str
    provider: str
    confidence_level: int
    host: bytes
    registered_at: int
    is_gatekeeper: bool


@dataclass(frozen=True)
class ContractRecord:
    """A deployed contract (`Contracts.Instances`), its published key and its workers."""

    contract_id: bytes
    builtin: str
    account: bytes
    deployed_at: int
    public_key: bytes | None
    key_generation: int | None
    workers: tuple[bytes, ...]
    commands: int


@dataclass(frozen=True)
class Included:
    """A finalized, successful transaction: the block that holds it."""

    block_hash: bytes
    block_number: int
    extrinsic_index: int | None


@dataclass(frozen=True)
class VerifiedAnswer:
    """A contract's answer, signed by `worker`, reflecting chain state up to `block_number`."""

    worker: bytes
    block_number: int
    payload: bytes


class ConfidentialClient:
    """Confidential-contract operations over one node connection (and HTTP to worker endpoints)."""

    def __init__(self, rpc: RpcClient, http: aiohttp.ClientSession | None = None) -> None:
        self.rpc = rpc
        self.chain = Chain(rpc)
        self._http = http
        self._own_http = http is None

    async def __aenter__(self) -> ConfidentialClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_http and self._http is not None:
            await self._http.close()
            self._http = None

    def http_session(self) -> aiohttp.ClientSession:
        """The HTTP session used for worker endpoints (created on first use, closed with the client)."""
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
        return self._http

    # -- chain reads ---------------------------------------------------------------------------

    async def get_workers(self) -> list[WorkerRecord]:
        """Every registered worker, in the order of their identity keys' storage hashes."""
        at = await self.chain.get_finalized_head()
        gatekeepers = set(await self.chain.get_value(registry_d.Gatekeepers, at))
        return [_worker_record(suffix[16:], info, gatekeepers)
                for suffix, info in await self.chain.get_entries(registry_d.Workers, at)]  # fmt: skip

    async def get_worker(self, identity: bytes, at: bytes | None = None) -> WorkerRecord | None:
        at = at or await self.chain.get_finalized_head()
        info = await self.chain.get_entry(registry_d.Workers, identity, at)
        if info is None:
            return None
        gatekeepers = set(await self.chain.get_value(registry_d.Gatekeepers, at))
        return _worker_record(identity, info, gatekeepers)

    async def get_contracts(self) -> list[ContractRecord]:
        at = await self.chain.get_finalized_head()
        ids = [suffix[16:] for suffix, _ in await self.chain.get_entries(contracts_d.Instances, at)]
        return [await self._contract_at(cid, at) for cid in ids]

    async def get_contract(self, contract_id: bytes) -> ContractRecord:
        """The contract's record at the finalized head; raises `UnknownContract`."""
        return await self._contract_at(contract_id, await self.chain.get_finalized_head())

    async def _contract_at(self, contract_id: bytes, at: bytes) -> ContractRecord:
        instance = await self.chain.get_entry(contracts_d.Instances, contract_id, at)
        if instance is None:
            raise UnknownContract(f"no contract 0x{contract_id.hex()} is deployed on this chain")
        key = await self.chain.get_entry(contracts_d.PublicKeys, contract_id, at)
        workers = await self.chain.get_entry(contracts_d.Assignments, contract_id, at)
        count = await self.chain.get_entry(contracts_d.CommandSequence, contract_id, at)
        return ContractRecord(
            contract_id, instance.builtin, instance.account, instance.deployed_at,
            None if key is None else key.public_key, None if key is None else key.generation,
            tuple(workers), count,
        )  # fmt: skip

    async def get_free_balance(self, account: bytes) -> int:
        """The account's free public PHA at the finalized head."""
        info = await self.chain.get_entry(system_d.Account, account, await self.chain.get_finalized_head())
        return int(info.free)

    # -- transactions --------------------------------------------------------------------------

    async def submit_call(self, signer: Keypair, call: bytes, timeout: float = 120.0) -> Included:
        """Sign, submit and follow `call` to finalization; raises `ExtrinsicFailed` if the call failed."""
        receipt = await self.chain.submit(signer, call, timeout)
        block = "0x" + receipt.block_hash.hex()
        if receipt.events_error is not None:
            raise ExtrinsicFailed(f"the events of block {block} do not decode: {receipt.events_error}")
        if receipt.error is not None:
            raise ExtrinsicFailed(f"the transaction failed in block {block}: {receipt.error}")
        return Included(receipt.block_hash, receipt.block_number, receipt.index)

    async def push_command(self, signer: Keypair, contract_id: bytes, command: bytes) -> Included:
        """Encrypt `command` to the contract's key and send it with `Contracts.push_command`."""
        contract = await self.get_contract(contract_id)
        if contract.public_key is None:
            raise NoContractKey(
                f"contract {contract.builtin} has no published key yet: is a gatekeeper running?"
            )
        sealed = encrypt_command(contract.public_key, contract_id, signer.public_key, command)
        return await self.submit_call(signer, encode_push_command(contract_id, sealed))

    async def deposit(self, signer: Keypair, contract_id: bytes, amount: int) -> Included:
        """Move `amount` public planck into the contract (`Contracts.deposit`); it credits the signer."""
        return await self.submit_call(signer, encode_deposit(contract_id, amount))

    # -- queries -------------------------------------------------------------------------------

    async def query(
        self, signer: Keypair, contract_id: bytes, payload: bytes, *, min_block: int = 0,
        timeout: float = DEFAULT_APPLY_TIMEOUT_S,
    ) -> VerifiedAnswer:  # fmt: skip
        """Ask the contract's workers, in assignment order, until one answers at `min_block` or later.

        Raises `QueryRefused` when the contract refuses (a verified answer), `NotApplied` when no worker
        reaches `min_block` in time, `NoWorker` when none answers at all."""
        answers = await self._ask_workers(signer, contract_id, payload, min_block, timeout, every=False)
        return answers[0]

    async def wait_applied(
        self, signer: Keypair, contract_id: bytes, probe: bytes, block_number: int,
        timeout: float = DEFAULT_APPLY_TIMEOUT_S,
    ) -> list[VerifiedAnswer]:  # fmt: skip
        """Wait until every reachable assigned worker answers `probe` from `block_number` or later, so a
        following query to any of them reflects the commands of that block."""
        return await self._ask_workers(signer, contract_id, probe, block_number, timeout, every=True)

    async def _ask_workers(
        self, signer: Keypair, contract_id: bytes, payload: bytes, min_block: int, timeout: float, every: bool
    ) -> list[VerifiedAnswer]:
        deadline = time.monotonic() + timeout
        done: dict[bytes, VerifiedAnswer] = {}
        last_problem = "no worker is assigned to the contract"
        delay = 0.1
        while True:
            contract = await self.get_contract(contract_id)
            if not contract.workers:
                raise NoWorker(f"no worker is assigned to contract {contract.builtin}: are workers running?")
            at = await self.chain.get_finalized_head()
            reachable = 0
            for identity in contract.workers:
                if identity in done:
                    reachable += 1
                    continue
                worker = await self.get_worker(identity, at)
                if worker is None:
                    continue  # assigned but not registered: never trusted
                try:
                    answer = await self.ask_worker(signer, worker, contract_id, payload)
                except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                    last_problem = f"worker {identity.hex()[:16]} at {worker.endpoint} is unreachable: {exc}"
                    continue
                except NoWorker as exc:
                    last_problem = exc.message
                    continue
                reachable += 1
                if answer.block_number >= min_block:
                    done[identity] = answer
                    if not every:
                        return [answer]
                else:
                    last_problem = (
                        f"worker {identity.hex()[:16]} reflects block #{answer.block_number}, "
                        f"waiting for #{min_block}"
                    )
            if every and done and len(done) >= reachable:
                return [done[w] for w in contract.workers if w in done]
            if time.monotonic() >= deadline:
                if not reachable:
                    raise NoWorker(f"no worker of contract 0x{contract_id.hex()[:16]} answered: "
                                   f"{last_problem}")
                raise NotApplied(f"timed out after {timeout:.0f} s: {last_problem}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def ask_worker(
        self, signer: Keypair, worker: WorkerRecord, contract_id: bytes, payload: bytes
    ) -> VerifiedAnswer:
        """One signed, sealed query to one worker. The caller picked `worker` from chain state."""
        signed = make_query(signer, contract_id, payload, int(time.time() * 1000))
        box, ephemeral, request_hash = seal_query(worker.encryption_public, signed)
        async with self.http_session().post(
            worker.endpoint, data=box, headers={"Content-Type": "application/octet-stream"}
        ) as response:
            body = await response.read()
            if response.status != 200:
                text = body.decode(errors="replace")[:200]
                raise NoWorker(f"worker {worker.identity.hex()[:16]} refused the query: {text}")
        try:
            answer: QueryAnswer = open_answer(ephemeral, request_hash, worker.identity, body)
        except PhalanxError as exc:
            raise UntrustedAnswer(f"worker {worker.identity.hex()[:16]}: {exc.message}") from None
        if answer.error is not None:
            module, code = answer.error
            raise QueryRefused(f"the contract refused the query: {describe_contract_error(module, code)}",
                               module, code)  # fmt: skip
        return VerifiedAnswer(worker.identity, answer.block_number, answer.answer)


def describe_contract_error(module: str, code: int) -> str:
    """`Unauthorized (contracts 4): <its doc line>` for a contract's typed refusal."""
    from phalanx.contracts import errors

    for cls in vars(errors).values():
        if isinstance(cls, type) and issubclass(cls, errors.ContractError) and (cls.module, cls.code) == (
            module, code
        ):
            doc = (cls.__doc__ or "").strip().splitlines()
            return f"{cls.__name__} ({module} {code})" + (f": {doc[0]}" if doc else "")
    return f"{module} error {code}"


def _worker_record(identity: bytes, info: registry_d.WorkerInfo, gatekeepers: set[bytes]) -> WorkerRecord:
    return WorkerRecord(
        identity=identity,
        encryption_public=info.encryption_public,
        endpoint=info.endpoint.decode(errors="replace"),
        provider=info.provider,
        confidence_level=info.confidence_level,
        host=info.host,
        registered_at=info.registered_at,
        is_gatekeeper=identity in gatekeepers,
    )


def encode_push_command(contract_id: bytes, ciphertext: bytes) -> bytes:
    """`Contracts.push_command(contract_id, ciphertext)`."""
    return compose_call("Contracts", "push_command", contract_id=contract_id, ciphertext=ciphertext)


def encode_deposit(contract_id: bytes, amount: int) -> bytes:
    """`Contracts.deposit(contract_id, Compact<u128> amount)`."""
    return compose_call("Contracts", "deposit", contract_id=contract_id, amount=amount)
