"""The hosted pages in template.yaml (private bucket, CloudFront with security headers, the API
behind the same origin) and `make deploy`'s publishing step, checked offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deploy.publish_pages import CONFIG_KEY, pages_config, publish
from local.gateway import page_security_headers
from local.template import Template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load(ROOT / "template.yaml")


def resource(template: Template, logical_id: str) -> dict[str, Any]:
    return dict(template.resources[logical_id])


def test_the_pages_bucket_is_private_versioned_encrypted_and_kept(template: Template) -> None:
    bucket = resource(template, "PagesBucket")
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "WebsiteConfiguration" not in props


def test_only_the_distribution_reads_the_bucket(template: Template) -> None:
    statements = resource(template, "PagesBucketPolicy")["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    assert allows[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allows[0]["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in allows[0]["Condition"]["StringEquals"]
    origins = resource(template, "PagesDistribution")["Properties"]["DistributionConfig"]["Origins"]
    s3_origin = next(o for o in origins if o["Id"] == "pages")
    assert s3_origin["OriginAccessControlId"] == {"Fn::GetAtt": ["PagesOriginAccessControl", "Id"]}
    assert s3_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, not the legacy OAI


def test_every_behaviour_sends_the_security_headers(template: Template) -> None:
    config = resource(template, "PagesDistribution")["Properties"]["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    for behaviour in behaviours:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "PagesResponseHeadersPolicy"}
        assert behaviour["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
    headers = resource(template, "PagesResponseHeadersPolicy")["Properties"]["ResponseHeadersPolicyConfig"]
    security = headers["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"][0]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"


def test_the_local_runtime_serves_the_same_policy_as_cloudfront(template: Template) -> None:
    """Locally the issuer is http://localhost:<port>; apart from that origin the policies agree."""
    headers = resource(template, "PagesResponseHeadersPolicy")["Properties"]["ResponseHeadersPolicyConfig"]
    aws_csp = " ".join(
        headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"][
            0
        ].split()
    )
    aws_csp = aws_csp.replace("https://${IssuerHost}${ExtraOrigins}", "ISSUER").replace(
        "; upgrade-insecure-requests", ""
    )
    local = dict(page_security_headers("http://localhost:3000/local/oidc"))
    assert local["Content-Security-Policy"].replace("http://localhost:3000", "ISSUER") == aws_csp
    assert local["X-Frame-Options"] == "DENY" and local["X-Content-Type-Options"] == "nosniff"


def test_the_api_is_reached_through_the_distribution_uncached(template: Template) -> None:
    config = resource(template, "PagesDistribution")["Properties"]["DistributionConfig"]
    api = {b["PathPattern"]: b for b in config["CacheBehaviors"] if b["TargetOriginId"] == "api"}
    prefixes = {"/" + p.split("/")[1] + "/*" for p in _api_paths(template)} - {"/signin/*"}
    assert set(api) == prefixes  # the sign-in service's routes are server to server (IAM)
    for behaviour in api.values():
        assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5f84be1ee8"  # CachingDisabled
        assert behaviour["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # all but Host
        assert {"POST", "PATCH", "PUT", "DELETE"} <= set(behaviour["AllowedMethods"])


def test_the_sign_in_parameters_and_the_outputs_the_config_needs(template: Template) -> None:
    assert "Default" not in template.parameters["IdentityProviderClientId"]
    assert template.parameters["IdentityProviderScopes"]["Default"] == "openid profile"
    outputs = template.body["Outputs"]
    for name in (
        "PagesUrl",
        "PagesBucketName",
        "PagesDistributionId",
        "PagesIssuer",
        "PagesClientId",
        "PagesScopes",
    ):
        assert name in outputs


class FakeS3:
    def __init__(self, existing: list[str]) -> None:
        self.objects: dict[str, dict[str, Any]] = {k: {} for k in existing}
        self.deleted: list[str] = []

    def put_object(self, **kwargs: Any) -> None:
        self.objects[kwargs["Key"]] = kwargs

    def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> None:  # noqa: N803 - boto3's names
        for item in Delete["Objects"]:
            self.objects.pop(item["Key"])
            self.deleted.append(item["Key"])

    def get_paginator(self, name: str) -> Any:
        objects = self.objects

        class Pages:
            def paginate(self, Bucket: str) -> list[dict[str, Any]]:  # noqa: N803
                return [{"Contents": [{"Key": k} for k in list(objects)]}]

        return Pages()


class FakeCloudFront:
    def __init__(self) -> None:
        self.invalidations: list[dict[str, Any]] = []

    def create_invalidation(self, **kwargs: Any) -> None:
        self.invalidations.append(kwargs)


OUTPUTS = {
    "PagesBucketName": "pages-bucket",
    "PagesDistributionId": "E123",
    "PagesUrl": "https://d111.cloudfront.net/",
    "PagesIssuer": "https://login.example.com/tenant/v2.0",
    "PagesClientId": "client-123",
    "PagesScopes": "openid profile api://security-info/access",
}


def test_publishing_writes_the_config_from_the_outputs_syncs_web_and_invalidates() -> None:
    s3, cloudfront = FakeS3(existing=["js/removed-module.js"]), FakeCloudFront()
    written = publish(OUTPUTS, s3, cloudfront, ROOT / "web")
    assert {
        "index.html",
        "admin.html",
        "js/app.js",
        "js/oidc.js",
        "js/i18n.js",
        "i18n/en.json",
        "i18n/nl.json",
        "openapi.json",
        CONFIG_KEY,
    } <= set(written)
    assert "README.md" not in written
    assert s3.deleted == ["js/removed-module.js"]
    config = json.loads(s3.objects[CONFIG_KEY]["Body"])
    assert config == pages_config(OUTPUTS)
    assert config == {"apiUrl": "", "issuer": OUTPUTS["PagesIssuer"], "clientId": "client-123",
                      "scopes": OUTPUTS["PagesScopes"]}  # fmt: skip
    assert s3.objects["js/app.js"]["ContentType"].startswith("text/javascript")
    assert s3.objects["index.html"]["ContentType"].startswith("text/html")
    (invalidation,) = cloudfront.invalidations
    assert invalidation["DistributionId"] == "E123"
    assert invalidation["InvalidationBatch"]["Paths"]["Items"] == ["/*"]


def _api_paths(template: Template) -> set[str]:
    paths = set()
    for spec in template.resources_of_type("AWS::Serverless::Function").values():
        for event in (spec.get("Properties", {}).get("Events") or {}).values():
            if event.get("Type") == "HttpApi":
                paths.add(str(event["Properties"]["Path"]))
    return paths
