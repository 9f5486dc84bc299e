// Mutation testing: `npm run test:mutation` (all of src/) or `npm run test:mutation -- --mutate src/x.ts`.
// Stryker 10 needs Node 22 or later: scripts/mutation.sh installs it from tools/mutation/ on first use, and runs it
// on the Node 24 that scripts/node24-path.sh fetches. It finds jest, ts-jest and TypeScript in the project's install.
// docs/mutation-testing.md says why each setting is what it is and what was checked by hand.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The entry point only calls main(); the version constant has nothing a test could observe.
  mutate: ['src/**/*.ts', '!src/index.ts', '!src/shared/version.ts'],
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // The end-to-end tests run the built dist/, which never contains a mutant: they could only slow the run.
    config: { testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/e2e/'] },
    // Jest loads only the test files that import the mutated file, directly or through other modules; per-test
    // coverage then picks the tests within them. Loading every test file for every mutant took most of the time,
    // and no test reaches code it does not import: there are no dynamic imports (docs/mutation-testing.md).
    enableFindRelatedTests: true
  },
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  // The checker re-checks every file that imports a mutant's file. With the tests in the program (tsconfig.json),
  // each check went through most of the suite, and the checkers took about three quarters of the CPU of a run;
  // src/ alone is all a mutant can break, since ts-jest only transpiles (isolatedModules).
  tsconfigFile: 'tsconfig.src.json',
  // The results file stays out of git: it only knows the mutated file and the test files, so after a change
  // to the simulator or to a module the tests go through it would replay stale results. A clean clone and the
  // scheduled workflow always start without it and test every mutant.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // The tests mostly wait on real timers, so workers sit idle: 6 workers on 2 cores take about a third of the
  // time of 2. On a machine already busy, wall-clock tests may then fail and count as kills: see the docs.
  // Workers grow: restarted after every 20 runs one reached 1.35 GB, after every 10 the largest seen was 650 MB.
  concurrency: 6,
  maxTestRunnerReuse: 10,
  // A loaded machine makes timer-bound tests slower: a generous margin keeps slow runs from counting as timeouts.
  timeoutMS: 20000,
  thresholds: { high: 90, low: 85, break: 85 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  ignorePatterns: ['.build', '.cache', 'coverage', 'reports', 'tools', 'dist/index.js'],
  cleanTempDir: true
}
