/** The emulated account's data: users, pipelines, custom fields, tags, leads and notes. */
import { HttpError, problem } from './http-io';
import {
  LOST_STATUS_ID,
  WON_STATUS_ID,
  prepareLead,
  prepareNote,
  validationFailure,
  type ItemErrors,
  type LeadContext,
} from './lead-input';
import type {
  AmoAccount,
  AmoAccountInput,
  AmoCustomField,
  AmoCustomFieldInput,
  AmoCustomFieldType,
  AmoLead,
  AmoNote,
  AmoPipeline,
  AmoPipelineInput,
  AmoTag,
} from './amocrm-types';

export const MAX_BATCH = 250;

const FIELD_TYPES: readonly AmoCustomFieldType[] = [
  'text',
  'textarea',
  'numeric',
  'price',
  'checkbox',
  'select',
  'multiselect',
  'radiobutton',
  'date',
  'date_time',
  'birthday',
  'url',
  'streetaddress',
  'tracking_data',
];
const ENUM_TYPES = new Set<AmoCustomFieldType>(['select', 'multiselect', 'radiobutton']);
const STATUS_COLORS = ['#99ccff', '#ffff99', '#ffcc66', '#deff81', '#87f2c0', '#fffeb2'];

export class CrmStore {
  account!: AmoAccount;
  pipelines: AmoPipeline[] = [];
  fields: AmoCustomField[] = [];
  tags: AmoTag[] = [];
  readonly leads = new Map<number, AmoLead>();
  readonly notes = new Map<number, AmoNote>();
  private ids = { pipeline: 0, status: 0, field: 0, enum: 0, tag: 0, lead: 0, note: 0 };
  onLeadWritten?: (lead: AmoLead, previous?: AmoLead) => void;

  constructor(private readonly nowSec: () => number) {}

  /** Replaces everything with a fresh account: one main pipeline, no fields, leads or notes. */
  createAccount(input: AmoAccountInput = {}): AmoAccount {
    this.ids = {
      pipeline: 7_000_000,
      status: 60_000_000,
      field: 500_000,
      enum: 800_000,
      tag: 100_000,
      lead: 20_000_000,
      note: 30_000_000,
    };
    const users = input.users?.length
      ? input.users.map((u) => ({ ...u }))
      : [{ id: 8_000_001, name: 'Emulator Admin', email: 'admin@example.com' }];
    const currentUser = input.current_user_id ?? users[0].id;
    if (!users.some((u) => u.id === currentUser)) throw new Error('current_user_id is not a user');
    this.account = {
      id: input.id ?? 31_000_001,
      name: input.name ?? 'Emulated account',
      subdomain: input.subdomain ?? 'emulator',
      currency: input.currency ?? 'RUB',
      currency_symbol: input.currency_symbol ?? '₽',
      country: input.country ?? 'RU',
      current_user_id: currentUser,
      created_at: this.nowSec(),
      users,
    };
    this.pipelines = [];
    this.fields = [];
    this.tags = [];
    this.leads.clear();
    this.notes.clear();
    this.createPipeline({
      name: 'Воронка',
      is_main: true,
      statuses: [
        { name: 'Первичный контакт' },
        { name: 'Переговоры' },
        { name: 'Принимают решение' },
      ],
    });
    return this.account;
  }

