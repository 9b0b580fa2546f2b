#!/usr/bin/env python3
"""Translate a SAM template (Transform: AWS::Serverless-2016-10-31) into plain
CloudFormation JSON with the pinned aws-sam-translator, offline.

    python tools/sam_translate.py infra/template.yaml target/infra/template.cfn.json

The output is what CloudFormation would see after the SAM transform, so it can
be created in moto (whose CloudFormation does not run SAM transforms) or
inspected. Intrinsic functions are left as they are; parameters keep their
defaults unless given with --param Name=Value.

Local CodeUri folders (../crates/orders) are what `sam build`/`sam package`
replace with uploaded artifacts; the translator only accepts S3 locations, so
each function's CodeUri becomes s3://<--code-bucket>/<Binary>.zip, where
<Binary> is Metadata.BuildProperties.Binary (orders-api.zip, ...). A test that
creates the stack in moto uploads zips under those keys first.

No AWS call is made: the translator only asks IAM for the managed-policy
name->ARN map when a function lists a managed policy *by name* in `Policies`,
and this template lists none (it uses inline statements). The stub loader below
knows the few managed policies SAM itself attaches; any other name is an error
rather than a network call.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

# The translator reads the region from a boto3 session for the AWS::Region and
# AWS::Partition pseudo parameters; give it a dummy one before importing boto3.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

# Managed policies SAM attaches by itself (basic execution role, X-Ray for
# Tracing: Active, SQS/DynamoDB pollers are inline). Names -> ARNs in the aws
# partition; SAM rewrites the partition where needed.
KNOWN_MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    "AWSXRayDaemonWriteAccess": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
}


class OfflineManagedPolicyLoader:
    """Stands in for samtranslator's IAM-backed ManagedPolicyLoader."""

    def load(self) -> dict[str, str]:
        return dict(KNOWN_MANAGED_POLICIES)


DEFAULT_CODE_BUCKET = "ordersaga-artifacts"


def point_code_at_s3(sam_template: dict[str, Any], bucket: str) -> None:
    """Replace local CodeUri paths with s3://bucket/<binary>.zip, in place."""
    for logical_id, res in sam_template.get("Resources", {}).items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        props = res.setdefault("Properties", {})
        code_uri = props.get("CodeUri")
        if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
            binary = res.get("Metadata", {}).get("BuildProperties", {}).get("Binary", logical_id)
            props["CodeUri"] = f"s3://{bucket}/{binary}.zip"


def moto_compat(cfn: dict[str, Any]) -> None:
    """Work around moto (5.2.x) CloudFormation gaps, in place, without changing
    what the template means on AWS:

    * Ref to an AWS::Events::EventBus yields moto's Python object instead of
      the bus name (the model has no physical_resource_id); Fn::GetAtt Name is
      the same value on AWS and works in moto.
    """
    buses = {k for k, v in cfn.get("Resources", {}).items() if v.get("Type") == "AWS::Events::EventBus"}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if len(node) == 1 and node.get("Ref") in buses:
                return {"Fn::GetAtt": [node["Ref"], "Name"]}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    for section in ("Resources", "Outputs"):
        if section in cfn:
            cfn[section] = walk(cfn[section])


def translate(template_path: Path, params: dict[str, str], bucket: str = DEFAULT_CODE_BUCKET) -> dict[str, Any]:
    sam_template = yaml_parse(template_path.read_text(encoding="utf-8"))
    point_code_at_s3(sam_template, bucket)
    return transform(sam_template, params, OfflineManagedPolicyLoader())  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path, help="SAM template (YAML or JSON)")
    parser.add_argument("output", type=Path, help="CloudFormation JSON to write")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="template parameter value (repeatable)",
    )
    parser.add_argument(
        "--code-bucket",
        default=DEFAULT_CODE_BUCKET,
        help=f"bucket for the placeholder code locations (default {DEFAULT_CODE_BUCKET})",
    )
    parser.add_argument(
        "--moto-compat",
        action="store_true",
        help="rewrite constructs moto's CloudFormation mishandles into equivalent ones (see moto_compat)",
    )
    args = parser.parse_args(argv)

    params: dict[str, str] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--param needs NAME=VALUE, got {item!r}")
        params[name] = value

    try:
        cfn = translate(args.template, params, args.code_bucket)
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"{args.template}: {cause.message}", file=sys.stderr)
        return 1

    if args.moto_compat:
        moto_compat(cfn)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(cfn, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    kinds: dict[str, int] = {}
    for res in cfn.get("Resources", {}).values():
        kinds[res["Type"]] = kinds.get(res["Type"], 0) + 1
    summary = ", ".join(f"{n} {t}" for t, n in sorted(kinds.items()))
    print(f"{args.output}: {sum(kinds.values())} resources ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
