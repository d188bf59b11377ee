import { classifyHttpError } from '../../common/errors';
import { ConnectorError, DeliveryItem, DeliveryItemResult } from '../crm-connector';
import type { AmocrmClient } from './amocrm.client';
import * as creates from './amocrm.creates';
import { AmocrmValidationError } from './amocrm.errors';
import { leadByOrderId, leadsById, leadsByOrderIds, notedMarkers } from './amocrm.lookup';
import {
  LeadInput,
  leadIdOf,
  leadPatch,
  mergePatches,
  newLeadBody,
  noteMarker,
  noteText,
} from './amocrm.mapper';
import type { AmocrmSettings } from './amocrm.settings';
import type { AmoLead, AmoSaved } from './amocrm.types';

// Read before any search: amoCRM's `query` index can lag seconds behind a create.
export interface LeadRecords {
  read(orderIds: string[]): Promise<Map<string, number>>;
  write(leads: Array<{ orderId: string; leadId: number }>): Promise<void>;
  /** Creates sent and never recorded, with when they were sent. */
  inDoubt(orderIds: string[]): Promise<Map<string, Date>>;
  /** The orders this attempt may create: no lead recorded, no other create sent within `freshMs`. */
  creating(
    orderIds: string[],
    freshMs: number,
    stale: ReadonlyMap<string, number>,
  ): Promise<Set<string>>;
}

const NO_RECORDS: LeadRecords = {
  read: () => Promise.resolve(new Map()),
  write: () => Promise.resolve(),
  inDoubt: () => Promise.resolve(new Map()),
  creating: (orderIds) => Promise.resolve(new Set(orderIds)),
};

export interface Work {
  item: DeliveryItem;
  input: LeadInput;
  lead?: AmoLead;
  leadId?: number;
  created?: boolean;
  noted?: boolean;
  error?: ConnectorError;
}

export class LeadBatch {
  /** Lead ids recorded before this attempt; one the account no longer has may be made again. */
  private recorded = new Map<string, number>();

  constructor(
    private readonly client: AmocrmClient,
    private readonly settings: AmocrmSettings,
    private readonly work: Work[],
    private readonly records: LeadRecords = NO_RECORDS,
  ) {}

  async run(): Promise<DeliveryItemResult[]> {
    await this.findLeads();
    await this.createLeads();
    await this.updateLeads();
    await this.addNotes();
    return this.work.map((w): DeliveryItemResult => {
      if (w.error) return { deliveryId: w.item.deliveryId, outcome: 'failed', error: w.error };
      return {
        deliveryId: w.item.deliveryId,
        outcome: 'delivered',
        externalId: String(w.leadId),
        externalUrl: `${this.client.baseUrl}/leads/detail/${w.leadId}`,
        ...(w.created ? { detail: 'lead created' } : w.noted ? { detail: 'note existed' } : {}),
      };
    });
  }

  private async findLeads() {
    const recorded = await this.records.read([...new Set(this.work.map(orderOf))]);
    this.recorded = recorded;
    const wanted = (w: Work) => leadIdOf(w.item.event) ?? recorded.get(orderOf(w));
    const withId = this.work.filter((w) => wanted(w) !== undefined);
    await guard(withId, this.work, async () => {
      const found = await leadsById(
        this.client,
        withId.map((w) => wanted(w)!),
      );
      for (const w of withId) w.lead = found.get(wanted(w)!);
    });
    const fieldId = this.settings.orderIdField;
    const unknown = live(this.work).filter((x) => !x.lead && fieldId !== undefined);
    let searchMisses = true;
    if (unknown.length > 1) {
      try {
        const orders = unknown.map((w) => w.item.event.orderId);
        const { found, honoured } = await leadsByOrderIds(this.client, fieldId!, orders);
        for (const w of unknown) w.lead = found.get(w.item.event.orderId);
        searchMisses = !honoured;
      } catch (err) {
        // Refused outright (an account without the filter): search one by one as before.
        if (asConnectorError(err).kind !== 'permanent') fail(unknown, this.work, err);
      }
    }
    for (const w of live(unknown).filter((x) => !x.lead && searchMisses)) {
      await guard([w], this.work, async () => {
        w.lead = await leadByOrderId(this.client, fieldId!, orderOf(w));
      });
    }
    await this.findDoubtful();
    for (const w of this.work) if (w.lead) w.leadId = w.lead.id;
    await this.remember(
      this.work.filter((w) => w.leadId !== undefined && recorded.get(orderOf(w)) !== w.leadId),
    );
  }

  // A lost create answer: the search index may not show that lead yet, the created_at filter does.
  private async findDoubtful() {
    const fieldId = this.settings.orderIdField;
    const unfound = live(this.work).filter((w) => !w.lead);
    if (fieldId === undefined || unfound.length === 0) return;
    const doubts = await this.records.inDoubt([...new Set(unfound.map(orderOf))]);
    const doubtful = unfound.filter((w) => doubts.has(orderOf(w)));
    await guard(doubtful, this.work, async () => {
      const { found, waiting } = await creates.resolveDoubts(this.client, fieldId, doubts);
      for (const w of doubtful) {
        w.lead = found.get(orderOf(w));
        w.error ??= waiting.get(orderOf(w));
      }
    });
  }

  private remember(works: Work[]): Promise<void> {
    if (works.length === 0) return Promise.resolve();
    return this.records.write(works.map((w) => ({ orderId: orderOf(w), leadId: w.leadId! })));
  }

