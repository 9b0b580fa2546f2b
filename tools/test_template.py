#!/usr/bin/env python3
"""Contract and policy tests for infra/template.yaml.

The Rust crates and the local `saga` runtime are written against this
template, so its wiring is a contract: these tests pin it (functions, binaries,
event sources, rules, queues, DLQs, alarms, tables, outputs) and enforce the
IAM rules (least privilege, no "*" but X-Ray, PutEvents only with the
function's own events:source).

    .venv/bin/python tools/test_template.py [path/to/template.yaml]

Runs with the standard library's unittest plus the pinned aws-sam-translator
(for its CloudFormation-aware YAML loader and the SAM -> CFN translation).
Prints a closing "template: N passed, N failed" line; exits non-zero on failure.
"""

from __future__ import annotations

import json
import os
import sys
import unittest
from pathlib import Path
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

# Import the sibling script without leaving tools/__pycache__ in the work tree.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from sam_translate import moto_compat, translate  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = Path(os.environ.get("TEMPLATE", REPO / "infra" / "template.yaml"))

SOURCES = ["shop.orders", "shop.inventory", "shop.payment", "shop.shipping"]
ALL_DETAIL_TYPES = [
    "Order Placed",
    "Inventory Reserved",
    "Inventory Reservation Failed",
    "Inventory Released",
    "Payment Authorized",
    "Payment Failed",
    "Payment Refunded",
    "Shipment Scheduled",
    "Shipment Failed",
    "Order Confirmed",
    "Order Cancelled",
]

# logical id -> (crate folder, binary, table env var or None, PutEvents sources, event queues)
FUNCTIONS: dict[str, tuple[str, str, dict[str, str], list[str], list[str]]] = {
    "OrdersApiFunction": ("orders", "orders-api", {"ORDERS_TABLE": "OrdersTable"}, [], []),
    "OrdersConsumerFunction": ("orders", "orders-consumer", {"ORDERS_TABLE": "OrdersTable"}, ["shop.orders"], ["OrdersQueue"]),
    "OutboxRelayFunction": ("orders", "outbox-relay", {}, ["shop.orders"], []),
    "InventoryFunction": ("inventory", "inventory-consumer", {"INVENTORY_TABLE": "InventoryTable"}, ["shop.inventory"], ["InventoryQueue"]),
    "PaymentFunction": ("payment", "payment-consumer", {"PAYMENTS_TABLE": "PaymentsTable"}, ["shop.payment"], ["PaymentQueue"]),
    "ShippingFunction": ("shipping", "shipping-consumer", {"SHIPMENTS_TABLE": "ShipmentsTable"}, ["shop.shipping"], ["ShippingQueue"]),
    "DlqFunction": (
        "dlq",
        "dlq-handler",
        {"DLQ_TABLE": "DlqTable"},
        [],
        [
            "OrdersDLQ",
            "InventoryDLQ",
            "PaymentDLQ",
            "ShippingDLQ",
            "HighValueOrdersDLQ",
            "PromotionOrdersDLQ",
            "FulfilmentDLQ",
            "RuleDeliveryDLQ",
            "OutboxRelayDLQ",
        ],
    ),
    "DlqRedriveFunction": ("dlq", "dlq-redrive", {"DLQ_TABLE": "DlqTable"}, SOURCES, []),
    # The reports function reaches the workgroup and the lake's database (by
    # name); tools/test_template_lake.py checks the rest of its role.
    "ReportsFunction": (
        "reports",
        "reports-api",
        {"ATHENA_WORKGROUP": "ReportsWorkGroup", "ATHENA_DATABASE": "LakeDatabase"},
        [],
        [],
    ),
}

CONSUMER_QUEUES = {
    "OrdersQueue": "OrdersDLQ",
    "InventoryQueue": "InventoryDLQ",
    "PaymentQueue": "PaymentDLQ",
    "ShippingQueue": "ShippingDLQ",
    "HighValueOrdersQueue": "HighValueOrdersDLQ",
    "PromotionOrdersQueue": "PromotionOrdersDLQ",
    "FulfilmentQueue": "FulfilmentDLQ",
}
DLQS = list(CONSUMER_QUEUES.values()) + ["RuleDeliveryDLQ", "OutboxRelayDLQ"]
TABLES = ["OrdersTable", "InventoryTable", "PaymentsTable", "ShipmentsTable", "DlqTable"]

