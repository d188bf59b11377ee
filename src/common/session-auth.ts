import type { Request } from 'express';

export const SESSION_COOKIE = 'vposhub_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface SignedInOperator {
  id: string;
  email: string;
  name: string;
  sessionId: string;
}

/** Implemented by the operators module; the guard in common/ only knows this interface. */
export interface SessionAuthenticator {
  authenticate(token: string): Promise<SignedInOperator | null>;
  csrfMatches(token: string, presented: string): boolean;
}

export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');

const OPERATOR = Symbol('operator');
type WithOperator = Request & { [OPERATOR]?: SignedInOperator };

export function setOperator(req: Request, operator: SignedInOperator): void {
  (req as WithOperator)[OPERATOR] = operator;
}

export function operatorOf(req: Request): SignedInOperator | undefined {
  return (req as WithOperator)[OPERATOR];
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers?.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
