"""Security tests of infra/template.yaml, run by tools/test_template.py.

* The order API requires authentication on every route: IAM (SigV4) by
  default, a JWT authorizer when the ApiAuth parameter says JWT.
* Least privilege, checked on the template *after* the SAM transform, so a
  role SAM generates (from policy templates or event sources) is checked like
  the explicit ones: each function may put events only on the saga bus and
  only with its own source, reaches only its own tables, queues and log group,
  and has no wildcard action or resource unless AWS offers no resource-level
  permission for that action.
* The bus has a resource policy that lets only this account put events.

AWS facts relied on:
  [sar]    Service Authorization Reference: an action whose "Resource types"
           column is empty must be granted on Resource "*"
           https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
           For DynamoDB (dynamodb:ListStreams has none):
           https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
           For X-Ray (PutTraceSegments, PutTelemetryRecords have none):
           https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html
  [ebcond] events:source restricts the Source of the entries of a PutEvents
           request: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
           and https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
  [ebperm] bus resource policies: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html
  [apiiam] https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
  [apijwt] https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html

The resource-type facts are not typed in here: they come from cfn-lint's
bundled copy of the Service Authorization Reference
(cfnlint/data/AdditionalSpecs/Policies.json, pinned with cfn-lint), so the
test fails both when "*" is used for an action that has resource-level
permissions and when a specific resource is given to an action that has none
(a grant that silently allows nothing).
"""

from __future__ import annotations

import json
import re
import unittest
from importlib import resources
from typing import Any

from sam_translate import translate
from samtranslator.yaml_helper import yaml_parse

import test_template as contract

# Resources a function reaches beyond its log group, its tables (from its
# environment) and the queues it polls (from its events): the relay reads the
# orders table's stream and sends failed batches to its OnFailure queue.
EXTRA_REACH = {
    "OutboxRelayFunction": {"OrdersTable", "OutboxRelayDLQ"},
    # Athena runs the report queries with the caller's permissions: the
    # events table in the catalogue, the lake's objects and the results.
    "ReportsFunction": {"EventsTable", "LakeBucket"},
}

SUB_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}")
# The objects under one prefix of a bucket of this template: S3 has no other
# way to name them, so the trailing "*" is scope, not a wildcard resource.
S3_PREFIX = re.compile(r"^\$\{[A-Za-z0-9]+\.Arn\}/[a-z0-9-]+/\*$")


def sar_actions() -> dict[str, dict[str, Any]]:
    """service prefix -> lower-case action -> {"Resources": [...]}."""
    path = resources.files("cfnlint") / "data" / "AdditionalSpecs" / "Policies.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {svc: body["Actions"] for svc, body in data.items()}


def referenced(resource: Any) -> tuple[set[str], bool]:
    """Logical ids a policy Resource entry names, and whether it has a wildcard."""
    if resource == "*":
        return set(), True
    if isinstance(resource, str):
        return set(), "*" in resource
    if isinstance(resource, dict) and len(resource) == 1:
        ((fn, arg),) = resource.items()
        if fn == "Fn::GetAtt":
            return {arg[0] if isinstance(arg, list) else arg.split(".")[0]}, False
        if fn == "Ref":
            return {arg}, False
        if fn == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0]
            ids = {m for m in SUB_REF.findall(text) if not m.startswith("AWS")}
            return ids, "*" in text and not S3_PREFIX.match(text)
    raise AssertionError(f"unexpected policy resource {resource!r}")


def resolve_if(node: Any, conditions: dict[str, bool]) -> Any:
    """The value of `node` with every Fn::If decided by `conditions`."""
    if isinstance(node, dict):
        if len(node) == 1 and "Fn::If" in node:
            name, yes, no = node["Fn::If"]
            return resolve_if(yes if conditions[name] else no, conditions)
        return {k: resolve_if(v, conditions) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_if(v, conditions) for v in node]
    return node


def operations(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in body["paths"].items()
        for method, op in item.items()
        if method in {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}
    }


