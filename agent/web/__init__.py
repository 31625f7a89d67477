"""The local web app and HTTP API (`gene-r1 serve`): chat, batch jobs and reports over the agent's Python API."""
