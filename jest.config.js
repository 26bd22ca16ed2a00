// Three tiers: unit tests next to the code they test (no I/O), medium suites in test/medium
// (repositories against the real Mongo-wire server, each suite in a database of its own), and e2e
// suites in test/e2e (real Redis, a real Mongo-wire server, the built worker as a child process).
// `npm test` runs all three, in that order.
const moduleNameMapper = {
  '^@conveyor/(config|contracts|database|queueing|http|job-runtime)$': '<rootDir>/libs/$1/src',
  '^@conveyor/(config|contracts|database|queueing|http|job-runtime)/(.*)$': '<rootDir>/libs/$1/src/$2',
  '^@conveyor/products$': '<rootDir>/libs/products',
  '^@conveyor/products/(.*)$': '<rootDir>/libs/products/$1',
};

const transform = {
  // Type-checking is `npm run check`'s job; transpiling only keeps the test run fast.
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      // test/static: checks of files that are not code (docker-compose.yml). packages: the client and CLI.
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/packages/**/*.spec.ts',
        '<rootDir>/test/static/**/*.spec.ts',
      ],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'medium',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'],
      globalSetup: '<rootDir>/test/support/mongo-setup.js',
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
      moduleNameMapper,
      transform,
    },
  ],
};
