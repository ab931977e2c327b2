"""order-validator: checks an order posted through API Gateway.

POST a JSON order such as

    {"order_id": "ORD-001", "customer_id": "CUST-999",
     "items": [{"sku": "ITEM-A", "qty": 2}], "total_amount": 49.99}

and get 200 {"status": "valid", ...}, or 400 when the body is not JSON,
or 422 when the order breaks a rule.
"""

import io
import json
import logging

from fdk import response

REQUIRED_FIELDS = ("order_id", "customer_id", "items", "total_amount")

JSON_HEADERS = {"Content-Type": "application/json"}


def reply(ctx, status, body):
    """A JSON answer; behind API Gateway the status reaches the caller."""
    return response.Response(
        ctx,
        status_code=status,
        response_data=json.dumps(body),
        headers=dict(JSON_HEADERS),
    )


def handler(ctx, data: io.BytesIO = None):
    log = logging.getLogger()
    try:
        order = json.loads(data.getvalue())
    except (Exception, ValueError) as err:
        log.error("order-validator: request body is not JSON: %s", err)
        return reply(ctx, 400, {"error": "Invalid JSON in request body"})

    missing = [field for field in REQUIRED_FIELDS if field not in order]
    if missing:
        return reply(ctx, 422, {"error": "Missing required fields",
                                "fields": missing})

    items = order["items"]
    if not isinstance(items, list) or not items:
        return reply(ctx, 422,
                     {"error": "Order must contain at least one item"})

    if order["total_amount"] <= 0:
        return reply(ctx, 422,
                     {"error": "total_amount must be greater than zero"})

    return reply(ctx, 200, {
        "status": "valid",
        "order_id": order["order_id"],
        "item_count": len(items),
        # The Python FDK's context has no RequestID() (fdk 0.1.128 offers
        # AppID, FnID, CallID, ... but no request id): the call id is the
        # per-invocation identifier it does have, and it is what the Fn
        # agent (and OCI Functions) logs for the call.
        "validated_at": ctx.CallID(),
    })
