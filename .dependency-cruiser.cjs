/**
 * Import rules checked by `npm run lint` (dependency-cruiser). Type-only imports count: a cycle
 * through types still ties the modules together for every reader and every refactoring.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: move what both sides need to the module it belongs to.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-handler-imports-handler',
      severity: 'error',
      comment: 'A function uses shared/ code, never another function: move the rule into a use case.',
      from: { path: '^functions/([^/]+)/' },
      to: { path: '^functions/', pathNot: '^functions/$1/' },
    },
    {
      name: 'handlers-wire-through-the-composition',
      severity: 'error',
      comment:
        'A handler.ts gets its adapters from shared/runtime/composition (add a factory there) and asks shared/runtime/clients/<client> only to build a client at cold start.',
      from: { path: '^functions/[^/]+/handler\\.ts$' },
      to: {
        path: ['^shared/adapters/', '^shared/runtime/clients/index\\.ts$', '(^|/)node_modules/@aws-sdk/'],
      },
    },
    {
      name: 'domain-stays-pure',
      severity: 'error',
      comment: 'The domain is pure TypeScript: no ports, adapters, use cases, runtime, HTTP or AWS SDK.',
      from: { path: '^shared/domain/' },
      to: {
        path: [
          '^shared/(ports|adapters|usecases|runtime|http|auth|open311)(/|\\.ts$)',
          '^(functions|infra|web)/',
          '(^|/)node_modules/@aws-sdk/',
        ],
      },
    },
    {
      name: 'adapters-import-ports-and-domain',
      severity: 'error',
      comment:
        'An adapter implements a port: it imports ports and the domain, never a use case or the runtime.',
      from: { path: '^shared/adapters/' },
      to: { path: ['^shared/(usecases|runtime|http|auth|open311)/', '^(functions|infra)/'] },
    },
    {
      name: 'district-schema-below-domain',
      severity: 'error',
      comment:
        "The district schema is the domain's vocabulary and imports nothing from it; only the loaders and checks above both may.",
      from: { path: '^shared/district/', pathNot: '^shared/district/(load|examples|geometry-checks)\\.ts$' },
      to: { path: '^shared/domain/' },
    },
    {
      name: 'domain-reads-only-the-district-schema',
      severity: 'error',
      comment: 'The domain uses the district schema, not the loaders that read files.',
      from: { path: '^shared/domain/' },
      to: { path: '^shared/district/(load|examples|geometry-checks)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(cdk\\.out|\\.data|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
  },
};
