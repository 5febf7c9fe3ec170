"""One structured JSON logger for the package. Never log a body, code, secret or full number."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="security-info")
