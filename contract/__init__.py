"""The API's published contract: the OpenAPI document, its Markdown rendering and the event schema
registry, generated from the template, the domain's validation schemas and the answers written here.

``python -m contract`` writes docs/openapi.json, docs/API.md and the template's schema registry;
``python -m contract --check`` fails when any of them is stale.
"""
