// Dependency rules between the component kinds (docs/ARCHITECTURE.md), checked by `npm run lint:deps` in CI.
// pipelines/ is the lowest layer (pure transforms), connectors/ may use it, workers/ wire both, dashboards/ reads
// through ports. Type-only imports count too: a type from workers/ in pipelines/ couples them just the same.
// dependency-cruiser rather than ESLint import rules: it resolves the `.ts` specifiers as tsc does, finds cycles over
// the whole graph quickly (eslint-plugin-import's no-cycle re-parses per file and is slow), and says which rule an
// edge breaks in one line.

/**
 * Edges that break a rule today and are being fixed elsewhere. They are reported as warnings (not failures) until
 * the fix lands. LEAD: empty this list after merging the branch that moves the pipelines' settings out of
 * workers/config.ts; from then on these edges fail CI like any other.
 */
const KNOWN_VIOLATIONS = [];

/** The layer rules: each forbids edges `from` → `to`. */
const LAYER_RULES = [
  {
    name: 'core-not-to-workers-or-dashboards',
    comment:
      'pipelines/ and connectors/ import nothing from workers/ or dashboards/ (workers wire them, not the reverse).',
    from: { path: '^(pipelines|connectors)/' },
    to: { path: '^(workers|dashboards)/' },
  },
  {
    name: 'pipelines-not-to-connectors',
    comment: 'pipelines/ are pure transforms: no connector (network) code.',
    from: { path: '^pipelines/' },
    to: { path: '^connectors/' },
  },
  {
    name: 'ports-not-to-adapters',
    comment: 'A port is the interface; adapters implement it. workers/ports/ imports no adapter.',
    from: { path: '^workers/ports/' },
    to: { path: '^workers/adapters/' },
  },
  {
    name: 'dashboards-not-to-adapters',
    comment:
      "dashboards/ read through ports (workers/ports/) and pure figures (pipelines/), never the writers' adapters. " +
      'The Elasticsearch field definitions are plain data (no client) that the Kibana generator must share with the ' +
      'index templates so the two cannot drift.',
    from: { path: '^dashboards/' },
    to: { path: '^workers/adapters/', pathNot: '^workers/adapters/elasticsearch-mappings[.]ts$' },
  },
];

/** A layer rule as an error for every edge except the known violations, plus a warning for each known one. */
function withKnownViolations(rule) {
  const known = KNOWN_VIOLATIONS.filter((k) => k.rule === rule.name);
  return [
    {
      ...rule,
      severity: 'error',
      from: known.length ? { ...rule.from, pathNot: known.map((k) => k.from) } : rule.from,
    },
    ...known.flatMap((k) => [
      // The known file may still not import anything else from the forbidden layer.
      { ...rule, severity: 'error', from: { path: k.from }, to: { ...rule.to, pathNot: k.to } },
      {
        ...rule,
        name: `${rule.name}-known`,
        severity: 'warn',
        comment: `${rule.comment} Known; being fixed.`,
        from: { path: k.from },
        to: { path: k.to },
      },
    ]),
  ];
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...LAYER_RULES.flatMap(withKnownViolations),
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other cannot be understood, tested or loaded on their own.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
