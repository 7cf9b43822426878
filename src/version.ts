import { readFileSync } from 'node:fs';

/** The package version (package.json), shown by `patchbay --version`, `/health` and the OpenAPI document. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
