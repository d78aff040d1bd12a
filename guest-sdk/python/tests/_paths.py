"""Puts the SDK on sys.path (tests run as `python3 -m unittest discover -s guest-sdk/python/tests`)."""

import os
import sys

SDK = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(SDK))
EXAMPLES = os.path.join(REPO, "examples")
if SDK not in sys.path:
    sys.path.insert(0, SDK)