  createPipeline(input: AmoPipelineInput): AmoPipeline {
    if (!input.name) throw new Error('a pipeline needs a name');
    const id = input.id ?? (this.ids.pipeline += 1);
    if (this.pipelines.some((p) => p.id === id)) throw new Error(`pipeline ${id} exists`);
    const isMain = input.is_main ?? this.pipelines.length === 0;
    if (isMain) this.pipelines.forEach((p) => (p.is_main = false));
    const open = input.statuses?.length ? input.statuses : [{ name: 'Первичный контакт' }];
    const status = (statusId: number, name: string, color: string, type: 0 | 1, sort: number) => ({
      id: statusId,
      name,
      sort,
      is_editable: type === 0 && statusId !== WON_STATUS_ID && statusId !== LOST_STATUS_ID,
      pipeline_id: id,
      color,
      type,
    });
    const pipeline: AmoPipeline = {
      id,
      name: input.name,
      sort: (this.pipelines.length + 1) * 10,
      is_main: isMain,
      is_unsorted_on: true,
      is_archive: false,
      statuses: [
        status((this.ids.status += 1), 'Неразобранное', '#c1c1c1', 1, 10),
        ...open.map((s, i) =>
          status(
            s.id ?? (this.ids.status += 1),
            s.name,
            s.color ?? STATUS_COLORS[i % 6],
            0,
            (i + 2) * 10,
          ),
        ),
        status(WON_STATUS_ID, 'Успешно реализовано', '#CCFF66', 0, 10_000),
        status(LOST_STATUS_ID, 'Закрыто и не реализовано', '#D5D8DB', 0, 11_000),
      ],
    };
    this.pipelines.push(pipeline);
    return pipeline;
  }

  /** Throws a plain Error (for controls); the API route turns it into validation errors. */
  createCustomField(input: AmoCustomFieldInput): AmoCustomField {
    if (typeof input.name !== 'string' || input.name.trim() === '') {
      throw new Error('name: This value should not be blank.');
    }
    if (!FIELD_TYPES.includes(input.type))
      throw new Error(`type: unsupported type ${String(input.type)}`);
    const code = input.code ? input.code.toUpperCase() : null;
    if (code && this.fields.some((f) => f.code === code)) throw new Error(`code: ${code} is taken`);
    if (ENUM_TYPES.has(input.type) && !input.enums?.length) throw new Error('enums: required');
    const id = input.id ?? (this.ids.field += 1);
    if (this.fields.some((f) => f.id === id)) throw new Error(`id: field ${id} exists`);
    const field: AmoCustomField = {
      id,
      name: input.name,
      type: input.type,
      code,
      sort: input.sort ?? 500 + this.fields.length,
      is_api_only: input.is_api_only ?? false,
      enums: ENUM_TYPES.has(input.type)
        ? (input.enums ?? []).map((e, i) => ({
            id: e.id ?? (this.ids.enum += 1),
            value: e.value,
            sort: e.sort ?? (i + 1) * 500,
          }))
        : null,
    };
    this.fields.push(field);
    return field;
  }

  private context(): LeadContext {
    return {
      pipelines: this.pipelines,
      fields: this.fields,
      users: this.account.users,
      tags: this.tags,
      ensureTag: (name) => {
        const found = this.tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
        if (found) return found;
        const tag = { id: (this.ids.tag += 1), name, color: null };
        this.tags.push(tag);
        return tag;
      },
      nowSec: this.nowSec,
    };
  }

  private blankLead(): AmoLead {
    const now = this.nowSec();
    const user = this.account.current_user_id;
    return {
      id: 0,
      name: '',
      price: 0,
      responsible_user_id: user,
      group_id: 0,
      status_id: 0,
      pipeline_id: 0,
      loss_reason_id: null,
      source_id: null,
      created_by: user,
      updated_by: user,
      created_at: now,
      updated_at: now,
      closed_at: null,
      closest_task_at: null,
      is_deleted: false,
      custom_fields_values: null,
      score: null,
      account_id: this.account.id,
      labor_cost: null,
      is_price_modified_by_robot: false,
      tags: [],
    };
  }

  /** POST /api/v4/leads: all or nothing. */
  addLeads(body: unknown): Array<{ lead: AmoLead; requestId: string }> {
    const items = batch(body);
    const ctx = this.context();
    const prepared = items.map((raw, i) => prepareLead(raw, i, ctx, undefined));
    failOnErrors(prepared);
    return prepared.map((p) => {
      const lead = this.blankLead();
      lead.id = this.ids.lead += 1;
      p.apply(lead);
      if (lead.name === '') lead.name = `Сделка #${lead.id}`;
      this.leads.set(lead.id, lead);
      this.onLeadWritten?.(lead);
      return { lead, requestId: p.requestId };
    });
  }

