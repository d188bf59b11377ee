/**
 * Outside hosts must be https; plain http only for host:port pairs listed in
 * CONNECTOR_INSECURE_HOSTS (local emulators, on-premise test portals).
 * Returns an error message naming the problem, or undefined when the URL is allowed.
 */
export function checkOutboundUrl(
  raw: string,
  insecureHosts: readonly string[],
): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return 'must be https';
  const hostPort = `${url.hostname}:${url.port || '80'}`.toLowerCase();
  return insecureHosts.includes(hostPort)
    ? undefined
    : `must be https (http only for CONNECTOR_INSECURE_HOSTS, not ${hostPort})`;
}
