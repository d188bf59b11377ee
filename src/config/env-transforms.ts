export const trim = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
export const URL_OPTS = {
  require_tld: false,
  require_protocol: true,
  protocols: ['http', 'https'],
};
