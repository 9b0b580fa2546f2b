-- Dead letters the dlq service recorded, by queue and error. Recording
-- takes a message off its DLQ, so the record is where it sits.
SELECT queue, COALESCE(NULLIF(error, ''), 'unknown') AS error, COUNT(*) AS messages
FROM dlq_messages
WHERE julianday(received_at) >= julianday(:from) AND julianday(received_at) < julianday(:to)
GROUP BY 1, 2
ORDER BY 3 DESC, 1, 2
