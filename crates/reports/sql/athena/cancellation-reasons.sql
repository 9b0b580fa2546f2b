-- Cancelled orders by reason code; the twin of
-- sql/sqlite/cancellation-reasons.sql. Bound: from, to (partition dates), from, to.
WITH cancelled AS (
    SELECT json_extract_scalar(detail, '$.metadata.correlationId') AS order_id,
           json_extract_scalar(detail, '$.data.reason.code') AS reason,
           MIN(from_iso8601_timestamp(json_extract_scalar(detail, '$.metadata.occurredAt'))) AS at
    FROM events
    WHERE event_source = 'shop.orders' AND event_type = 'order-cancelled'
      AND dt BETWEEN substr(?, 1, 10) AND date_format(from_iso8601_timestamp(?) + INTERVAL '1' DAY, '%Y-%m-%d')
    GROUP BY 1, 2
)
SELECT reason, COUNT(*) AS orders
FROM cancelled
WHERE at >= from_iso8601_timestamp(?) AND at < from_iso8601_timestamp(?)
GROUP BY 1
ORDER BY 2 DESC, 1
