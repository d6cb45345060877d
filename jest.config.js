// One jest run for the whole repository: unit tests next to the code they test,
// integration and browser tests under test/. TypeScript goes through swc in ESM mode.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^@gambit/(protocol|common|streams|rooms|ratings|pairing|dynamo)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{packages,services,web,controllers}/*/src/**/*.test.ts', '<rootDir>/web/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
  testSequencer: '<rootDir>/test/support/sequencer.js',
};
