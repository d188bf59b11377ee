/** One Bitrix24 portal: users, pipelines and stages, deal user fields, webhooks, data, counters. */
import { randomBytes } from 'node:crypto';
import { formatDateTime } from './bitrix-time';
import { LeakyBucket } from './limits';
import type {
  Category,
  CategoryOptions,
  CommentRow,
  DealRow,
  PortalCounters,
  PortalOptions,
  PortalUser,
  Stage,
  StatusItem,
  UserField,
  UserFieldOptions,
  Webhook,
  WebhookOptions,
} from './portal-types';

const DEFAULT_STAGES: Array<Omit<Stage, 'rowId'>> = [
  ['NEW', 'New', 10, 'P', 'process', '#39A8EF', true],
  ['PREPARATION', 'Document preparation', 20, 'P', 'process', '#2FC6F6', false],
  ['PREPAYMENT_INVOICE', 'Prepayment invoice', 30, 'P', 'process', '#55D0E0', false],
  ['EXECUTING', 'In progress', 40, 'P', 'process', '#47E4C2', false],
  ['FINAL_INVOICE', 'Final invoice', 50, 'P', 'process', '#FFA900', false],
  ['WON', 'Deal successful', 60, 'S', 'success', '#7BD500', true],
  ['LOSE', 'Deal failed', 70, 'F', 'failure', '#FF5752', true],
  ['APOLOGY', 'Failure reason analysis', 80, 'F', 'apology', '#FF5752', false],
].map(([statusId, name, sort, semantics, extraSemantics, color, system]) => ({
  statusId,
  name,
  sort,
  semantics,
  extraSemantics,
  color,
  system,
})) as Array<Omit<Stage, 'rowId'>>;

const SOURCES: Array<[string, string]> = [
  ['CALL', 'Call'],
  ['EMAIL', 'E-Mail'],
  ['WEB', 'Website'],
  ['ADVERTISING', 'Advertising'],
  ['PARTNER', 'Existing client'],
  ['RECOMMENDATION', 'By recommendation'],
  ['TRADE_SHOW', 'Show/Exhibition'],
  ['WEBFORM', 'CRM form'],
  ['CALLBACK', 'Callback'],
  ['RC_GENERATOR', 'Sales boost'],
  ['STORE', 'Online store'],
  ['OTHER', 'Other'],
];

const DEAL_TYPES: Array<[string, string]> = [
  ['SALE', 'Sales'],
  ['COMPLEX', 'Integrated sale'],
  ['GOODS', 'Merchandise sales'],
  ['SERVICES', 'Service sales'],
  ['SERVICE', 'After-sales service'],
];

