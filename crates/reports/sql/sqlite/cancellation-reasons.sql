-- Cancelled orders by reason code.
WITH cancelled AS (
    SELECT json_extract(event, '$.detail.metadata.correlationId') AS order_id,
           json_extract(event, '$.detail.data.reason.code') AS reason,
           MIN(julianday(json_extract(event, '$.detail.metadata.occurredAt'))) AS at
    FROM bus_archive
    WHERE source = 'shop.orders' AND detail_type = 'Order Cancelled'
    -- The archive's put time (whole seconds) is never before the event's
    -- occurredAt: events before the window's start second cannot end in
    -- it, and the time index skips them (a window's cost is its events').
    AND time >= substr(:from, 1, 19) || 'Z'
    GROUP BY 1, 2
)
SELECT reason, COUNT(*) AS orders
FROM cancelled
WHERE at >= julianday(:from) AND at < julianday(:to)
GROUP BY 1
ORDER BY 2 DESC, 1
