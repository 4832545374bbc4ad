"""teamlens model host: an OpenAI-compatible sidecar serving embeddings and chat completions.

Importing the package is cheap (no torch, no llama.cpp): `model_host.install` and
`model_host.settings` are used by the dev-stack launcher from the app's own venv.
"""
