"""`python -m model_host` starts the server (settings from the environment and .env)."""
import sys

from model_host.server import main

sys.exit(main())
