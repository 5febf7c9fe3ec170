"""botocore's TLS context comes from the standard library's ``ssl``, without importing pyOpenSSL.

py_webauthn needs pyOpenSSL (attestation certificate chains), so the layer holds it. Whenever it
is importable, ``botocore.httpsession`` imports ``urllib3.contrib.pyopenssl`` only to read the
``SSLContext`` class urllib3 had before any pyOpenSSL injection, and falls back to
``urllib3.util.ssl_.SSLContext`` when that import fails. Nothing in this package injects
pyOpenSSL into urllib3, so both are the standard library's ``ssl.SSLContext``: the context is the
same either way, but the import loads pyOpenSSL and much of cryptography at every cold start.

So botocore.httpsession is imported here, before any other module of the package can import
botocore, with the contrib module unavailable for that one import (``None`` in ``sys.modules``
makes importing it raise ImportError, botocore's documented fallback); afterwards it is importable
again, and py_webauthn imports pyOpenSSL itself when a security key is checked.
"""

from __future__ import annotations

import sys

_CONTRIB = "urllib3.contrib.pyopenssl"


def import_botocore_without_pyopenssl() -> None:
    if "botocore.httpsession" in sys.modules or _CONTRIB in sys.modules:
        return  # botocore has already chosen (or pyOpenSSL is loaded anyway): nothing to save
    sys.modules[_CONTRIB] = None  # type: ignore[assignment]
    try:
        import botocore.httpsession  # noqa: F401
    finally:
        if _CONTRIB in sys.modules and sys.modules[_CONTRIB] is None:
            del sys.modules[_CONTRIB]


import_botocore_without_pyopenssl()