class TemplateSecurity(unittest.TestCase):
    src: dict[str, Any]
    cfn: dict[str, Any]
    sar: dict[str, dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        cls.src = yaml_parse(contract.TEMPLATE.read_text(encoding="utf-8"))
        cls.cfn = translate(contract.TEMPLATE, {})
        cls.sar = sar_actions()

    def res(self, logical_id: str) -> dict[str, Any]:
        self.assertIn(logical_id, self.cfn["Resources"], f"missing resource {logical_id}")
        return self.cfn["Resources"][logical_id]

    def statements(self, fn: str) -> list[dict[str, Any]]:
        """Every statement of the function's execution role, after the transform."""
        role_id = self.res(fn)["Properties"]["Role"]["Fn::GetAtt"][0]
        role = self.res(role_id)["Properties"]
        self.assertFalse(role.get("ManagedPolicyArns"), f"{role_id}: managed policies grant on Resource *")
        out = [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
        for r in self.cfn["Resources"].values():
            if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"].get("Roles", []):
                out += r["Properties"]["PolicyDocument"]["Statement"]
        return out

    def expected_reach(self, fn: str) -> set[str]:
        _, _, env, sources, queues = contract.FUNCTIONS[fn]
        log_group = self.src["Resources"][fn]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        reach = {log_group, *env.values(), *queues, *EXTRA_REACH.get(fn, set())}
        if sources:
            reach.add("SagaBus")
        return reach

    # -- least privilege ------------------------------------------------------
    def test_every_lambda_function_is_one_of_ours_with_its_own_role(self) -> None:
        fns = sorted(k for k, v in self.cfn["Resources"].items() if v["Type"] == "AWS::Lambda::Function")
        self.assertEqual(fns, sorted(contract.FUNCTIONS))
        roles = [self.res(fn)["Properties"]["Role"]["Fn::GetAtt"][0] for fn in fns]
        self.assertEqual(len(set(roles)), len(roles), "two functions share a role")

    def test_each_function_reaches_only_its_own_tables_queues_bus_and_log_group(self) -> None:
        for fn in contract.FUNCTIONS:
            with self.subTest(fn=fn):
                reached: set[str] = set()
                for st in self.statements(fn):
                    for r in contract.as_list(st["Resource"]):
                        reached |= referenced(r)[0]
                self.assertEqual(reached, self.expected_reach(fn))

    def test_each_service_prefix_is_granted_only_on_resources_of_that_service(self) -> None:
        kind_of = {k: v["Type"] for k, v in self.cfn["Resources"].items()}
        allowed = {
            "dynamodb": {"AWS::DynamoDB::Table"},
            "sqs": {"AWS::SQS::Queue"},
            "events": {"AWS::Events::EventBus"},
            "logs": {"AWS::Logs::LogGroup"},
            "athena": {"AWS::Athena::WorkGroup"},
            "glue": {"AWS::Glue::Database", "AWS::Glue::Table"},
            "s3": {"AWS::S3::Bucket"},
        }
        for fn in contract.FUNCTIONS:
            for st in self.statements(fn):
                ids = set().union(*(referenced(r)[0] for r in contract.as_list(st["Resource"])))
                for action in contract.as_list(st["Action"]):
                    service = action.split(":")[0]
                    with self.subTest(fn=fn, action=action):
                        self.assertIn(service, set(allowed) | {"xray"}, f"{fn} may use {action}")
                        for rid in ids:
                            self.assertIn(kind_of[rid], allowed.get(service, set()), f"{action} on {rid}")

    def test_no_wildcard_unless_the_action_has_no_resource_level_permission(self) -> None:
        for fn in contract.FUNCTIONS:
            for st in self.statements(fn):
                actions = contract.as_list(st["Action"])
                wild = any(referenced(r)[1] for r in contract.as_list(st["Resource"]))
                with self.subTest(fn=fn, sid=st.get("Sid"), actions=actions):
                    self.assertEqual(st["Effect"], "Allow")
                    self.assertNotIn("NotAction", st)
                    self.assertNotIn("NotResource", st)
                    for action in actions:
                        self.assertNotIn("*", action)
                        service, name = action.split(":")
                        spec = self.sar[service].get(name.lower())
                        self.assertIsNotNone(spec, f"{action} is not an IAM action")
                        has_resource_types = bool(spec.get("Resources"))
                        # "*" only where AWS requires it [sar]; a specific
                        # resource where AWS offers none would grant nothing.
                        self.assertEqual(wild, not has_resource_types, f"{action} on {st['Resource']}")
                        if wild:
                            self.assertEqual(st["Resource"], "*")

    def test_put_events_only_on_the_saga_bus_and_only_with_the_function_s_own_source(self) -> None:
        for fn, (_, _, _, sources, _) in contract.FUNCTIONS.items():
            with self.subTest(fn=fn):
                put = [
                    s
                    for s in self.statements(fn)
                    if any(a.lower() in {"events:putevents", "events:*"} for a in contract.as_list(s["Action"]))
                ]
                if not sources:
                    self.assertEqual(put, [], f"{fn} must not publish")
                    continue
                self.assertEqual(len(put), 1, put)
                (st,) = put
                self.assertEqual(contract.as_list(st["Action"]), ["events:PutEvents"])
                self.assertEqual(st["Resource"], contract.getatt("SagaBus", "Arn"))
                # Exactly one condition, an exact match on the entries'
                # Source [ebcond]; no StringLike that a prefix could satisfy.
                self.assertEqual(list(st["Condition"]), ["StringEquals"])
                self.assertEqual(list(st["Condition"]["StringEquals"]), ["events:source"])
                got = sorted(contract.as_list(st["Condition"]["StringEquals"]["events:source"]))
                self.assertEqual(got, sorted(sources))

    # -- the bus ------------------------------------------------------------------
    def test_the_bus_policy_lets_only_this_account_put_events_on_this_bus(self) -> None:
        policy = self.res("SagaBus")["Properties"].get("Policy") or {"Statement": []}
        statements = list(policy["Statement"])
        for lid, r in self.cfn["Resources"].items():
            if r["Type"] == "AWS::Events::EventBusPolicy":
                self.assertIn("Statement", r["Properties"], f"{lid}: use Statement, not the legacy Principal form")
                statements.append(r["Properties"]["Statement"])
        self.assertTrue(statements, "the bus has no resource policy [ebperm]")
        this_account = {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
        bus_arn = {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}"}
        for st in statements:
            with self.subTest(sid=st.get("Sid")):
                self.assertEqual(st["Effect"], "Allow")
                self.assertEqual(st["Principal"], {"AWS": this_account})
                self.assertEqual(st["Action"], "events:PutEvents")
                self.assertEqual(st["Resource"], bus_arn)

    # -- the API ------------------------------------------------------------------
    def api_body(self, jwt: bool) -> dict[str, Any]:
        body = self.res("OrdersHttpApi")["Properties"]["Body"]
        return resolve_if(body, {"UseJwtAuth": jwt})

    def test_the_api_requires_iam_auth_by_default(self) -> None:
        param = self.src["Parameters"]["ApiAuth"]
        self.assertEqual(param["Default"], "AWS_IAM")
        self.assertEqual(sorted(param["AllowedValues"]), ["AWS_IAM", "JWT"])
        self.assertEqual(self.cfn["Conditions"]["UseJwtAuth"], {"Fn::Equals": [{"Ref": "ApiAuth"}, "JWT"]})
        body = self.api_body(jwt=False)
        ops = operations(body)
        self.assertTrue(ops)
        for key, op in ops.items():
            with self.subTest(route=key):
                self.assertEqual(op.get("security"), [{"AWS_IAM": []}])
        scheme = body["components"]["securitySchemes"]["AWS_IAM"]
        self.assertEqual(scheme["x-amazon-apigateway-authtype"], "awsSigv4")
        self.assertNotIn("JwtAuthorizer", body["components"]["securitySchemes"])

    def test_choosing_jwt_puts_a_jwt_authorizer_from_the_parameters_on_every_route(self) -> None:
        body = self.api_body(jwt=True)
        for key, op in operations(body).items():
            with self.subTest(route=key):
                self.assertEqual(op.get("security"), [{"JwtAuthorizer": []}])
        schemes = body["components"]["securitySchemes"]
        self.assertEqual(list(schemes), ["JwtAuthorizer"])
        authorizer = schemes["JwtAuthorizer"]["x-amazon-apigateway-authorizer"]
        self.assertEqual(authorizer["type"], "jwt")
        self.assertEqual(authorizer["identitySource"], "$request.header.Authorization")
        self.assertEqual(authorizer["jwtConfiguration"]["issuer"], {"Ref": "JwtIssuer"})
        self.assertEqual(authorizer["jwtConfiguration"]["audience"], {"Fn::Split": [",", {"Ref": "JwtAudience"}]})
        # A JWT stack without an issuer or audience is refused before it is built.
        rule = self.src["Rules"]["JwtAuthNeedsIssuerAndAudience"]
        self.assertEqual(rule["RuleCondition"], {"Fn::Equals": [{"Ref": "ApiAuth"}, "JWT"]})
        asserted = json.dumps(rule["Assertions"])
        self.assertIn('"JwtIssuer"', asserted)
        self.assertIn('"JwtAudience"', asserted)

    def test_every_api_route_is_an_api_function_event_and_every_event_has_auth(self) -> None:
        declared = operations(self.src["Resources"]["OrdersHttpApi"]["Properties"]["DefinitionBody"])
        events = {
            (e["Properties"]["Method"].upper(), e["Properties"]["Path"])
            for fn in contract.FUNCTIONS
            for e in self.src["Resources"][fn]["Properties"].get("Events", {}).values()
            if e["Type"] == "HttpApi"
        }
        self.assertEqual(set(declared), events)
        for jwt in (False, True):
            ops = operations(self.api_body(jwt))
            self.assertEqual(set(ops), events)
            for key, op in ops.items():
                with self.subTest(route=key, jwt=jwt):
                    self.assertTrue(op.get("security"), "route without authorization")
                    self.assertIn("x-amazon-apigateway-integration", op)
