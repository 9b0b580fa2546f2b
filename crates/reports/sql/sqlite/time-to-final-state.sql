-- Milliseconds from Order Placed to the order's final event, per path
-- (CONFIRMED, or the cancellation's reason code): nearest-rank p50, p95,
-- p99 (the smallest value with at least q of the orders at or below it).
WITH placed AS (
    SELECT json_extract(event, '$.detail.metadata.correlationId') AS order_id,
           MIN(julianday(json_extract(event, '$.detail.metadata.occurredAt'))) AS at
    FROM bus_archive
    WHERE source = 'shop.orders' AND detail_type = 'Order Placed'
    GROUP BY 1
),
finals AS (
    SELECT json_extract(event, '$.detail.metadata.correlationId') AS order_id,
           CASE detail_type WHEN 'Order Confirmed' THEN 'CONFIRMED'
                ELSE json_extract(event, '$.detail.data.reason.code') END AS path,
           MIN(julianday(json_extract(event, '$.detail.metadata.occurredAt'))) AS at
    FROM bus_archive
    WHERE source = 'shop.orders' AND detail_type IN ('Order Confirmed', 'Order Cancelled')
    -- The archive's put time (whole seconds) is never before the event's
    -- occurredAt: events before the window's start second cannot end in
    -- it, and the time index skips them (a window's cost is its events').
    AND time >= substr(:from, 1, 19) || 'Z'
    GROUP BY 1, 2
),
timed AS (
    SELECT f.path, CAST(ROUND((f.at - p.at) * 86400000.0) AS INTEGER) AS ms
    FROM finals f JOIN placed p ON p.order_id = f.order_id
    WHERE f.at >= julianday(:from) AND f.at < julianday(:to)
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
