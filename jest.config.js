// ccxt >= 4.5.59 require()s the ESM-only @noble/@scure packages: let swc turn them into CommonJS.
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  '^.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!(@noble|@scure)/)'];
const common = { moduleFileExtensions: ['js', 'json', 'ts'], transform, transformIgnorePatterns, testEnvironment: 'node' };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '.*\\.spec\\.ts$' },
    { ...common, displayName: 'e2e', rootDir: '.', roots: ['<rootDir>/test'], testRegex: '.*\\.e2e-spec\\.ts$', testTimeout: 60000 },
  ],
};
