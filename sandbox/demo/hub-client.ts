/** The admin API as the bootstrap and the demo use it, and an OAuth consent as a browser does it. */
import type { SandboxUrls } from './sandbox-env';

export class HubClient {
  constructor(private readonly urls: SandboxUrls) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, headers = {}): Promise<T> {
    const res = await fetch(`${this.urls.hub}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.urls.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * start (admin) → the provider's consent page (auto-approved: a 302) → the hub's callback with
   * the browser's cookie. Returns the callback page's text.
   */
  async connect(startPath: string): Promise<string> {
    const start = await fetch(`${this.urls.hub}${startPath}`, {
      headers: { authorization: `Bearer ${this.urls.adminToken}` },
      redirect: 'manual',
    });
    const consentUrl = start.headers.get('location');
    if (start.status !== 302 || !consentUrl) {
      throw new Error(`${startPath}: ${start.status} ${await start.text()}`);
    }
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0];
    const consent = await fetch(consentUrl, { redirect: 'manual' });
    const back = consent.headers.get('location');
    if (consent.status !== 302 || !back) throw new Error(`consent: ${consent.status}`);
    // The callback names the public URL; the hub is the same process on its local port.
    const callback = new URL(back);
    const done = await fetch(`${this.urls.hub}${callback.pathname}${callback.search}`, {
      headers: { cookie },
    });
    const text = await done.text();
    if (!done.ok) throw new Error(`callback: ${done.status} ${text.slice(0, 300)}`);
    return text;
  }
}

/** A JSON call to an emulator's control or API routes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- emulator answers are read loosely
export async function emulator<T = Record<string, any>>(
  url: string,
  body?: unknown,
  method?: string,
): Promise<T> {
  const res = await fetch(url, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
