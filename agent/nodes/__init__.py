"""The agent's nodes: plain functions `(state, runtime) -> partial state update`, one module each."""
