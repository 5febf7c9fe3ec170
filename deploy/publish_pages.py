"""Publish the pages after ``sam deploy``: ``config.json`` from the stack's outputs, ``web/`` to
the pages bucket (a sync: files gone from ``web/`` are deleted, the bucket keeps old versions),
and a CloudFront invalidation so the next request gets the new pages.

``python -m deploy.publish_pages [--stack-name NAME] [--region REGION]``; both default to
``samconfig.toml``'s. Uses boto3 (the dev venv), not the AWS CLI or Docker.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
CONFIG_KEY = "config.json"
# The API's contract is served with the pages, at /openapi.json (docs/API.md).
OPENAPI = ROOT / "docs" / "openapi.json"
# Not in the bucket: the pages' own notes.
SKIPPED = {"README.md"}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",  # ES modules need a JavaScript MIME type
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
# No build step, so no content-hashed names: browsers revalidate every time, CloudFront keeps a
# copy until the next deploy's invalidation.
CACHE_CONTROL = "public, max-age=0, must-revalidate, s-maxage=86400"


def pages_config(outputs: dict[str, str]) -> dict[str, str]:
    """What the pages read at start; the API is behind the same distribution, hence no apiUrl."""
    return {
        "apiUrl": "",
        "issuer": outputs["PagesIssuer"],
        "clientId": outputs["PagesClientId"],
        "scopes": outputs["PagesScopes"],
    }


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def page_files(web_root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(web_root.rglob("*")):
        if path.is_file() and path.name not in SKIPPED and path.name != CONFIG_KEY:
            yield path.relative_to(web_root).as_posix(), path


def publish(
    outputs: dict[str, str], s3: Any, cloudfront: Any, web_root: Path = WEB, openapi: Path = OPENAPI
) -> list[str]:
    """Upload the pages and the config, delete what is gone, invalidate; the keys written."""
    bucket = outputs["PagesBucketName"]
    written: list[str] = []
    files = list(page_files(web_root)) + ([("openapi.json", openapi)] if openapi.is_file() else [])
    for key, path in files:
        content_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        s3.put_object(
            Bucket=bucket, Key=key, Body=path.read_bytes(),
            ContentType=content_type or "application/octet-stream", CacheControl=CACHE_CONTROL,
        )  # fmt: skip
        written.append(key)
    config = json.dumps(pages_config(outputs), indent=2).encode()
    s3.put_object(
        Bucket=bucket, Key=CONFIG_KEY, Body=config, ContentType="application/json", CacheControl=CACHE_CONTROL
    )
    written.append(CONFIG_KEY)
    stale = [key for key in _keys(s3, bucket) if key not in written]
    for start in range(0, len(stale), 1000):
        batch = [{"Key": key} for key in stale[start : start + 1000]]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    cloudfront.create_invalidation(
        DistributionId=outputs["PagesDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time_ns())},
    )
    return written


def _keys(s3: Any, bucket: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            yield item["Key"]


def _samconfig_defaults() -> dict[str, str]:
    try:
        config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    found = config.get("default", {}).get("global", {}).get("parameters", {})
    return {k: str(v) for k, v in found.items()}


def main(argv: list[str] | None = None) -> int:
    defaults = _samconfig_defaults()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack-name", default=defaults.get("stack_name", "security-info"))
    parser.add_argument("--region", default=defaults.get("region"))
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    outputs = stack_outputs(session.client("cloudformation"), args.stack_name)
    missing = {"PagesBucketName", "PagesDistributionId", "PagesIssuer", "PagesClientId"} - outputs.keys()
    if missing:
        print(
            f"stack {args.stack_name} has no outputs {sorted(missing)}: deploy the template first",
            file=sys.stderr,
        )
        return 1
    written = publish(outputs, session.client("s3"), session.client("cloudfront"))
    print(f"published {len(written)} files; the pages are at {outputs['PagesUrl']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
