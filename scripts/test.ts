/**
 * `npm test`: runs every test file with Node's test runner under the project's Node. Suites that
 * need PostgreSQL, Redis or Chromium skip themselves with a printed reason when those are absent.
 * Extra arguments are passed on (e.g. `npm test -- --test-name-pattern=vault`), or name files.
 */
import { spawn } from 'node:child_process';
import { globSync } from 'node:fs';

const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const files =
  named.length > 0
    ? named
    : globSync([
        'src/**/*.test.ts',
        'test/**/*.test.ts',
        'sdk/**/*.test.ts',
        'providers/**/*.test.ts',
        'sandbox/**/*.test.ts',
      ]).sort();

// The condition resolves `patchbay`, `patchbay/sdk` and `patchbay/scripts` to this checkout's
// sources rather than to a build in dist/ (package.json, "exports"); the runner passes it on to
// the process of each test file.
const child = spawn(
  process.execPath,
  [
    '--conditions=patchbay-source',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=120000',
    ...flags,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
