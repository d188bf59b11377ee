import axios, { AxiosInstance } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

export function createHttpClient(opts: {
  baseURL: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}): AxiosInstance {
  return axios.create({
    baseURL: opts.baseURL,
    timeout: opts.timeoutMs,
    headers: { 'user-agent': 'vpos-crm-hub/0.1', accept: 'application/json', ...opts.headers },
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    proxy: false,
  });
}
