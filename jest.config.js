/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // aedes 1.x is ESM-only; ts-jest (allowJs) turns it and its ESM dependencies into CommonJS.
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  // dist/ is compiled CommonJS already. Were ts-jest to take a dist/*.js file (a test that starts
  // Node-RED in-process loads the nodes and plugins from dist/) into its program, emitting the
  // .ts source of that file later in the same worker would overwrite a program input, and
  // ts-jest fails with "Unable to process …" — order-dependent, so flaky.
  transformIgnorePatterns: ['/node_modules/(?!(aedes|aedes-[^/]+|mqemitter|mqemitter-[^/]+)/)', '<rootDir>/dist/'],
  testTimeout: 60_000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
};
