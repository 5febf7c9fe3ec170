"""The local runtime: ``template.yaml`` on one machine, with moto and in-process functions.

``python -m local`` (``make run``) serves the API, the pages and the ``/local/*`` helpers;
tests call :func:`local.runtime.start_runtime`.
"""
