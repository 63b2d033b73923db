/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Simulator and integration tests open sockets; keep them from hanging the run.
  testTimeout: 20000,
  // 2-core machines: two workers keep socket tests from starving each other.
  maxWorkers: 2,
};
