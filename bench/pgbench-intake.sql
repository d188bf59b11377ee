-- The database half of one webhook intake, as a pgbench custom script: the raw event row (same
-- columns and about the same sizes as the hub writes: ~330-byte raw_body, the kept headers as
-- jsonb, a unique provider_event_id) and its outbox row, in one transaction.
--
-- It is the floor the hub is compared against: it leaves out the hub's audit_log row of
-- INTAKE_SQL (src/webhooks/webhooks.service.ts), and it needs no JSON parse, signature check or
-- HTTP. Run by bench/ingest.ts as
--   pgbench -n -f bench/pgbench-intake.sql -c <C> -j 2 -T 15 -D seq=0 -D run=<hex> vpos_hub_bench
-- Every client keeps its own :seq, so run + client_id + seq is unique without a round trip.
\set seq :seq + 1
\set amount random(100000, 9999900)
BEGIN;
INSERT INTO webhook_events
  (provider, provider_event_id, webhook_id, event_type, claimed_order_id, claimed_payment_id,
   headers, raw_body)
VALUES ('vpos', 'evt_pgb-:run-:client_id-:seq', 'msg_pgb-:run-:client_id-:seq', 'payment.paid',
  'ord-pgb-:run-:client_id-:seq', 'ps_pgb-:run-:client_id-:seq',
  '{"webhook-id": "msg_pgb-:run-:client_id-:seq", "webhook-timestamp": "1764000000", "content-type": "application/json", "user-agent": "vpos-hub-bench/1"}'::jsonb,
  '{"id":"evt_pgb-:run-:client_id-:seq","type":"payment.paid","createdAt":"2026-11-24T10:00:00.000Z","data":{"id":"ps_pgb-:run-:client_id-:seq","merchantOrderId":"ord-pgb-:run-:client_id-:seq","amountMinor": :amount,"currency":"AMD","status":"paid","customer":{"phone":"+37491234567"},"metadata":{"crm":"bitrix24","customerId":"cus_1234"}}}')
RETURNING id \gset
INSERT INTO outbox (queue, job_name, job_id, payload)
VALUES ('payment-verification', 'verify-webhook', 'verify-:id',
  jsonb_build_object('webhookEventId', ':id'));
COMMIT;
