import type { AuditRecord } from '../audit/audit.service';
import type { DeliveryItemResult } from '../connectors/crm-connector';
import type { AttemptReport } from './delivery.dto';
import type { DeliveryStatus } from './delivery.entity';

/** The `delivery.attempt` audit row of one item of a connector call of `batchSize` items. */
export function attemptAudit(
  item: { id: string; orderId: string; attempts: number; event: { id: string } },
  result: DeliveryItemResult,
  status: DeliveryStatus,
  report: AttemptReport,
  batchSize: number,
): AuditRecord {
  return {
    kind: 'delivery.attempt',
    actor: 'delivery',
    orderId: item.orderId,
    eventId: item.event.id,
    data: {
      deliveryId: item.id,
      connectionId: report.connectionId,
      destination: report.destination,
      attempt: item.attempts,
      batchSize,
      durationMs: report.durationMs,
      outcome: status,
      ...(result.outcome === 'failed'
        ? {
            errorClass: result.error.kind,
            errorCode: result.error.code,
            error: result.error.message,
            httpStatus: result.error.httpStatus ?? null,
          }
        : {}),
      ...(result.outcome === 'delivered'
        ? { externalId: result.externalId ?? null, externalUrl: result.externalUrl ?? null }
        : {}),
      ...(result.outcome === 'skipped' ? { reason: result.reason } : {}),
    },
  };
}
