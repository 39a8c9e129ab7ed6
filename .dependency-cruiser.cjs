// The import-cycle check of `npm run lint` (dependency-cruiser): any cycle between our own modules
// fails it. Run from the root over every workspace, see the "lint:cycles" script.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other, directly or through others, load half-initialised (CommonJS) or in surprising order (ESM).',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Build output and other workspaces' compiled packages: a workspace imports another one's
    // dist/, which compiles from sources this check already covers.
    exclude: { path: '(^|/)(node_modules|dist|build|\\.svelte-kit|\\.cache|assets|fixtures|worker-subprojects)/' },
    doNotFollow: { path: '(^|/)node_modules/' },
    // Type-only imports count too: a cycle through types is as tangled to read as one at run time.
    tsPreCompilationDeps: true,
  },
};
