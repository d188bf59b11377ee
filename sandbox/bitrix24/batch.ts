/** `batch` (A6): up to 50 query-string commands, `halt`, `$result[key][field]` references. */
import { timeEnvelope } from './bitrix-time';
import type { CallContext, MethodResult, MethodSpec } from './method-types';
import {
  isPlainObject,
  param,
  parsePhpQuery,
  PhpMap,
  phpTrue,
  text,
  type Params,
} from './php-values';
import { batchLengthExceeded, batchMethodNotAllowed, RestError } from './rest-errors';

export const MAX_BATCH_LENGTH = 50;

export type Invoker = (method: string, params: Params, ctx: CallContext) => MethodResult;

interface BatchState {
  result: PhpMap;
  result_error: PhpMap;
  result_total: PhpMap;
  result_next: PhpMap;
  result_time: PhpMap;
}

const REFERENCE = /\$(result|result_total|result_next)((?:\[[^\]]*\])+)/g;

function lookup(state: BatchState, kind: string, path: string): unknown {
  const keys = [...path.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
  const source =
    kind === 'result_total'
      ? state.result_total
      : kind === 'result_next'
        ? state.result_next
        : state.result;
  let value: unknown = source.get(keys[0]);
  for (const key of keys.slice(1)) {
    if (Array.isArray(value)) value = value[Number(key)];
    else if (isPlainObject(value)) value = value[key];
    else return undefined;
  }
  return value;
}

/** Replaces references in every string value; a value that is only a reference keeps its type. */
function substitute(value: unknown, state: BatchState): unknown {
  if (typeof value === 'string') {
    const whole = new RegExp(`^${REFERENCE.source}$`).exec(value);
    if (whole) return lookup(state, whole[1], whole[2]) ?? '';
    return value.replace(REFERENCE, (_m, kind: string, path: string) => {
      const found = lookup(state, kind, path);
      return found === undefined || found === null || typeof found === 'object' ? '' : text(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, state));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, state)]));
  }
  return value;
}

function commands(raw: unknown): Array<[string, unknown]> {
  if (Array.isArray(raw)) return raw.map((v, i) => [String(i), v]);
  if (isPlainObject(raw)) return Object.entries(raw);
  return [];
}

export function createBatchMethod(invoke: Invoker): MethodSpec {
  return {
    run(params: Params, ctx: CallContext): MethodResult {
      const halt = phpTrue(param(params, 'halt'));
      const state: BatchState = {
        result: new PhpMap(),
        result_error: new PhpMap(),
        result_total: new PhpMap(),
        result_next: new PhpMap(),
        result_time: new PhpMap(),
      };
      let index = 0;
      for (const [key, command] of commands(param(params, 'cmd'))) {
        const started = Date.now();
        try {
          if (index++ >= MAX_BATCH_LENGTH) throw batchLengthExceeded();
          const commandText = text(command);
          const q = commandText.indexOf('?');
          const method = (q < 0 ? commandText : commandText.slice(0, q))
            .trim()
            .toLowerCase()
            .replace(/\.json$/, '');
          ctx.portal.counters.batchSubCalls += 1;
          if (method === 'batch') throw batchMethodNotAllowed();
          const subParams = substitute(
            parsePhpQuery(q < 0 ? '' : commandText.slice(q + 1)),
            state,
          ) as Params;
          delete subParams.auth;
          const out = invoke(method, subParams, ctx);
          state.result.set(key, out.result);
          if (out.total !== undefined) state.result_total.set(key, out.total);
          if (out.next !== undefined) state.result_next.set(key, out.next);
          state.result_time.set(key, timeEnvelope(started, Date.now()));
        } catch (error) {
          if (!(error instanceof RestError)) throw error;
          state.result_error.set(key, error.body());
          if (halt) break;
        }
      }
      return { result: state };
    },
  };
}
