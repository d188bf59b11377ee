import request from 'supertest';
import {
  casesFor,
  FuzzCase,
  Operation,
  operations,
  Schema,
  SchemaSampler,
  seededRng,
  urlOf,
} from './support/openapi-fuzz';
import { startStack, Stack } from './support/stack';
import { adminHeaders } from './support/test-hub';

// FUZZ_SEED=<n> replays a run; the seed is in the test's name.
const SEED = Number(process.env.FUZZ_SEED ?? 1042);
const CONCURRENCY = 6;
const ORDER: Record<string, number> = { post: 0, get: 1, patch: 2, put: 2, delete: 3 };

interface Answer {
  status: number;
  body: { message?: unknown; errorId?: unknown; requestId?: unknown };
}

describe(`admin-input fuzz over the OpenAPI document (FUZZ_SEED=${SEED})`, () => {
  let stack: Stack;
  let doc: {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, Schema> };
  };
  beforeAll(async () => {
    stack = await startStack();
    doc = (await request(stack.hub.url).get('/docs-json')).body;
  });
  afterAll(() => stack?.close());

  it('every /api operation, body field, query and path parameter: no 5xx, refusals name the field', async () => {
    const rng = seededRng(SEED);
    const sampler = new SchemaSampler(doc.components.schemas, rng);
    let keys = 0;
    const send = async (c: FuzzCase): Promise<Answer> => {
      let req = request(stack.hub.url)
        [c.op.method as 'get'](urlOf(c))
        .set(adminHeaders)
        .set('x-actor', 'fuzz')
        .set('idempotency-key', `fuzz-${SEED}-${++keys}`);
      if (c.body !== undefined) {
        req = req.set('content-type', c.contentType ?? 'application/json').send(c.body);
      }
      const res = await req;
      return { status: res.status, body: (res.body ?? {}) as Answer['body'] };
    };

    // Ids and order ids for path parameters come from the list routes (read after the creates).
    const listed = async (path: string) => {
      const res = await request(stack.hub.url).get(path).set(adminHeaders);
      return Array.isArray(res.body) ? (res.body as Record<string, unknown>[]) : [];
    };
    const listPaths = () =>
      Object.keys(doc.paths).filter(
        (p) => p.startsWith('/api/') && !p.includes('{') && 'get' in doc.paths[p],
      );
    const pathValue = async (op: Operation, name: string): Promise<string> => {
      const sources =
        name === 'id' ? [op.path.slice(0, op.path.indexOf('/{id}'))] : listPaths().sort();
      for (const source of sources) {
        if (!(source in doc.paths)) continue;
        const found = (await listed(source)).find((item) => typeof item[name] === 'string');
        if (found) return encodeURIComponent(found[name] as string);
        if (name === 'id') {
          const first = (await listed(source))[0];
          if (typeof first?.id === 'string') return encodeURIComponent(first.id);
        }
      }
      return /id$/i.test(name) && name !== 'orderId' ? sampler.uuid() : `fz-${keys}`;
    };

    // A base body the hub accepts where the schema allows finding one: an optional property the
    // refusal names first is dropped, one at a time.
    const acceptedBase = async (op: Operation, pathValues: Record<string, string>) => {
      const base = sampler.sample(op.body) as Record<string, unknown>;
      const required = new Set(sampler.resolve(op.body).required ?? []);
      for (let i = 0; i < 8; i++) {
        const c = { op, label: 'base', pathValues, query: '', body: JSON.stringify(base) };
        const res = await send(c);
        const message = typeof res.body.message === 'string' ? res.body.message : '';
        const named = /^([\w.]+)/.exec(message)?.[1].split('.') ?? [];
        const parent = named
          .slice(0, -1)
          .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], base) as
          Record<string, unknown> | undefined;
        const key = named[named.length - 1];
        if (res.status < 400 || !parent || !key || !(key in parent)) break;
        if (named.length === 1 && required.has(key)) break;
        delete parent[key];
      }
      return base;
    };

    const failures: string[] = [];
    let sent = 0;
    const judge = (c: FuzzCase, res: Answer) => {
      const message = typeof res.body.message === 'string' ? res.body.message : '';
      const where = `${c.op.method.toUpperCase()} ${c.op.path} [${c.label}] → ${res.status} ${message.slice(0, 160)}`;
      if (res.status >= 500 || res.body.errorId !== undefined) return where;
      if (c.expect && (res.status !== c.expect.status || !message.startsWith(c.expect.message))) {
        return `${where} (expected ${c.expect.status} "${c.expect.message}…")`;
      }
      if (res.status === 400 || res.status === 422) {
        const names = new Set([
          ...c.op.params.map((p) => p.name),
          ...sampler.fieldPaths(c.op.body).flatMap((p) => p.split('.')),
          ...[...c.query.matchAll(/(?:^|&)([^=&[]+)/g)].map((m) => m[1]),
          'body',
          'path',
          'zzExtra',
          'Idempotency-Key',
        ]);
        const first = /^([^\s:.[]+)/.exec(message)?.[1];
        if (!first || !names.has(first)) return `${where} (does not start with a field name)`;
      }
      return undefined;
    };

    const ops = operations(doc).sort(
      (a, b) => ORDER[a.method] - ORDER[b.method] || a.path.localeCompare(b.path),
    );
    expect(ops.length).toBeGreaterThanOrEqual(15);
    for (const op of ops) {
      const pathValues: Record<string, string> = {};
      for (const p of op.params.filter((x) => x.in === 'path')) {
        pathValues[p.name] = await pathValue(op, p.name);
      }
      const base = op.body ? await acceptedBase(op, pathValues) : undefined;
      const cases = casesFor(op, sampler, base, pathValues);
      for (let i = 0; i < cases.length; i += CONCURRENCY) {
        const batch = cases.slice(i, i + CONCURRENCY);
        const answers = await Promise.all(batch.map(send));
        batch.forEach((c, j) => {
          const problem = judge(c, answers[j]);
          if (problem) failures.push(problem);
        });
        sent += batch.length;
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
  }, 110_000);
});
