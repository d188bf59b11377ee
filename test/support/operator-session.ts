import { randomUUID } from 'node:crypto';
import { adminHeaders, TestHub } from './test-hub';

export interface Answer {
  status: number;
  body: Record<string, unknown> & { message?: string };
}

export interface OperatorSession {
  id: string;
  cookie: string;
  csrf: string;
}

/** One JSON request; `body` undefined sends none. */
export async function call(
  hub: TestHub,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    redirect: 'manual',
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Answer['body'] };
  } catch {
    return { status: res.status, body: { text } };
  }
}

/** Creates the operator with the admin token and signs them in. */
export async function operatorSession(hub: TestHub, name: string): Promise<OperatorSession> {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.am`;
  const password = `${name} pass phrase`;
  const created = await call(hub, 'POST', '/api/operators', {
    headers: adminHeaders,
    body: { email, name, password },
  });
  if (created.status !== 201) throw new Error(`operator ${name}: ${JSON.stringify(created)}`);
  const res = await fetch(`${hub.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': randomUUID() },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in ${name}: ${res.status}`);
  const body = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return { id: String(created.body.id), cookie, csrf: body.csrfToken };
}

/** Headers of a request made with the session: with its CSRF token unless `csrf` is false. */
export const asOperator = (s: OperatorSession, csrf = true): Record<string, string> => ({
  cookie: s.cookie,
  ...(csrf ? { 'x-csrf-token': s.csrf } : {}),
});
