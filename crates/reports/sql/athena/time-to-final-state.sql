-- Milliseconds from Order Placed to the final event per path, nearest-rank
-- p50, p95, p99; the twin of sql/sqlite/time-to-final-state.sql.
-- Placements are read from a day before from (an order placed earlier
-- than that is left out). Bound: from, to (placement partitions), from, to
-- (final partitions), from, to.
WITH placed AS (
    SELECT json_extract_scalar(detail, '$.metadata.correlationId') AS order_id,
           MIN(from_iso8601_timestamp(json_extract_scalar(detail, '$.metadata.occurredAt'))) AS at
    FROM events
    WHERE event_source = 'shop.orders' AND event_type = 'order-placed'
      AND dt BETWEEN date_format(from_iso8601_timestamp(?) - INTERVAL '1' DAY, '%Y-%m-%d')
                 AND date_format(from_iso8601_timestamp(?) + INTERVAL '1' DAY, '%Y-%m-%d')
    GROUP BY 1
),
finals AS (
    SELECT json_extract_scalar(detail, '$.metadata.correlationId') AS order_id,
           CASE detail_type WHEN 'Order Confirmed' THEN 'CONFIRMED'
                ELSE json_extract_scalar(detail, '$.data.reason.code') END AS path,
           MIN(from_iso8601_timestamp(json_extract_scalar(detail, '$.metadata.occurredAt'))) AS at
    FROM events
    WHERE event_source = 'shop.orders' AND event_type IN ('order-confirmed', 'order-cancelled')
      AND dt BETWEEN substr(?, 1, 10) AND date_format(from_iso8601_timestamp(?) + INTERVAL '1' DAY, '%Y-%m-%d')
    GROUP BY 1, 2
),
timed AS (
    SELECT f.path, date_diff('millisecond', p.at, f.at) AS ms
    FROM finals f JOIN placed p ON p.order_id = f.order_id
    WHERE f.at >= from_iso8601_timestamp(?) AND f.at < from_iso8601_timestamp(?)
),
ranked AS (
    SELECT path, ms,
           ROW_NUMBER() OVER (PARTITION BY path ORDER BY ms) AS rn,
           COUNT(*) OVER (PARTITION BY path) AS n
    FROM timed
)
SELECT path, MAX(n) AS orders,
       MIN(CASE WHEN rn * 100 >= n * 50 THEN ms END) AS p50_ms,
       MIN(CASE WHEN rn * 100 >= n * 95 THEN ms END) AS p95_ms,
       MIN(CASE WHEN rn * 100 >= n * 99 THEN ms END) AS p99_ms
FROM ranked
GROUP BY 1
ORDER BY 1
