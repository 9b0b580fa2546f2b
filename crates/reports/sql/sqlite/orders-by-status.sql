-- Orders by final status per hour of their final event. A re-published
-- event keeps its occurredAt, so each order counts once.
WITH finals AS (
    SELECT json_extract(event, '$.detail.metadata.correlationId') AS order_id,
           CASE detail_type WHEN 'Order Confirmed' THEN 'CONFIRMED' ELSE 'CANCELLED' END AS status,
           MIN(julianday(json_extract(event, '$.detail.metadata.occurredAt'))) AS at
    FROM bus_archive
    WHERE source = 'shop.orders' AND detail_type IN ('Order Confirmed', 'Order Cancelled')
    -- The archive's put time (whole seconds) is never before the event's
    -- occurredAt: events before the window's start second cannot end in
    -- it, and the time index skips them (a window's cost is its events').
    AND time >= substr(:from, 1, 19) || 'Z'
    GROUP BY 1, 2
)
SELECT strftime('%Y-%m-%dT%H:00:00Z', at) AS hour, status, COUNT(*) AS orders
FROM finals
WHERE at >= julianday(:from) AND at < julianday(:to)
GROUP BY 1, 2
ORDER BY 1, 2
