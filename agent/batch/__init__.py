"""Batch runs: read experiment outputs as gene sets, run the agent over them, resumably."""