export function emptyCounters(): PortalCounters {
  return {
    requests: 0,
    rejectedByBucket: 0,
    faultsInjected: 0,
    authFailures: 0,
    batchSubCalls: 0,
    byMethod: {},
  };
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function parseScope(scope: string[] | string | undefined, fallback: string[]): string[] {
  if (scope === undefined) return fallback;
  const list = Array.isArray(scope) ? scope : scope.split(',');
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

export class Portal {
  readonly name: string;
  readonly memberId: string;
  readonly users: PortalUser[];
  readonly currencies: string[];
  readonly baseCurrency: string;
  readonly categories = new Map<number, Category>();
  readonly userFields = new Map<string, UserField>();
  readonly webhooks = new Map<string, Webhook>();
  readonly statusItems: StatusItem[] = [];
  readonly deals = new Map<number, DealRow>();
  readonly comments = new Map<number, CommentRow>();
  counters = emptyCounters();
  bucket: LeakyBucket;
  nextDealId = 1;
  nextCommentId = 1;
  private nextRowId = 1;
  private nextUserFieldId = 1;

  constructor(
    readonly options: PortalOptions,
    bucket: { capacity: number; drainPerSecond: number },
    private readonly now: () => number,
  ) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(options.name)) {
      throw new Error(`portal name "${options.name}" must match [a-z0-9][a-z0-9-]*`);
    }
    this.name = options.name;
    this.memberId = options.memberId ?? randomHex(16);
    this.users = (options.users ?? [{ id: 1 }]).map((u) => ({
      id: u.id,
      name: u.name ?? 'Admin',
      lastName: u.lastName ?? 'Emulator',
      email: u.email ?? `user${u.id}@${options.name}.example`,
      admin: u.admin ?? u.id === 1,
    }));
    this.currencies = options.currencies ?? ['AMD', 'USD', 'EUR', 'RUB', 'KZT', 'BYN', 'UAH'];
    this.baseCurrency = options.baseCurrency ?? 'USD';
    this.bucket = new LeakyBucket(bucket.capacity, bucket.drainPerSecond, now());
    this.addCategory({ id: 0, name: 'General', sort: 300 });
    for (const [statusId, name] of SOURCES) this.addStatusItem('SOURCE', statusId, name);
    for (const [statusId, name] of DEAL_TYPES) this.addStatusItem('DEAL_TYPE', statusId, name);
    for (const category of options.categories ?? []) this.addCategory(category);
    for (const field of options.userFields ?? []) this.addUserField(field);
    for (const hook of options.webhooks ?? []) this.addWebhook(hook);
  }

  addCategory(options: CategoryOptions): Category {
    const id = options.id ?? Math.max(0, ...this.categories.keys()) + 1;
    if (!Number.isInteger(id) || id < 0) throw new Error('category id must be an integer >= 0');
    if (this.categories.has(id)) throw new Error(`category ${id} already exists`);
    const prefix = id === 0 ? '' : `C${id}:`;
    const withPrefix = (statusId: string): string =>
      prefix === '' || statusId.startsWith(prefix) ? statusId : `${prefix}${statusId}`;
    let specs: Array<Omit<Stage, 'rowId'>> = DEFAULT_STAGES;
    if (options.stages !== undefined && options.stages.length > 0) {
      specs = options.stages.map((s, i) => {
        const semantics = s.semantics ?? 'P';
        return {
          statusId: s.statusId,
          name: s.name,
          sort: s.sort ?? (i + 1) * 10,
          semantics,
          extraSemantics: semantics === 'S' ? 'success' : semantics === 'F' ? 'failure' : 'process',
          color:
            s.color ?? (semantics === 'S' ? '#7BD500' : semantics === 'F' ? '#FF5752' : '#39A8EF'),
          system: false,
        };
      });
      const maxSort = Math.max(...specs.map((s) => s.sort));
      if (!specs.some((s) => s.semantics === 'S')) {
        specs.push({ ...DEFAULT_STAGES[5], sort: maxSort + 10 });
      }
      if (!specs.some((s) => s.semantics === 'F')) {
        specs.push({ ...DEFAULT_STAGES[6], sort: maxSort + 20 });
      }
    }
    const stages = specs
      .map((s) => ({ ...s, statusId: withPrefix(s.statusId), rowId: this.nextRowId++ }))
      .sort((a, b) => a.sort - b.sort);
    const category: Category = {
      id,
      name: options.name,
      sort: options.sort ?? 500,
      createdDate: formatDateTime(this.now()),
      stages,
    };
    this.categories.set(id, category);
    return category;
  }

  addUserField(options: UserFieldOptions): UserField {
    const bare = options.fieldName
      .trim()
      .toUpperCase()
      .replace(/^UF_CRM_/, '');
    if (!/^[A-Z0-9_]+$/.test(bare)) throw new Error('user field name must be [A-Z0-9_]');
    const fieldName = `UF_CRM_${bare}`;
    if (this.userFields.has(fieldName)) throw new Error(`${fieldName} already exists`);
    const field: UserField = {
      id: this.nextUserFieldId++,
      fieldName,
      userTypeId: options.userTypeId ?? 'string',
      mandatory: options.mandatory ?? false,
      multiple: options.multiple ?? false,
      label: options.label ?? fieldName,
    };
    this.userFields.set(fieldName, field);
    return field;
  }

  addWebhook(options: WebhookOptions): Webhook {
    const userId = options.userId ?? this.users[0].id;
    if (!this.users.some((u) => u.id === userId)) throw new Error(`no user ${userId} on portal`);
    const expiresAt =
      options.expiresAt === undefined ? undefined : new Date(options.expiresAt).getTime();
    const hook: Webhook = {
      userId,
      code: options.code ?? randomHex(8),
      scope: parseScope(options.scope, ['crm', 'user']),
      expiresAt,
    };
    if (!/^[A-Za-z0-9]+$/.test(hook.code)) throw new Error('webhook code must be alphanumeric');
    this.webhooks.set(hook.code, hook);
    return hook;
  }

  /** The pipeline and stage of a STAGE_ID, if it exists. */
  findStage(statusId: string): { category: Category; stage: Stage } | undefined {
    for (const category of this.categories.values()) {
      const stage = category.stages.find((s) => s.statusId === statusId);
      if (stage) return { category, stage };
    }
    return undefined;
  }

  user(id: number): PortalUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** Drops deals, comments, counters and the bucket level; keeps configuration. */
  clearData(): void {
    this.deals.clear();
    this.comments.clear();
    this.nextDealId = 1;
    this.nextCommentId = 1;
    this.counters = emptyCounters();
    this.bucket.set(0, this.now());
  }

  private addStatusItem(entityId: string, statusId: string, name: string): void {
    const sort = (this.statusItems.filter((s) => s.entityId === entityId).length + 1) * 10;
    this.statusItems.push({ rowId: this.nextRowId++, entityId, statusId, name, sort });
  }
}