# rule -> (target queue, sources, detail types, detail content filter or None)
# A consumer's rule names the majors (detail.metadata.version) its handler
# reads, so a producer publishing a later major during a transition window
# does not reach consumers that do not read it yet.
def majors(*versions: int) -> dict[str, Any]:
    return {"metadata": {"version": list(versions)}}


RULES: dict[str, tuple[str, list[str], list[str], Any]] = {
    "OrdersRule": ("OrdersQueue", SOURCES, ALL_DETAIL_TYPES, majors(1, 2)),
    "InventoryRule": (
        "InventoryQueue",
        ["shop.orders", "shop.payment", "shop.shipping"],
        ["Order Placed", "Payment Failed", "Payment Refunded", "Shipment Scheduled"],
        majors(1, 2),
    ),
    "PaymentRule": ("PaymentQueue", ["shop.inventory", "shop.shipping"], ["Inventory Reserved", "Shipment Failed"], majors(1)),
    "ShippingRule": ("ShippingQueue", ["shop.payment"], ["Payment Authorized"], majors(1)),
    "HighValueOrdersRule": (
        "HighValueOrdersQueue",
        ["shop.inventory"],
        ["Inventory Reserved"],
        {"data": {"amount": {"minor": [{"numeric": [">=", 100000]}]}}},
    ),
    "PromotionOrdersRule": (
        "PromotionOrdersQueue",
        ["shop.orders"],
        ["Order Placed"],
        {"data": {"promotionCode": [{"exists": True}]}},
    ),
    "FulfilmentRule": ("FulfilmentQueue", ["shop.orders"], ["Order Confirmed"], None),
}

# Rules that deliver to the data lake's Firehose stream (checked with the
# lake in tools/test_template_lake.py), and the roles AWS services assume
# for the lake: Firehose, EventBridge (to Firehose) and Pipes.
LAKE_RULES = ["LakeRule"]
SERVICE_ROLES = ["LakeStreamRole", "LakeRuleRole", "DeadLetterPipeRole"]

# The only actions allowed on Resource "*": they have no resource-level
# permissions (see [sar] in tools/test_template_security.py, which checks this
# against the Service Authorization Reference data).
STAR_RESOURCE_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def getatt(name: str, attr: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attr]}


