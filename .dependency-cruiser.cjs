/**
 * The layering of DESIGN §2, checked by `npm test` (npm run lint:imports): imports point down,
 * entry points → adapters (http/, scim/, *-routes.ts) → services → stores → db/ → schema/ → errors/;
 * principals/ (who calls, what they may do) sits beside schema/, importing only errors/.
 * A domain folder is one of DOMAINS; its files repeat the roles *-routes, *-service, *-store,
 * *-errors and <domain>.ts (types).
 * sessions/ (issue 11: sign-in with the organization's identity provider, its settings, sessions)
 * sits below access/, which resolves a session cookie through sessions' service as it resolves keys
 * through keys' service, and above orgs/, users/, audit/ and tokens/, which it asks for the
 * organization, the person a sign-in matches, the audit log and the sealing of the client secret.
 * events/ (issue 14: the outbox and its webhook delivery) sits below audit/, whose recordAudit writes
 * each entry's events in the same transaction; it is given audit and secret sealing as interfaces.
 * signals/ (issue 14: Universal Logout, Shared Signals) sits below http/ like sessions/, and above
 * keys/, users/, sessions/, audit/ and orgs/, whose services it calls to find the person a signal
 * names, end their sessions and suspend or restore their keys.
 */
const DOMAINS = 'access|audit|events|groups|keys|orgs|sessions|signals|tokens|users';

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'No two folders import each other, directly or through others.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'routes-call-only-their-service',
      comment: 'A route file imports its own domain (never a store) and http/, nothing else of ours.',
      severity: 'error',
      from: { path: `^src/(${DOMAINS})/[^/]+-routes[.]ts$` },
      to: {
        path: '^src/',
        pathNot: ['^src/$1/(?![^/]+-store[.]ts$)[^/]+$', '^src/http/'],
      },
    },
    {
      name: 'services-never-reach-into-another-domains-store',
      severity: 'error',
      from: { path: `^src/(${DOMAINS})/[^/]+-service[.]ts$` },
      to: { path: `^src/(${DOMAINS})/[^/]+-store[.]ts$`, pathNot: '^src/$1/' },
    },
    {
      name: 'stores-are-private-to-their-domain',
      comment: 'A table is read and written only by its own domain; others ask that domain\'s service.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: `^src/(${DOMAINS})/[^/]+-store[.]ts$`, pathNot: '^src/$1/' },
    },
    {
      name: 'only-adapters-speak-http',
      comment: 'Services, stores and db/ throw domain errors; http/ and scim/ turn them into statuses.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/http/', '^src/scim/', '^src/[^/]+[.]ts$', '^src/cli/', '-routes[.]ts$'] },
      to: { path: '^src/http/' },
    },
    {
      name: 'stores-import-only-db-and-schema',
      severity: 'error',
      from: { path: `^src/(${DOMAINS})/[^/]+-store[.]ts$` },
      to: {
        path: '^src/',
        pathNot: ['^src/db/', '^src/schema/', '^src/errors/', '^src/principals/', '^src/$1/[^/]+-errors[.]ts$', '^src/$1/$1[.]ts$', '^src/$1/[^/]+-store[.]ts$'],
      },
    },
    {
      name: 'db-imports-only-schema',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: ['^src/db/', '^src/schema/', '^src/errors/'] },
    },
    {
      name: 'schema-imports-no-domain',
      comment: 'The SCIM attribute language sits below everything.',
      severity: 'error',
      from: { path: '^src/schema/' },
      to: { path: '^src/', pathNot: ['^src/schema/', '^src/errors/'] },
    },
    {
      name: 'principals-import-only-errors',
      comment: 'Who calls and what they may do: pure, below every domain and adapter.',
      severity: 'error',
      from: { path: '^src/principals/' },
      to: { path: '^src/', pathNot: ['^src/principals/', '^src/errors/'] },
    },
    {
      name: 'errors-import-nothing',
      comment: 'Domain errors are the floor every layer stands on.',
      severity: 'error',
      from: { path: '^src/errors/' },
      to: { path: '^src/', pathNot: '^src/errors/' },
    },
    {
      name: 'client-talks-http-only',
      comment:
        'src/client/ is what services import (keyscope/client): it reaches keyscope over HTTP and imports nothing of the server.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: '^src/client/' },
    },
    {
      name: 'client-loads-only-node-builtins',
      comment: 'A service importing keyscope/client loads nothing else at run time (Express is imported for its types only).',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { dependencyTypesNot: ['core', 'local', 'type-only'] },
    },
    {
      name: 'only-the-cli-uses-the-client',
      comment: 'The server never calls itself over HTTP; the CLI is a client like any service.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/client/', '^src/cli/'] },
      to: { path: '^src/client/' },
    },
    {
      name: 'scim-adapter-uses-services-not-stores',
      severity: 'error',
      from: { path: '^src/scim/' },
      to: { path: '-store[.]ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
