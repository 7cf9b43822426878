/**
 * Which files of a provider folder are modules to load. A provider is TypeScript in the
 * repository and in a host's own directory (Node strips the types, which it does everywhere but
 * under node_modules), and JavaScript in the npm package (built from the same sources) or when a
 * host writes it so. The catalog (./registry.ts) and the script loader (src/scripting/loader.ts)
 * both discover files through these rules, so the two never disagree on what a module is.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The extensions of a loadable module, in the order they are named in messages. */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

const moduleFile = /^(?<name>.+)\.(?:ts|mts|js|mjs)$/;
// Type declarations that the build emits beside the JavaScript, and tests that live beside code.
const notAModule = /\.d\.m?ts$|\.test\.m?[jt]s$/;

/** The files `<dir>/<name>.<ext>` that exist, for each module extension (e.g. `definition.js`). */
export function moduleFilesNamed(dir: string, name: string): string[] {
  return MODULE_EXTENSIONS.map((extension) => join(dir, `${name}${extension}`)).filter((file) =>
    existsSync(file),
  );
}

/**
 * The module name of a script file (`create-invoice.js` → `create-invoice`), or undefined for a
 * file that is not one: another extension, a declaration, a test, or a name starting with `_`
 * (a helper) or `.`.
 */
export function scriptModuleName(fileName: string): string | undefined {
  if (notAModule.test(fileName) || /^[._]/.test(fileName)) return undefined;
  return moduleFile.exec(fileName)?.groups?.name;
}

/** `definition.ts`, `definition.js`…: how messages name a module whatever its extension. */
export function moduleNames(name: string): string {
  const [first, ...others] = MODULE_EXTENSIONS;
  return `${name}${first} (or ${others.join(', ')})`;
}

/**
 * The provider folders of a providers directory, sorted: every subdirectory but hidden ones and
 * those starting with `_`. Throws the file system's error when `dir` cannot be read; each caller
 * turns it into its own error code.
 */
export function providerFolderNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.startsWith('_'))
    .map((entry) => entry.name)
    .sort();
}
