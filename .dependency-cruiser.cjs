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
      'payment-links',
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
      'payment-links',
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
      'payment-links',
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
      'payment-links',
      'connectors',
      'connections',
      'delivery',
      'payments',
      'webhooks',
      'credentials',
    ),
    layer(
      'credentials',
      'connectors',
      'connections',
      'delivery',
      'payments',
      'payment-links',
      'webhooks',
    ),
    layer('connectors', 'connections', 'delivery', 'payments', 'payment-links', 'webhooks'),
    layer('connections', 'delivery', 'payments', 'payment-links', 'webhooks'),
    layer('delivery', 'payments', 'payment-links', 'webhooks'),
    layer('payments', 'payment-links'),
    layer('reconciliation', 'payment-links', 'webhooks'),
    {
      // Reconciliation sits on top: only AppModule (and the config loader, for its section) import it.
      name: 'reconciliation-on-top',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: '^src/(reconciliation/|app\\.module\\.ts$|load-config\\.ts$)',
      },
      to: { path: '^src/reconciliation/' },
    },
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
