"""Model backends behind `agent.model.ModelBackend`: transformers, vllm, OpenAI-compatible HTTP."""
