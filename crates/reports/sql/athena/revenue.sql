-- Confirmed orders and their amounts per currency, in minor units; the
-- twin of sql/sqlite/revenue.sql. Bound: from, to (partition dates), from, to.
WITH confirmed AS (
    SELECT json_extract_scalar(detail, '$.metadata.correlationId') AS order_id,
           json_extract_scalar(detail, '$.data.amount.currency') AS currency,
           CAST(json_extract_scalar(detail, '$.data.amount.minor') AS BIGINT) AS minor,
           MIN(from_iso8601_timestamp(json_extract_scalar(detail, '$.metadata.occurredAt'))) AS at
    FROM events
    WHERE event_source = 'shop.orders' AND event_type = 'order-confirmed'
      AND dt BETWEEN substr(?, 1, 10) AND date_format(from_iso8601_timestamp(?) + INTERVAL '1' DAY, '%Y-%m-%d')
    GROUP BY 1, 2, 3
)
SELECT currency, COUNT(*) AS orders, SUM(minor) AS revenue_minor
FROM confirmed
WHERE at >= from_iso8601_timestamp(?) AND at < from_iso8601_timestamp(?)
GROUP BY 1
ORDER BY 1
