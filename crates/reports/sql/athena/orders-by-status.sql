-- Orders by final status per hour of their final event; the twin of
-- sql/sqlite/orders-by-status.sql. Bound: from, to (partition dates), from, to.
WITH finals AS (
    SELECT json_extract_scalar(detail, '$.metadata.correlationId') AS order_id,
           CASE detail_type WHEN 'Order Confirmed' THEN 'CONFIRMED' ELSE 'CANCELLED' END AS status,
           MIN(from_iso8601_timestamp(json_extract_scalar(detail, '$.metadata.occurredAt'))) AS at
    FROM events
    WHERE event_source = 'shop.orders' AND event_type IN ('order-confirmed', 'order-cancelled')
      AND dt BETWEEN substr(?, 1, 10) AND date_format(from_iso8601_timestamp(?) + INTERVAL '1' DAY, '%Y-%m-%d')
    GROUP BY 1, 2
)
SELECT date_format(date_trunc('hour', at), '%Y-%m-%dT%H:00:00Z') AS hour, status, COUNT(*) AS orders
FROM finals
WHERE at >= from_iso8601_timestamp(?) AND at < from_iso8601_timestamp(?)
GROUP BY 1, 2
ORDER BY 1, 2
