/**
 * `npm run build` (and `prepack`, so that `npm pack` always ships fresh JavaScript): compiles the
 * engine, the SDK and the built-in providers to JavaScript and type declarations in dist/, with
 * TypeScript's own compiler (tsconfig.build.json: the sources' `./x.ts` imports are rewritten to
 * `./x.js`), then copies the files the code reads at run time: the connect page's HTML, CSS and
 * browser scripts, the providers' logos, and the operator dashboard's build (dashboard/dist,
 * rebuilt here so a pack always ships the dashboard of the same API; the engine finds it at
 * dist/dashboard/dist, the same place relative to its code as in the repository). Node refuses to strip types under node_modules, so
 * the npm package must be JavaScript; the repository itself runs its TypeScript without this.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, globSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist');
/** The trees compiled by tsconfig.build.json, whose other files are copied as they are. */
// sandbox/: the emulators `patchbay demo` runs.
const trees = ['src', 'sdk/src', 'providers', 'sandbox'];

const started = performance.now();
execFileSync(process.execPath, [join(root, 'scripts/build-dashboard.ts')], { stdio: 'inherit' });
// Stale output of a deleted source must not ship.
rmSync(out, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  { stdio: 'inherit' },
);

const assets = globSync(
  trees.map((tree) => `${tree}/**/*.*`),
  { cwd: root },
).filter(
  // Sources are compiled, not copied; fixtures belong to tests, which are not built.
  (path) =>
    !path.endsWith('.ts') && !/(^|[\\/])fixtures[\\/]/.test(path) && statSync(join(root, path)).isFile(),
);
for (const path of assets) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  copyFileSync(join(root, path), join(out, path));
}
cpSync(join(root, 'dashboard/dist'), join(out, 'dashboard/dist'), {
  recursive: true,
  // Vite's manifest served the budget check; the engine does not read it.
  filter: (source) => !source.includes(`${join('dashboard', 'dist', '.vite')}`),
});
console.log(
  `built dist/ (${assets.length} assets copied, and the dashboard) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
