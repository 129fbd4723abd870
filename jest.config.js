// ESM TypeScript tests: run through `npm test` (node --experimental-vm-modules), because
// PGlite loads its WebAssembly with dynamic import(), which jest only allows in ESM mode.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // Each test file holds its own PGlite (~700 MB); two workers fit a 2-core machine.
  maxWorkers: 2,
  testTimeout: 30000,
};
