// Architecture boundaries, checked by `npm run check:architecture` (and .ci/run).
// Direction: cli → app → modules → channels → platform; modules → platform. See README "Architecture".
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-is-tenant-agnostic',
      comment: 'The platform is the engine: it knows no product module, no channel, no CLI, no composition root.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: ['^src/modules/', '^src/channels/', '^src/cli/', '^src/app\\.ts$'] },
    },
    {
      name: 'channels-know-no-product',
      comment: 'Channels are provider SDKs (WAHA, Cloud API, sandbox): no product knowledge.',
      severity: 'error',
      from: { path: '^src/channels/' },
      to: { path: ['^src/modules/', '^src/cli/', '^src/app\\.ts$'] },
    },
    {
      name: 'modules-are-composed-not-composing',
      comment: 'Only src/app.ts knows every module; a module never reaches back into the composition root or the CLI.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: ['^src/app\\.ts$', '^src/main\\.ts$', '^src/cli/'] },
    },
    {
      name: 'modules-meet-through-their-face',
      comment: 'A module uses another only through its face, src/modules/<name>/<name>.module.ts.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/([^/]+)/\\1\\.module\\.ts$'],
      },
    },
    {
      name: 'outsiders-use-module-faces',
      comment: 'The composition root and the CLI see a module through its face too.',
      severity: 'error',
      from: { path: ['^src/app\\.ts$', '^src/main\\.ts$', '^src/cli/'] },
      to: { path: '^src/modules/', pathNot: '^src/modules/([^/]+)/\\1\\.module\\.ts$' },
    },
    {
      name: 'no-cycles-between-modules',
      comment: 'Modules depend one way (e.g. whatsapp → inbox, never back): no cycle may run through two modules.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { circular: true, via: { path: '^src/modules/', pathNot: '^src/modules/$1/' } },
    },
    {
      name: 'no-cycles-between-folders',
      comment:
        'No cycle may leave the folder it starts in (floors, modules, and folders inside a module such as ' +
        'whatsapp/inbound and whatsapp/channels). Two files of one folder may still point at each other (an entity and its items).',
      severity: 'error',
      from: { path: '^(src/.+)/[^/]+$' },
      to: { circular: true, via: { pathNot: '^$1/[^/]+$' } },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
