import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { DASHBOARD_CSP, dashboardStaticRoutes } from './static.ts';

const INDEX = '<!doctype html><script type="module" src="/dashboard/assets/index-abc123.js"></script>';

async function serve(dir: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(async (scope) => dashboardStaticRoutes(dir).register!(scope));
  return app;
}

describe('the dashboard’s static files', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patchbay-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, '.vite'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets/index-abc123.css'), 'body{}');
    writeFileSync(join(dir, '.vite/manifest.json'), '{}');
    app = await serve(dir);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html for the app’s deep links, revalidated, with a strict CSP', async () => {
    for (const url of [
      '/dashboard/',
      '/dashboard/connections',
      '/dashboard/connections/conn_1?status=error',
    ]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.body, INDEX, url);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.equal(response.headers['content-security-policy'], DASHBOARD_CSP);
      assert.equal(response.headers['x-frame-options'], 'DENY');
    }
    assert.doesNotMatch(DASHBOARD_CSP, /unsafe-inline|unsafe-eval|\*/);
    const bare = await app.inject({ url: '/dashboard' });
    assert.equal(bare.statusCode, 302);
    assert.equal(bare.headers.location, '/dashboard/');
  });

  it('serves hashed assets as immutable, and 404s a missing one instead of the app', async () => {
    const script = await app.inject({ url: '/dashboard/assets/index-abc123.js' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.body, 'console.log(1)');
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
    const css = await app.inject({ url: '/dashboard/assets/index-abc123.css' });
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const stale = await app.inject({ url: '/dashboard/assets/index-old.js' });
    assert.equal(stale.statusCode, 404);
  });

  it('never serves a file outside the build, nor the build manifest', async () => {
    for (const url of [
      '/dashboard/../package.json',
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/assets/..%2f..%2findex.html',
      '/dashboard/.vite/manifest.json',
    ]) {
      const response = await app.inject({ url });
      assert.ok(response.body === INDEX || response.statusCode === 404 || response.statusCode === 400, url);
      assert.ok(!response.body.includes('"name"'), url);
    }
  });

  it('answers a clear 503 page when the dashboard is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'patchbay-dashboard-empty-'));
    const unbuilt = await serve(empty);
    try {
      const response = await unbuilt.inject({ url: '/dashboard/connections' });
      assert.equal(response.statusCode, 503);
      assert.match(response.body, /The dashboard is not built/);
      assert.match(response.body, /npm run build:dashboard/);
      assert.equal(response.headers['content-security-policy'], DASHBOARD_CSP);
    } finally {
      await unbuilt.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