  private async createLeads() {
    const missing = live(this.work).filter((w) => w.leadId === undefined);
    if (!this.settings.createLeads) {
      for (const w of missing) w.error = creates.noLead(w.item.event, this.settings);
      return;
    }
    // A worker whose lease ran out may be creating the same leads: the record decides.
    const mine = await this.records.creating(
      missing.map(orderOf),
      creates.settleMs(this.client),
      this.recorded,
    );
    // Not its lead to use yet either: the other attempt may still be writing its note.
    for (const w of missing.filter((x) => !mine.has(orderOf(x)))) {
      w.error = creates.inDoubt(orderOf(w), 'another attempt has sent it', creates.OTHER_RETRY_MS);
    }
    await sendBatch(
      live(missing).filter((w) => mine.has(orderOf(w))),
      this.work,
      async (batch) => {
        const saved = await this.client.post<AmoSaved>(
          '/api/v4/leads',
          batch.map((w, i) => newLeadBody(w.input, this.settings, String(i))),
        );
        const byRequest = new Map(
          (saved?._embedded?.leads ?? []).map((l) => [String(l.request_id), l.id]),
        );
        batch.forEach((w, i) => {
          w.leadId = byRequest.get(String(i));
          w.created = w.leadId !== undefined;
          if (!w.created) w.error = badAnswer('POST /api/v4/leads answered without the new lead');
        });
        // Recorded before anything else can fail, so a retry finds the lead without the search.
        await this.remember(batch.filter((w) => w.created));
      },
    );
  }

  private async updateLeads() {
    // Two orders of one batch may name the same lead: one merged PATCH item per lead.
    const byLead = new Map<number, { works: Work[]; patch: Record<string, unknown> }>();
    for (const w of live(this.work)) {
      if (!w.lead) continue;
      const patch = leadPatch(w.lead, w.input, this.settings);
      if (!patch) continue;
      const entry = byLead.get(w.lead.id) ?? { works: [], patch: {} };
      entry.works.push(w);
      entry.patch = mergePatches(entry.patch, patch);
      byLead.set(w.lead.id, entry);
    }
    const groups = [...byLead.values()];
    await sendBatch(
      groups.flatMap((g) => g.works),
      this.work,
      async (batch) => {
        const sent = groups.filter((g) => g.works.some((w) => batch.includes(w)));
        await this.client.patch(
          '/api/v4/leads',
          sent.map((g, i) => ({ ...g.patch, request_id: String(i) })),
        );
      },
      (batch, requestId) => {
        const sent = groups.filter((g) => g.works.some((w) => batch.includes(w)));
        return sent[Number(requestId)]?.works ?? [];
      },
    );
  }

  private async addNotes() {
    // Above attempt 1 an earlier try may have written the note: look for its marker first.
    const retried = live(this.work).filter((w) => w.item.attempt > 1 && !w.created);
    await guard(retried, this.work, async () => {
      const found = await notedMarkers(
        this.client,
        retried.map((w) => w.leadId!),
        retried.map((w) => noteMarker(w.item.event.id)),
      );
      for (const w of retried) w.noted = found.has(noteMarker(w.item.event.id));
    });
    await sendBatch(
      live(this.work).filter((w) => !w.noted),
      this.work,
      async (batch) => {
        await this.client.post(
          '/api/v4/leads/notes',
          batch.map((w, i) => ({
            entity_id: w.leadId,
            note_type: 'common',
            params: { text: noteText(w.input) },
            request_id: String(i),
          })),
        );
      },
    );
  }
}

function orderOf(w: Work): string {
  return w.item.event.orderId;
}

function live(work: Work[]): Work[] {
  return work.filter((w) => !w.error);
}

export function asConnectorError(err: unknown): ConnectorError {
  return err instanceof ConnectorError
    ? err
    : ConnectorError.from('amocrm', classifyHttpError('amocrm', err));
}

async function guard(targets: Work[], all: Work[], fn: () => Promise<void>): Promise<void> {
  if (targets.length === 0) return;
  try {
    await fn();
  } catch (err) {
    fail(targets, all, err);
  }
}

function fail(targets: Work[], all: Work[], err: unknown): void {
  const e = asConnectorError(err);
  for (const w of e.kind === 'auth' ? live(all) : targets) w.error ??= e;
}

// amoCRM refuses a batch all or nothing: the items it names fail, the rest is sent once more.
async function sendBatch(
  targets: Work[],
  all: Work[],
  send: (batch: Work[]) => Promise<void>,
  itemsOf: (batch: Work[], requestId: string) => Work[] = (batch, id) =>
    batch[Number(id)] ? [batch[Number(id)]] : [],
): Promise<void> {
  if (targets.length === 0) return;
  try {
    await send(targets);
    return;
  } catch (err) {
    if (!(err instanceof AmocrmValidationError)) {
      fail(targets, all, err);
      return;
    }
    const refused = new Set<Work>();
    for (const v of err.items) {
      for (const w of itemsOf(targets, v.requestId)) {
        refused.add(w);
        w.error = new ConnectorError(
          'amocrm',
          'permanent',
          'VALIDATION',
          `amocrm: HTTP 400: ${v.messages.join(', ')}`,
          400,
        );
      }
    }
    if (refused.size === 0) {
      for (const w of targets) w.error ??= err;
      return;
    }
    const rest = targets.filter((w) => !refused.has(w));
    await guard(rest, all, () => send(rest));
  }
}

function badAnswer(message: string): ConnectorError {
  return new ConnectorError('amocrm', 'retryable', 'BAD_ANSWER', `amocrm: ${message}`);
}
