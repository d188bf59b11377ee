// https only, except host:port pairs in CONNECTOR_INSECURE_HOSTS (emulators, on-premise test portals).
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

export function hostOf(domain: string): string {
  return domain.split('/')[0].toLowerCase();
}

// A host a provider sent back is trusted only when it is one of the provider's own domains.
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

export function schemeFor(domain: string, insecureHosts: readonly string[]): 'http' | 'https' {
  return insecureHosts.includes(hostOf(domain)) ? 'http' : 'https';
}
