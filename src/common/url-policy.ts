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

/** `host[:port]` of a `host[:port][/path]` the provider sent back. */
export function hostOf(domain: string): string {
  return domain.split('/')[0].toLowerCase();
}

/**
 * A host a provider sent back (Bitrix24 `domain`, amoCRM `referer`) is trusted only when it is
 * one of the provider's own domains, or listed in CONNECTOR_INSECURE_HOSTS (local emulators).
 */
export function isTrustedProviderHost(
  domain: string,
  providerSuffixes: readonly RegExp[],
  insecureHosts: readonly string[],
): boolean {
  if (!/^[a-z0-9.-]+(:\d+)?(\/[\w./-]*)?$/i.test(domain)) return false;
  const host = hostOf(domain);
  if (insecureHosts.includes(host)) return true;
  return !host.includes(':') && providerSuffixes.some((re) => re.test(host));
}

/** The scheme to talk to a trusted host: plain http only for the listed local hosts. */
export function schemeFor(domain: string, insecureHosts: readonly string[]): 'http' | 'https' {
  return insecureHosts.includes(hostOf(domain)) ? 'http' : 'https';
}