class TemplateContract(unittest.TestCase):
    t: dict[str, Any]
    res: dict[str, Any]

    @classmethod
    def setUpClass(cls) -> None:
        cls.t = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
        cls.res = cls.t["Resources"]

    def props(self, logical_id: str) -> dict[str, Any]:
        self.assertIn(logical_id, self.res, f"missing resource {logical_id}")
        return self.res[logical_id].get("Properties", {})

    def role_statements(self, fn: str) -> list[dict[str, Any]]:
        role_id = self.props(fn)["Role"]["Fn::GetAtt"][0]
        self.assertEqual(self.res[role_id]["Type"], "AWS::IAM::Role")
        role = self.props(role_id)
        self.assertNotIn("ManagedPolicyArns", role, f"{role_id}: managed policies are broader than needed")
        out: list[dict[str, Any]] = []
        for pol in role["Policies"]:
            out.extend(pol["PolicyDocument"]["Statement"])
        return out

    # -- globals, parameters, outputs ---------------------------------------
    def test_transform_and_parameters(self) -> None:
        self.assertEqual(self.t["Transform"], "AWS::Serverless-2016-10-31")
        params = self.t["Parameters"]
        self.assertEqual(params["EventBusName"]["Default"], "ordersaga")
        self.assertEqual(params["Stage"]["Default"], "dev")
        self.assertEqual(params["LogLevel"]["Default"], "info")

    def test_function_globals(self) -> None:
        g = self.t["Globals"]["Function"]
        self.assertEqual(g["Runtime"], "provided.al2023")
        self.assertEqual(g["Architectures"], ["arm64"])
        self.assertEqual(g["Handler"], "bootstrap")
        self.assertEqual(g["Tracing"], "Active")
        self.assertEqual(g["MemorySize"], 256)
        self.assertEqual(g["Timeout"], 10)
        env = g["Environment"]["Variables"]
        self.assertEqual(env["EVENT_BUS_NAME"], ref("SagaBus"))
        self.assertEqual(env["RUST_LOG"], ref("LogLevel"))
        self.assertEqual(env["METRICS_NAMESPACE"], "OrderSaga")

    def test_outputs(self) -> None:
        outs = self.t["Outputs"]
        for name in ("ApiUrl", "EventBusName", "EventBusArn", "ArchiveName"):
            self.assertIn(name, outs)
        self.assertEqual(outs["EventBusName"]["Value"], ref("SagaBus"))
        self.assertEqual(outs["EventBusArn"]["Value"], getatt("SagaBus", "Arn"))
        self.assertEqual(outs["ArchiveName"]["Value"], ref("SagaArchive"))

    # -- bus, archive ---------------------------------------------------------
    def test_bus_and_archive(self) -> None:
        bus = self.props("SagaBus")
        self.assertEqual(bus["Name"], ref("EventBusName"))
        stmts = bus["Policy"]["Statement"]
        self.assertTrue(all(s["Principal"]["AWS"]["Fn::Sub"].endswith(":root") for s in stmts))
        archive = self.props("SagaArchive")
        self.assertEqual(archive["SourceArn"], getatt("SagaBus", "Arn"))
        self.assertEqual(archive["RetentionDays"], 90)
        self.assertNotIn("EventPattern", archive)

    # -- tables -----------------------------------------------------------------
    def test_tables(self) -> None:
        for table in TABLES:
            with self.subTest(table=table):
                self.assertEqual(self.res[table]["Type"], "AWS::DynamoDB::Table")
                p = self.props(table)
                self.assertEqual(
                    p["KeySchema"],
                    [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                )
                self.assertEqual(p["BillingMode"], "PAY_PER_REQUEST")
                self.assertTrue(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])
                self.assertTrue(p["SSESpecification"]["SSEEnabled"])
                self.assertEqual(p["TimeToLiveSpecification"], {"AttributeName": "expiresAt", "Enabled": True})
        self.assertEqual(self.props("OrdersTable")["StreamSpecification"]["StreamViewType"], "NEW_IMAGE")

    # -- queues, DLQs, alarms ---------------------------------------------------
    def test_queues_and_dlqs(self) -> None:
        for queue, dlq in CONSUMER_QUEUES.items():
            with self.subTest(queue=queue):
                p = self.props(queue)
                self.assertTrue(p["SqsManagedSseEnabled"])
                self.assertEqual(p["RedrivePolicy"]["deadLetterTargetArn"], getatt(dlq, "Arn"))
                self.assertEqual(p["RedrivePolicy"]["maxReceiveCount"], 5)
        for dlq in DLQS:
            with self.subTest(dlq=dlq):
                p = self.props(dlq)
                self.assertTrue(p["SqsManagedSseEnabled"])
                self.assertEqual(p["MessageRetentionPeriod"], 1209600)
                self.assertNotIn("RedrivePolicy", p)

    def test_every_dlq_has_an_alarm(self) -> None:
        alarmed = {}
        for lid, r in self.res.items():
            if r["Type"] == "AWS::CloudWatch::Alarm":
                p = r["Properties"]
                q = p["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
                self.assertEqual(p["MetricName"], "ApproximateNumberOfMessagesVisible")
                self.assertEqual(p["Namespace"], "AWS/SQS")
                self.assertEqual((p["ComparisonOperator"], p["Threshold"]), ("GreaterThanThreshold", 0))
                alarmed[q] = lid
        self.assertEqual(sorted(alarmed), sorted(DLQS))

    def test_visibility_timeout_at_least_six_times_function_timeout(self) -> None:
        default_timeout = self.t["Globals"]["Function"]["Timeout"]
        for fn in FUNCTIONS:
            timeout = self.props(fn).get("Timeout", default_timeout)
            for ev in self.props(fn).get("Events", {}).values():
                if ev["Type"] == "SQS":
                    queue = ev["Properties"]["Queue"]["Fn::GetAtt"][0]
                    with self.subTest(fn=fn, queue=queue):
                        self.assertGreaterEqual(self.props(queue)["VisibilityTimeout"], 6 * timeout)

    # -- functions ----------------------------------------------------------------
    def test_function_set(self) -> None:
        fns = sorted(k for k, v in self.res.items() if v["Type"] == "AWS::Serverless::Function")
        self.assertEqual(fns, sorted(FUNCTIONS))

    def test_functions_build_and_env(self) -> None:
        for fn, (crate, binary, env, _, _) in FUNCTIONS.items():
            with self.subTest(fn=fn):
                meta = self.res[fn]["Metadata"]
                self.assertEqual(meta["BuildMethod"], "rust-cargolambda")
                self.assertEqual(meta["BuildProperties"]["Binary"], binary)
                p = self.props(fn)
                self.assertEqual(p["CodeUri"], f"../crates/{crate}")
                got_env = p.get("Environment", {}).get("Variables", {})
                for var, table in env.items():
                    self.assertEqual(got_env.get(var), ref(table))
        pay = self.props("PaymentFunction")["Environment"]["Variables"]
        self.assertEqual(pay["PAYMENT_DECLINE_OVER_MINOR"], "500000")
        ship = self.props("ShippingFunction")["Environment"]["Variables"]
        self.assertEqual(ship["SHIPPING_UNSERVED_COUNTRIES"], "AQ")
        # The consumers of Shipment Scheduled read the majors their rules deliver.
        for fn, rule in (("OrdersConsumerFunction", "OrdersRule"), ("InventoryFunction", "InventoryRule")):
            with self.subTest(fn=fn):
                reads = self.props(fn)["Environment"]["Variables"]["READS_SHIPMENT_SCHEDULED_MAJORS"]
                delivered = self.props(rule)["EventPattern"]["detail"]["metadata"]["version"]
                self.assertEqual([int(m) for m in reads.split(",")], delivered)

    def test_event_sources(self) -> None:
        for fn, (_, _, _, _, queues) in FUNCTIONS.items():
            with self.subTest(fn=fn):
                events = self.props(fn).get("Events", {})
                sqs = [e for e in events.values() if e["Type"] == "SQS"]
                self.assertEqual(sorted(e["Properties"]["Queue"]["Fn::GetAtt"][0] for e in sqs), sorted(queues))
                for e in sqs:
                    self.assertEqual(e["Properties"]["FunctionResponseTypes"], ["ReportBatchItemFailures"])
                    self.assertEqual(e["Properties"]["BatchSize"], 10)
        api = self.props("OrdersApiFunction")["Events"]
        routes = sorted((e["Properties"]["Method"], e["Properties"]["Path"]) for e in api.values())
        self.assertEqual(routes, [("GET", "/orders/{id}"), ("POST", "/orders")])
        for e in api.values():
            self.assertEqual(e["Type"], "HttpApi")
            self.assertEqual(e["Properties"]["ApiId"], ref("OrdersHttpApi"))
        self.assertEqual(self.res["OrdersHttpApi"]["Type"], "AWS::Serverless::HttpApi")
        self.assertEqual(self.props("DlqRedriveFunction").get("Events", {}), {})

    def test_outbox_stream(self) -> None:
        (ev,) = self.props("OutboxRelayFunction")["Events"].values()
        self.assertEqual(ev["Type"], "DynamoDB")
        p = ev["Properties"]
        self.assertEqual(p["Stream"], getatt("OrdersTable", "StreamArn"))
        self.assertEqual(p["StartingPosition"], "TRIM_HORIZON")
        self.assertEqual(p["BatchSize"], 100)
        self.assertEqual(p["FunctionResponseTypes"], ["ReportBatchItemFailures"])
        self.assertTrue(p["BisectBatchOnFunctionError"])
        self.assertIn("MaximumRetryAttempts", p)
        self.assertEqual(p["DestinationConfig"]["OnFailure"]["Destination"], getatt("OutboxRelayDLQ", "Arn"))
        (flt,) = p["FilterCriteria"]["Filters"]
        self.assertEqual(
            json.loads(flt["Pattern"]),
            {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"PK": {"S": [{"prefix": "OUTBOX#"}]}}}},
        )

    # -- IAM ----------------------------------------------------------------------
    def test_no_wildcards_but_xray(self) -> None:
        for fn in FUNCTIONS:
            for st in self.role_statements(fn):
                with self.subTest(fn=fn, sid=st.get("Sid")):
                    self.assertEqual(st["Effect"], "Allow")
                    actions = as_list(st["Action"])
                    self.assertFalse(any("*" in a for a in actions), actions)
                    if "*" in as_list(st["Resource"]):
                        self.assertLessEqual(set(actions), STAR_RESOURCE_ACTIONS)

    def test_put_events_only_with_own_sources(self) -> None:
        for fn, (_, _, _, sources, _) in FUNCTIONS.items():
            with self.subTest(fn=fn):
                put = [s for s in self.role_statements(fn) if "events:PutEvents" in as_list(s["Action"])]
                if not sources:
                    self.assertEqual(put, [], f"{fn} must not publish")
                    continue
                self.assertEqual(len(put), 1)
                self.assertEqual(put[0]["Resource"], getatt("SagaBus", "Arn"))
                self.assertEqual(sorted(as_list(put[0]["Condition"]["StringEquals"]["events:source"])), sorted(sources))

    def test_orders_api_has_no_put_events_and_only_its_table(self) -> None:
        stmts = self.role_statements("OrdersApiFunction")
        ddb = [s for s in stmts if any(a.startswith("dynamodb:") for a in as_list(s["Action"]))]
        self.assertEqual([s["Resource"] for s in ddb], [getatt("OrdersTable", "Arn")])

    def test_consumers_poll_only_their_queues(self) -> None:
        for fn, (_, _, _, _, queues) in FUNCTIONS.items():
            polled = []
            for st in self.role_statements(fn):
                if "sqs:ReceiveMessage" in as_list(st["Action"]):
                    polled += [r["Fn::GetAtt"][0] for r in as_list(st["Resource"])]
            with self.subTest(fn=fn):
                self.assertEqual(sorted(polled), sorted(queues))

    # -- rules ----------------------------------------------------------------------
    def test_rules(self) -> None:
        rules = sorted(k for k, v in self.res.items() if v["Type"] == "AWS::Events::Rule")
        self.assertEqual(rules, sorted([*RULES, *LAKE_RULES]))
        for rule, (queue, sources, types, detail) in RULES.items():
            with self.subTest(rule=rule):
                p = self.props(rule)
                self.assertEqual(p["EventBusName"], ref("SagaBus"))
                pat = p["EventPattern"]
                self.assertEqual(sorted(pat["source"]), sorted(sources))
                self.assertEqual(sorted(pat["detail-type"]), sorted(types))
                self.assertEqual(pat.get("detail"), detail)
                self.assertLessEqual(set(pat), {"source", "detail-type", "detail"})
                text = json.dumps(pat)
                self.assertNotIn("$or", text)
                self.assertNotIn("anything-but", text)
                (target,) = p["Targets"]
                self.assertEqual(target["Arn"], getatt(queue, "Arn"))
                self.assertEqual(target["DeadLetterConfig"]["Arn"], getatt("RuleDeliveryDLQ", "Arn"))
                self.assertIn("MaximumRetryAttempts", target["RetryPolicy"])
                self.assertIn("MaximumEventAgeInSeconds", target["RetryPolicy"])

    def test_queue_policies_scoped_to_rules(self) -> None:
        allowed: dict[str, list[str]] = {}
        for r in self.res.values():
            if r["Type"] != "AWS::SQS::QueuePolicy":
                continue
            (queue_ref,) = r["Properties"]["Queues"]
            for st in r["Properties"]["PolicyDocument"]["Statement"]:
                self.assertEqual(st["Principal"], {"Service": "events.amazonaws.com"})
                self.assertEqual(st["Action"], "sqs:SendMessage")
                arns = as_list(st["Condition"]["ArnEquals"]["aws:SourceArn"])
                allowed[queue_ref["Ref"]] = sorted(a["Fn::GetAtt"][0] for a in arns)
        for rule, (queue, *_rest) in RULES.items():
            self.assertEqual(allowed.get(queue), [rule])
        self.assertEqual(allowed.get("RuleDeliveryDLQ"), sorted([*RULES, *LAKE_RULES]))

    # -- SAM translation ------------------------------------------------------------
    def test_translates_to_cloudformation(self) -> None:
        cfn = translate(TEMPLATE, {})
        kinds = [r["Type"] for r in cfn["Resources"].values()]
        self.assertFalse([k for k in kinds if k.startswith("AWS::Serverless::")])
        self.assertEqual(kinds.count("AWS::Lambda::Function"), len(FUNCTIONS))
        # SAM generated no role of its own: every role is one of ours.
        self.assertEqual(kinds.count("AWS::IAM::Role"), len(FUNCTIONS) + len(SERVICE_ROLES))
        moto_compat(cfn)
        self.assertNotIn('{"Ref": "SagaBus"}', json.dumps(cfn))


def main() -> int:
    from test_template_lake import TemplateLake
    from test_template_security import TemplateSecurity

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(TemplateContract)
    suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(TemplateSecurity))
    suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(TemplateLake))
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"template: {result.testsRun - failed} passed, {failed} failed")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
