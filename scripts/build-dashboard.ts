/**
 * `npm run build:dashboard` (run by `prepare`, so `npm install` on a fresh clone builds it, and by
 * `npm run build` before packing): generates the typed API client from the engine's OpenAPI
 * document (scripts/dashboard-client.ts), bundles dashboard/ with Vite into dashboard/dist, which
 * the engine serves at /dashboard, and checks the JavaScript a first visit loads — the entry chunk
 * and the chunks it imports statically, gzipped — against the budget. Pages are split into their
 * own chunks (React.lazy), so the budget holds the shell, not the app. Exits 1 above the budget.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { build } from 'vite';
import { generateDashboardClient } from './dashboard-client.ts';

/** Initial JavaScript a first visit may load, gzipped (issue 18). */
export const INITIAL_JS_BUDGET_BYTES = 250 * 1024;

const root = join(import.meta.dirname, '..', 'dashboard');
const outDir = join(root, 'dist');

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

/** The files of the entry chunk and of every chunk it imports statically (not `import()`). */
export function initialChunks(manifest: Record<string, ManifestChunk>): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return [...seen].map((key) => manifest[key]!.file).filter((file) => file.endsWith('.js'));
}

if (import.meta.main) {
  const started = performance.now();
  await generateDashboardClient();
  await build({
    root,
    base: '/dashboard/',
    configFile: false,
    logLevel: 'warn',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      manifest: true,
      // No inline scripts or data: URLs: the CSP allows only files from this origin.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
    },
  });
  const manifest = JSON.parse(readFileSync(join(outDir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const files = initialChunks(manifest);
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(outDir, file))).length, 0);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `built dashboard/dist in ${((performance.now() - started) / 1000).toFixed(1)} s; initial JS ${kb(bytes)} gzipped (${files.length} files, budget ${kb(INITIAL_JS_BUDGET_BYTES)})`,
  );
  if (bytes > INITIAL_JS_BUDGET_BYTES) {
    console.error(
      `The dashboard's initial JavaScript is over budget by ${kb(bytes - INITIAL_JS_BUDGET_BYTES)}`,
    );
    process.exit(1);
  }
}
