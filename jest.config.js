/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // aedes 1.x is ESM-only; ts-jest (allowJs) turns it and its ESM dependencies into CommonJS.
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  transformIgnorePatterns: ['/node_modules/(?!(aedes|aedes-[^/]+|mqemitter|mqemitter-[^/]+)/)'],
  testTimeout: 60_000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
};
