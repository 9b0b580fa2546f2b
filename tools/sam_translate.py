#!/usr/bin/env python3
"""Translate a SAM template (Transform: AWS::Serverless-2016-10-31) into plain
CloudFormation JSON with the pinned aws-sam-translator, offline.

    python tools/sam_translate.py infra/template.yaml target/infra/template.cfn.json

The output is what CloudFormation would see after the SAM transform, so it can
be created in moto (whose CloudFormation does not run SAM transforms) or
inspected. Intrinsic functions are left as they are; parameters keep their
defaults unless given with --param Name=Value.

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


def translate(template_path: Path, params: dict[str, str]) -> dict[str, Any]:
    sam_template = yaml_parse(template_path.read_text(encoding="utf-8"))
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
    args = parser.parse_args(argv)

    params: dict[str, str] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--param needs NAME=VALUE, got {item!r}")
        params[name] = value

    try:
        cfn = translate(args.template, params)
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"{args.template}: {cause.message}", file=sys.stderr)
        return 1

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
