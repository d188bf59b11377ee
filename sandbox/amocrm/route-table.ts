/** Route table primitives shared by the API and control routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Area = 'api' | 'oauth' | 'control';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  clientId?: string;
}

export interface Route {
  method: string;
  pattern: RegExp;
  area: Area;
  /** Bearer token required (API routes). */
  auth: boolean;
  handler: (ctx: RequestContext) => Promise<void> | void;
}

export function route(
  method: string,
  path: string,
  area: Area,
  handler: Route['handler'],
  auth = area === 'api',
): Route {
  const pattern = new RegExp(`^${path.replace(/:id/g, '(\\d+)').replace(/:[a-z]+/g, '([^/]+)')}$`);
  return { method, pattern, area, auth, handler };
}
