/** Run by scripts/test.sh: no import cycle between files, and the layers point one way. */
const layer = (from, ...not) => ({
  name: `${from}-points-down`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${not.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    layer(
      'common',
      'connectors',
      'connections',
      'delivery',
      'payments',
      'webhooks',
      'providers',
      'credentials',
      'queue',
    ),
    layer(
      'config',
      'common',
      'connectors',
      'connections',
      'delivery',
      'payments',
      'webhooks',
      'providers',
      'credentials',
      'queue',
    ),
    layer(
      'domain',
      'common',
      'config',
      'connectors',
      'connections',
      'delivery',
      'payments',
      'webhooks',
      'providers',
      'credentials',
      'queue',
    ),
    layer(
      'providers',
      'connectors',
      'connections',
      'delivery',
      'payments',
      'webhooks',
      'credentials',
    ),
    layer('credentials', 'connectors', 'connections', 'delivery', 'payments', 'webhooks'),
    layer('connectors', 'connections', 'delivery', 'payments', 'webhooks'),
    layer('connections', 'delivery', 'payments', 'webhooks'),
    layer('delivery', 'payments', 'webhooks'),
  ].map((rule) =>
    rule.name === 'no-cycle'
      ? rule
      : { ...rule, to: { ...rule.to, dependencyTypesNot: ['type-only'] } },
  ),
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
