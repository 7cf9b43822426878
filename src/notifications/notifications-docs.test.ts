/**
 * docs/notifications.md is checked against the code: every API path it names is a route, every
 * kind in its table is a kind, the settings defaults it states are the defaults, and its
 * example runs as written — with the SDK, against an engine whose SMTP server is a real one on
 * loopback that receives the email.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type LibraryEngine, startLibraryEngine } from '../../test/support/library-engine.ts';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp-sink.ts';
import { contract } from '../api/contract/index.ts';
import { NOTIFICATION_KINDS } from './kinds.ts';
import { resolveSettings } from './settings.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/notifications.md'), 'utf8');

describe('docs/notifications.md', () => {
  let smtp: SmtpSink;
  let pb: LibraryEngine;
  before(async () => {
    smtp = await startSmtpSink();
    pb = await startLibraryEngine({
      config: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: 'Acme <alerts@acme.example>' },
    });
  });
  after(async () => {
    await pb?.stop();
    await smtp?.close();
  });

  it('names only routes that exist', () => {
    const paths = new Set<string>(Object.values(contract.notifications).map((operation) => operation.path));
    const named = [...doc.matchAll(/(\/v1\/notifications[^`\s?]*)/g)].map((m) => m[1]!);
    assert.ok(named.length >= 4);
    for (const path of named) assert.ok(paths.has(path), `${path} is a route`);
  });

  it('lists every kind and the real defaults', () => {
    for (const kind of NOTIFICATION_KINDS) assert.match(doc, new RegExp(`\\| \`${kind}\` \\|`), kind);
    const defaults = resolveSettings({});
    assert.match(doc, new RegExp(`\\| \`throttleMinutes\` \\| \`${defaults.throttleMinutes}\` \\|`));
    assert.match(
      doc,
      new RegExp(`\\| \`syncFailureThreshold\` \\| \`${defaults.syncFailureThreshold}\` \\|`),
    );
  });

  it('runs its example as written, and the email arrives', async () => {
    const code = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.equal(code.length, 1);
    const child = spawn(
      process.execPath,
      ['--conditions=patchbay-source', '--input-type=module', '-e', code[0]!],
      {
        cwd: root,
        env: { ...process.env, PATCHBAY_URL: pb.baseUrl, PATCHBAY_API_KEY: pb.apiKey },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(exitCode, 0, output);
    assert.match(output, /^preview: Welcome to Pro$/m);
    assert.match(output, /^sent to ada@example\.com 250 /m);
    assert.equal(smtp.messages.length, 1);
    assert.equal(smtp.messages[0]?.subject, 'Welcome to Pro');
    assert.deepEqual(smtp.recipients[0], ['ada@example.com']);
    assert.match(
      smtp.messages[0]?.text ?? '',
      /^Hello Ada, you are now on Pro\.\nUnsubscribe: http:\/\/127\.0\.0\.1:\d+\/notifications\/unsubscribe\?token=v1\./,
    );
  });
});
