import createClient from 'openapi-fetch';
import type { paths } from './api';

let csrf = '';
let onSignedOut: () => void = () => undefined;

export const setCsrf = (token: string) => (csrf = token);
export const whenSignedOut = (fn: () => void) => (onSignedOut = fn);

/** The hub's /api, typed from its OpenAPI document (admin/src/api.d.ts). */
export const api = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });

api.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && csrf) request.headers.set('X-CSRF-Token', csrf);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith('/api/session')) onSignedOut();
    return response;
  },
});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body of a 2xx answer, or an ApiError carrying the hub's message. */
export async function ok<T>(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const message = (error as { message?: string } | undefined)?.message ?? response.statusText;
    throw new ApiError(response.status, message);
  }
  return data as T;
}
