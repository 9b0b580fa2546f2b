-- Confirmed orders and their amounts per currency, in minor units.
WITH confirmed AS (
    SELECT json_extract(event, '$.detail.metadata.correlationId') AS order_id,
           json_extract(event, '$.detail.data.amount.currency') AS currency,
           json_extract(event, '$.detail.data.amount.minor') AS minor,
           MIN(julianday(json_extract(event, '$.detail.metadata.occurredAt'))) AS at
    FROM bus_archive
    WHERE source = 'shop.orders' AND detail_type = 'Order Confirmed'
    -- The archive's put time (whole seconds) is never before the event's
    -- occurredAt: events before the window's start second cannot end in
    -- it, and the time index skips them (a window's cost is its events').
    AND time >= substr(:from, 1, 19) || 'Z'
    GROUP BY 1, 2, 3
)
SELECT currency, COUNT(*) AS orders, SUM(minor) AS revenue_minor
FROM confirmed
WHERE at >= julianday(:from) AND at < julianday(:to)
GROUP BY 1
ORDER BY 1
