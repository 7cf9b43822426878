import { readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';

// The nearest package.json, not a fixed relative path: this file is src/version.ts in the
// repository and dist/src/version.js in the npm package, one folder deeper.
const packageJson = findPackageJSON(import.meta.url);
if (packageJson === undefined) throw new Error(`no package.json above ${import.meta.url}`);

/** The package version (package.json), shown by `patchbay --version`, `/health` and the OpenAPI document. */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string })
  .version;
