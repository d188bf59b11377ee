/** Route table primitives shared by the OAuth, Sheets and control routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Area = 'oauth' | 'sheets' | 'control';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters, percent-decoded. */
  params: string[];
  /** Caller e-mail once authenticated (Sheets routes). */
  email?: string;
}

export interface Route {
  method: string;
  pattern: RegExp;
  area: Area;
  handler: (ctx: RequestContext) => Promise<void> | void;
}

export function route(
  method: string,
  pattern: string | RegExp,
  area: Area,
  handler: Route['handler'],
): Route {
  const regex =
    typeof pattern === 'string'
      ? new RegExp(`^${pattern.replace(/:[a-z]+/gi, '([^/]+)')}$`)
      : pattern;
  return { method, pattern: regex, area, handler };
}
