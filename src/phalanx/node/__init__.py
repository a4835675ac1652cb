"""The node: transaction pool, Substrate JSON-RPC server and the service that wires them to an engine.

Public entry points: `phalanx.node.service.DevNode` (one-process dev chain),
`phalanx.node.pool.TransactionPool`, `phalanx.node.rpc.server.RpcServer`, `phalanx.node.config.DevConfig`.
"""
