"""Economics math of the chain: fixed point, NPoS inflation, Phragmén, conviction voting, mining.

Pure, deterministic functions (integers and exact fixed point only, no floats) that the staking,
governance and computation modules call inside state transitions.
"""
