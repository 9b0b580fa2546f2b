-- Dead letters by queue and error; the twin of sql/sqlite/dead-letters.sql.
-- DlqTable's stream reaches the lake through DeadLetterPipe as
-- "Dead Letter Recorded" records of source ordersaga.dlq.
-- Bound: from, to (partition dates), from, to.
WITH letters AS (
    SELECT json_extract_scalar(detail, '$.queue') AS queue,
           json_extract_scalar(detail, '$.messageId') AS message_id,
           COALESCE(NULLIF(json_extract_scalar(detail, '$.error'), ''), 'unknown') AS error,
           MIN(from_iso8601_timestamp(json_extract_scalar(detail, '$.receivedAt'))) AS at
    FROM events
    WHERE event_source = 'ordersaga.dlq' AND event_type = 'dead-letter-recorded'
      AND dt BETWEEN substr(?, 1, 10) AND date_format(from_iso8601_timestamp(?) + INTERVAL '1' DAY, '%Y-%m-%d')
    GROUP BY 1, 2, 3
)
SELECT queue, error, COUNT(*) AS messages
FROM letters
WHERE at >= from_iso8601_timestamp(?) AND at < from_iso8601_timestamp(?)
GROUP BY 1, 2
ORDER BY 3 DESC, 1, 2
