"""The fulfilment department's service: another team's code, in another
language, outside the Rust workspace. It reads confirmed orders from the
queue the saga's template gives it (FulfilmentQueue, output
FulfilmentQueueUrl), packs them, and publishes its own "Parcel Packed"
event to the saga's bus, with plain boto3 and nothing of this repository.

Against `saga run`:
    AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 \\
    python departments/fulfilment/service.py --endpoint-url http://127.0.0.1:3000 \\
        --queue-url http://127.0.0.1:3000/000000000000/FulfilmentQueue --bus ordersaga

Against AWS, leave out --endpoint-url and pass the stack's outputs. Each
handled order is printed as one JSON line; --max-orders N stops after N.
"""

import argparse
import json
import sys
import uuid
from datetime import datetime, timezone

import boto3

SOURCE = "partner.fulfilment"
PACKED = "Parcel Packed"


def parcel_packed(event: dict) -> dict:
    """The department's own event for a confirmed order. Tolerant reader:
    only the fields used are required; anything else is ignored."""
    detail = event["detail"]
    metadata = detail["metadata"]
    order_id = detail["data"]["orderId"]
    now = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "metadata": {
            "eventId": str(uuid.uuid4()),
            "correlationId": metadata["correlationId"],
            "causationId": metadata["eventId"],
            "occurredAt": now,
        },
        "data": {"orderId": order_id, "packedAt": now},
    }


def run(args: argparse.Namespace) -> int:
    session = boto3.session.Session()
    sqs = session.client("sqs", endpoint_url=args.endpoint_url)
    events = session.client("events", endpoint_url=args.endpoint_url)
    handled = 0
    while args.max_orders is None or handled < args.max_orders:
        got = sqs.receive_message(
            QueueUrl=args.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=args.wait,
        )
        messages = got.get("Messages", [])
        if not messages and args.max_orders is not None and args.wait == 0:
            break
        for message in messages:
            event = json.loads(message["Body"])
            if event.get("detail-type") != "Order Confirmed":
                # Not ours to act on; leave no trace of it.
                sqs.delete_message(QueueUrl=args.queue_url, ReceiptHandle=message["ReceiptHandle"])
                continue
            packed = parcel_packed(event)
            put = events.put_events(
                Entries=[
                    {
                        "EventBusName": args.bus,
                        "Source": SOURCE,
                        "DetailType": PACKED,
                        "Detail": json.dumps(packed),
                    }
                ]
            )
            if put["FailedEntryCount"]:
                # Left on the queue: it comes back after its visibility
                # timeout, and the queue's DLQ takes it in the end.
                print(json.dumps({"failed": put["Entries"][0]}), file=sys.stderr, flush=True)
                continue
            sqs.delete_message(QueueUrl=args.queue_url, ReceiptHandle=message["ReceiptHandle"])
            handled += 1
            print(
                json.dumps(
                    {
                        "orderId": packed["data"]["orderId"],
                        "confirmedEventId": event["id"],
                        "eventId": packed["metadata"]["eventId"],
                        "busEventId": put["Entries"][0]["EventId"],
                    }
                ),
                flush=True,
            )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", help="saga run's address; none for AWS")
    parser.add_argument("--queue-url", required=True)
    parser.add_argument("--bus", required=True, help="the saga's event bus name or ARN")
    parser.add_argument("--max-orders", type=int, help="stop after this many orders")
    parser.add_argument("--wait", type=int, default=20, help="long-poll seconds (0-20)")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