  /** PATCH /api/v4/leads (array with ids) or /api/v4/leads/{id} (one object). */
  updateLeads(body: unknown, singleId?: number): Array<{ lead: AmoLead; requestId: string }> {
    if (singleId !== undefined && !this.leads.has(singleId)) {
      throw problem(404, 'Not Found', 'Lead not found');
    }
    const items = singleId === undefined ? batch(body) : [body];
    const ctx = this.context();
    const prepared = items.map((raw, i) => {
      const id = singleId ?? (raw as { id?: unknown } | null)?.id;
      const lead = typeof id === 'number' ? this.leads.get(id) : undefined;
      const result = prepareLead(raw, i, ctx, lead);
      if (!lead) {
        const code = id === undefined ? 'NotBlank' : 'NotSupportedChoice';
        result.errors.unshift({ code, path: 'id', detail: 'Lead not found.' });
      }
      return { result, lead };
    });
    failOnErrors(prepared.map((p) => p.result));
    return prepared.map(({ result, lead }) => {
      const target = lead as AmoLead;
      const copy = structuredClone(target);
      result.apply(copy);
      if (copy.updated_by === target.updated_by) copy.updated_by = this.account.current_user_id;
      this.leads.set(copy.id, copy);
      this.onLeadWritten?.(copy, target);
      return { lead: copy, requestId: result.requestId };
    });
  }

  /** POST /api/v4/leads/notes or /api/v4/leads/{id}/notes. */
  addNotes(body: unknown, leadId?: number): Array<{ note: AmoNote; requestId: string }> {
    if (leadId !== undefined && !this.leads.has(leadId)) {
      throw problem(404, 'Not Found', 'Lead not found');
    }
    const items = batch(body);
    const prepared = items.map((raw, i) =>
      prepareNote(raw, i, leadId, (id) => this.leads.has(id), this.account.users),
    );
    failOnErrors(prepared);
    const now = this.nowSec();
    const user = this.account.current_user_id;
    return prepared.map(({ draft, requestId }) => {
      const d = draft as NonNullable<typeof draft>;
      const note: AmoNote = {
        id: (this.ids.note += 1),
        entity_id: d.entity_id,
        created_by: d.created_by ?? user,
        updated_by: d.created_by ?? user,
        created_at: now,
        updated_at: now,
        responsible_user_id: d.responsible_user_id ?? user,
        group_id: 0,
        note_type: d.note_type,
        params: structuredClone(d.params),
        account_id: this.account.id,
        is_need_to_trigger_digital_pipeline: false,
      };
      this.notes.set(note.id, note);
      return { note, requestId };
    });
  }
}

function batch(body: unknown): unknown[] {
  if (!Array.isArray(body)) {
    throw validationFailure([
      {
        request_id: '0',
        errors: [{ code: 'InvalidType', path: '', detail: 'This value should be of type array.' }],
      },
    ]);
  }
  if (body.length === 0) {
    throw validationFailure([
      {
        request_id: '0',
        errors: [{ code: 'NotBlank', path: '', detail: 'This value should not be blank.' }],
      },
    ]);
  }
  if (body.length > MAX_BATCH) {
    throw new HttpError(400, {
      title: 'Bad Request',
      type: 'https://httpstatus.es/400',
      status: 400,
      detail: `Too many entities in one request: at most ${MAX_BATCH}`,
    });
  }
  return body;
}

function failOnErrors(items: Array<{ requestId: string; errors: ItemErrors['errors'] }>): void {
  const failed = items
    .filter((p) => p.errors.length > 0)
    .map((p): ItemErrors => ({ request_id: p.requestId, errors: p.errors }));
  if (failed.length > 0) throw validationFailure(failed);
}
