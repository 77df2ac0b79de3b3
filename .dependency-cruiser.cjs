/** The dependency rule of DESIGN.md, enforced. */
const DOMAIN =
  '^src/(identity|declarations|risk|clearance|agreements|ledger|federation|intelligence|assistance|training)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make modules impossible to reason about one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'kernel-imports-nothing-of-ours',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/kernel/' },
    },
    {
      name: 'reference-and-storage-import-only-kernel',
      severity: 'error',
      from: { path: '^src/(reference|storage)/' },
      to: { path: '^src/', pathNot: ['^src/kernel/', '^src/$1/'] },
    },
    {
      name: 'domain-knows-nothing-of-server-cli-or-node',
      severity: 'error',
      comment: 'Domain code returns values or throws typed errors; HTTP and the CLI live above it.',
      from: { path: DOMAIN },
      to: { path: '^src/(server|cli|node)/' },
    },
    {
      name: 'only-through-index',
      severity: 'error',
      comment: "A module reaches another only through that module's index.ts, never its inner files.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'server-not-from-cli',
      severity: 'error',
      from: { path: '^src/(server|node)/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
