/** Small request/response helpers for the emulator's node:http server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readCommonBody, redirect as commonRedirect } from '../common/http-io';
import { EmulatorError } from './session-model';

const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return readCommonBody(
    req,
    MAX_BODY_BYTES,
    () => new EmulatorError(413, 'payload_too_large', 'request body exceeds 1 MiB'),
  );
}

/** Parsed JSON body; `undefined` for an empty body; 400 `invalid_json` when it does not parse. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EmulatorError(400, 'invalid_json', 'request body is not valid JSON');
  }
}

export { sendHtml, sendJson } from '../common/http-io';

/** The checkout answers a form POST with 303 See Other. */
export function redirect(res: ServerResponse, location: string): void {
  commonRedirect(res, location, 303);
}

export { headerValue as header } from '../common/http-io';
