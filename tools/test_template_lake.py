"""Tests of the visibility resources of infra/template.yaml (issue 7), run by
tools/test_template.py: the event data lake (rule -> Firehose -> S3, the
dead-letter pipe), its Glue table and the Athena report queries, the reports
function, the schema registry and the operations dashboard.

AWS facts relied on:
  [s3tls]   a bucket policy denying aws:SecureTransport false enforces TLS:
            https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
  [fhpart]  dynamic partitioning keys from a jq query, !{partitionKeyFromQuery:k}:
            https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-partitioning-keys.html
  [athproj] partition projection, storage.location.template:
            https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html
  [sar]     actions without resource types take "*" (see test_template_security.py)
"""

from __future__ import annotations

import json
import re
import unittest
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

import template_sections
import test_template as contract

EXAMPLES = contract.REPO / "events-schema" / "examples"
SQL = contract.REPO / "crates" / "reports" / "sql" / "athena"
LAKE_RESOURCES = {"LakeBucket", "LakeStream", "DlqTable"}


def kebab(detail_type: str) -> str:
    return detail_type.lower().replace(" ", "-")


class TemplateLake(unittest.TestCase):
    text: str
    res: dict[str, Any]

    @classmethod
    def setUpClass(cls) -> None:
        cls.text = contract.TEMPLATE.read_text(encoding="utf-8")
        cls.res = yaml_parse(cls.text)["Resources"]

    def props(self, logical_id: str) -> dict[str, Any]:
        self.assertIn(logical_id, self.res, f"missing resource {logical_id}")
        return self.res[logical_id].get("Properties", {})

    def of_type(self, kind: str) -> dict[str, Any]:
        return {k: v for k, v in self.res.items() if v["Type"] == kind}

    # -- generated section ------------------------------------------------------
    def test_the_generated_section_matches_the_schemas_queries_and_resources_it_comes_from(self) -> None:
        self.assertEqual(template_sections.render(self.text), self.text, "run `make schema`")

    def test_the_last_revision_of_every_published_major_is_in_the_registry_as_draft4(self) -> None:
        published = {p["Properties"]["SchemaName"]: p["Properties"] for p in self.of_type("AWS::EventSchemas::Schema").values()}
        latest = template_sections.published()
        self.assertEqual(len(published), len(latest))
        majors = {(slug, major) for slug, major, _, _ in latest}
        self.assertIn(("shipment-scheduled", 1), majors)
        self.assertIn(("shipment-scheduled", 2), majors)
        for slug, major, revision, path in latest:
            schema = json.loads(path.read_text(encoding="utf-8"))
            self.assertEqual(schema["$defs"]["Metadata"]["properties"]["version"]["const"], major)
            revisions = list(path.parent.glob(f"v{major}.*.json"))
            self.assertEqual(len(revisions), revision, "revisions are numbered 1, 2, ... without gaps")
            suffix = f"V{major}" if major > 1 else ""
            name = f'{schema["properties"]["source"]["const"]}@{template_sections.camel(schema["title"])}{suffix}'
            with self.subTest(schema=path.name):
                self.assertIn(name, published)
                p = published[name]
                self.assertEqual(p["RegistryName"], contract.getatt("SagaSchemaRegistry", "RegistryName"))
                self.assertEqual(p["Type"], "JSONSchemaDraft4")
                content = json.loads(p["Content"])
                self.assertEqual(content, template_sections.draft4(schema))
                self.assertNotIn("$defs", p["Content"])
                self.assertNotIn('"const"', p["Content"])

    def test_every_report_has_a_named_query_in_the_reports_workgroup_and_the_function_knows_its_id(self) -> None:
        queries = self.of_type("AWS::Athena::NamedQuery")
        env = self.props("ReportsFunction")["Environment"]["Variables"]
        stems = sorted(p.stem for p in SQL.glob("*.sql"))
        self.assertEqual(sorted(q["Properties"]["Name"] for q in queries.values()), stems)
        for lid, q in queries.items():
            p = q["Properties"]
            with self.subTest(query=p["Name"]):
                self.assertEqual(p["WorkGroup"], contract.ref("ReportsWorkGroup"))
                self.assertEqual(p["Database"], contract.ref("LakeDatabase"))
                self.assertEqual(p["QueryString"].strip(), (SQL / f"{p['Name']}.sql").read_text(encoding="utf-8").strip())
                var = "NAMED_QUERY_" + p["Name"].replace("-", "_").upper()
                self.assertEqual(env.get(var), contract.ref(lid))

    # -- the lake -----------------------------------------------------------------
    def test_the_lake_bucket_is_encrypted_private_tls_only_and_expires_objects(self) -> None:
        b = self.props("LakeBucket")
        (enc,) = b["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        self.assertIn(enc["ServerSideEncryptionByDefault"]["SSEAlgorithm"], {"AES256", "aws:kms"})
        self.assertTrue(all(b["PublicAccessBlockConfiguration"].values()))
        self.assertEqual(len(b["PublicAccessBlockConfiguration"]), 4)
        rules = {r["Prefix"]: r for r in b["LifecycleConfiguration"]["Rules"]}
        for prefix in ("events/", "athena-results/", "errors/"):
            with self.subTest(prefix=prefix):
                self.assertEqual(rules[prefix]["Status"], "Enabled")
                self.assertIn("ExpirationInDays", rules[prefix])
        policy = self.props("LakeBucketPolicy")
        self.assertEqual(policy["Bucket"], contract.ref("LakeBucket"))
        (tls,) = policy["PolicyDocument"]["Statement"]
        self.assertEqual((tls["Effect"], tls["Principal"], tls["Action"]), ("Deny", "*", "s3:*"))
        self.assertEqual(tls["Condition"], {"Bool": {"aws:SecureTransport": "false"}})  # [s3tls]
        self.assertEqual(
            tls["Resource"], [contract.getatt("LakeBucket", "Arn"), {"Fn::Sub": "${LakeBucket.Arn}/*"}]
        )

    def test_the_lake_rule_takes_every_saga_event_to_firehose_with_its_own_role(self) -> None:
        p = self.props("LakeRule")
        self.assertEqual(p["EventBusName"], contract.ref("SagaBus"))
        self.assertEqual(p["EventPattern"], {"source": contract.SOURCES})
        for path in sorted(EXAMPLES.glob("*.json")):
            with self.subTest(example=path.name):
                self.assertIn(json.loads(path.read_text(encoding="utf-8"))["source"], p["EventPattern"]["source"])
        (target,) = p["Targets"]
        self.assertEqual(target["Arn"], contract.getatt("LakeStream", "Arn"))
        self.assertEqual(target["RoleArn"], contract.getatt("LakeRuleRole", "Arn"))
        self.assertEqual(target["DeadLetterConfig"]["Arn"], contract.getatt("RuleDeliveryDLQ", "Arn"))

    def test_firehose_partitions_by_source_detail_type_and_date_as_the_glue_table_projects_them(self) -> None:
        s3 = self.props("LakeStream")["ExtendedS3DestinationConfiguration"]
        self.assertEqual(s3["BucketARN"], contract.getatt("LakeBucket", "Arn"))
        self.assertTrue(s3["DynamicPartitioningConfiguration"]["Enabled"])
        keys = re.findall(r"(\w+)=!\{partitionKeyFromQuery:(\w+)\}", s3["Prefix"])  # [fhpart]
        self.assertEqual(keys, [("event_source", "source"), ("event_type", "type"), ("dt", "dt")])
        procs = {p["Type"]: {q["ParameterName"]: q["ParameterValue"] for q in p["Parameters"]} for p in s3["ProcessingConfiguration"]["Processors"]}
        query = procs["MetadataExtraction"]["MetadataExtractionQuery"]
        self.assertEqual(procs["MetadataExtraction"]["JsonParsingEngine"], "JQ-1.6")
        for key in ("source: .source", 'type: (."detail-type"', "dt: .time[0:10]"):
            self.assertIn(key, query)
        self.assertEqual(procs["AppendDelimiterToRecord"]["Delimiter"], "\\n")

        table = self.props("EventsTable")["TableInput"]
        self.assertEqual([k["Name"] for k in table["PartitionKeys"]], ["event_source", "event_type", "dt"])
        params = table["Parameters"]
        self.assertEqual(params["projection.enabled"], "true")  # [athproj]
        template = params["storage.location.template"]["Fn::Sub"]
        self.assertEqual(
            template, "s3://${LakeBucket}/events/event_source=${!event_source}/event_type=${!event_type}/dt=${!dt}/"
        )
        types = set(params["projection.event_type.values"].split(","))
        schemas = (contract.REPO / "events-schema" / "schemas").glob("*.json")
        expected = {kebab(json.loads(p.read_text(encoding="utf-8"))["title"]) for p in schemas}
        self.assertEqual(types, expected | {"dead-letter-recorded"})
        self.assertEqual(set(params["projection.event_source.values"].split(",")), {*contract.SOURCES, "ordersaga.dlq"})
        self.assertEqual(params["projection.dt.format"], "yyyy-MM-dd")
        serde = table["StorageDescriptor"]["SerdeInfo"]
        self.assertEqual(serde["Parameters"]["mapping.detail_type"], "detail-type")

    def test_recorded_dead_letters_reach_the_lake_shaped_as_the_dead_letters_query_reads_them(self) -> None:
        p = self.props("DeadLetterPipe")
        self.assertEqual(p["Source"], contract.getatt("DlqTable", "StreamArn"))
        self.assertEqual(self.props("DlqTable")["StreamSpecification"]["StreamViewType"], "NEW_IMAGE")
        self.assertEqual(p["Target"], contract.getatt("LakeStream", "Arn"))
        (flt,) = p["SourceParameters"]["FilterCriteria"]["Filters"]
        self.assertEqual(json.loads(flt["Pattern"]), {"eventName": ["INSERT"]})
        shaped = json.loads(re.sub(r"<\$[^>]*>", "x", p["TargetParameters"]["InputTemplate"]))
        self.assertEqual((shaped["source"], kebab(shaped["detail-type"])), ("ordersaga.dlq", "dead-letter-recorded"))
        sql = (SQL / "dead-letters.sql").read_text(encoding="utf-8")
        for field in re.findall(r"json_extract_scalar\(detail, '\$\.(\w+)'\)", sql):
            self.assertIn(field, shaped["detail"])

    def test_the_lake_s_service_roles_trust_one_service_of_this_account_and_reach_only_the_lake(self) -> None:
        trusted = {"LakeStreamRole": "firehose.amazonaws.com", "LakeRuleRole": "events.amazonaws.com", "DeadLetterPipeRole": "pipes.amazonaws.com"}
        self.assertEqual(sorted(trusted), sorted(contract.SERVICE_ROLES))
        for role, service in trusted.items():
            p = self.props(role)
            (trust,) = p["AssumeRolePolicyDocument"]["Statement"]
            with self.subTest(role=role):
                self.assertEqual(trust["Principal"], {"Service": service})
                self.assertEqual(trust["Condition"], {"StringEquals": {"aws:SourceAccount": contract.ref("AWS::AccountId")}})
                for st in (s for pol in p["Policies"] for s in pol["PolicyDocument"]["Statement"]):
                    actions = contract.as_list(st["Action"])
                    self.assertFalse([a for a in actions if "*" in a], actions)
                    for r in contract.as_list(st["Resource"]):
                        if r == "*":  # [sar]: ListStreams has no resource type
                            self.assertEqual(actions, ["dynamodb:ListStreams"])
                            continue
                        text = json.dumps(r)
                        self.assertTrue(any(lid in text for lid in LAKE_RESOURCES), f"{role} reaches {text}")

    # -- dashboard ------------------------------------------------------------------
    def test_the_dashboard_charts_every_rule_dlq_saga_metric_and_function(self) -> None:
        body, names = self.props("OperationsDashboard")["DashboardBody"]["Fn::Sub"]
        json.loads(re.sub(r"\$\{[^}]+\}", "x", body))
        for rule in self.of_type("AWS::Events::Rule"):
            with self.subTest(rule=rule):
                self.assertEqual(names[f"{rule}Name"], {"Fn::Select": [2, {"Fn::Split": ["/", contract.getatt(rule, "Arn")]}]})
                for metric in ("Invocations", "FailedInvocations", "ThrottledRules"):
                    self.assertIn(f'"AWS/Events", "{metric}", "EventBusName", "${{SagaBus}}", "RuleName", "${{{rule}Name}}"', body)
        for dlq in contract.DLQS:
            self.assertIn(f'"ApproximateNumberOfMessagesVisible", "QueueName", "${{{dlq}.QueueName}}"', body)
        for metric in ("OrdersPlaced", "OrdersConfirmed", "OrdersCancelled", "HandlerFailures", "DeadLetters"):
            self.assertIn(f'MetricName=\\"{metric}\\"', body)
        self.assertIn("{OrderSaga,Service}", body)
        for fn in contract.FUNCTIONS:
            for metric in ("Errors", "Duration"):
                self.assertIn(f'"AWS/Lambda", "{metric}", "FunctionName", "${{{fn}}}"', body)


if __name__ == "__main__":
    unittest.main()
