/**
 * The catalog: provider definitions discovered at load time. Each folder of a providers
 * directory is one provider, and its `definition.ts` (`.js` once built, see ./module-files.ts)
 * default-exports the definition; there is no hand-kept index to drift. Host apps may add
 * directories of their own providers.
 */
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import { validateDefinition } from './define.ts';
import { moduleFilesNamed, moduleNames, providerFolderNames } from './module-files.ts';
import type { ProviderDefinition } from './schema.ts';

/**
 * The providers directory shipped with Patchbay: `providers/` of the repository, or its built
 * copy beside the built engine in the npm package (dist/providers/).
 */
export const BUILTIN_PROVIDERS_DIR = fileURLToPath(new URL('../../providers/', import.meta.url));

/** The module each provider folder must have: `definition.ts`, or `.mts`, `.js`, `.mjs`. */
export const DEFINITION_MODULE = 'definition';

/** Provider name → validated definition. */
export type Catalog = ReadonlyMap<string, ProviderDefinition>;

export interface LoadCatalogOptions {
  /** Directories to discover providers in; defaults to the built-in one. Later dirs may not reuse names. */
  dirs?: readonly string[];
}

/** Where a loaded definition came from: its folder (logo files resolve against it) and file. */
export interface ProviderSource {
  dir: string;
  file: string;
}

const sources = new WeakMap<ProviderDefinition, ProviderSource>();

/**
 * Discovers and validates every provider. Fails with `provider_definition_invalid` naming the
 * file (and field path) for a folder without a definition, an invalid definition, a name that
 * does not match its folder, a missing logo file, a variantOf naming no provider or a variant, or
 * a name defined twice.
 */
export async function loadCatalog(options: LoadCatalogOptions = {}): Promise<Catalog> {
  const dirs = (options.dirs ?? [BUILTIN_PROVIDERS_DIR]).map((dir) => resolve(dir));
  const catalog = new Map<string, ProviderDefinition>();
  for (const dir of dirs) {
    for (const folder of providerFolders(dir)) {
      const file = definitionFile(join(dir, folder), folder);
      const definition = await loadDefinition(file, folder);
      const existing = catalog.get(definition.name);
      if (existing) {
        throw invalid(
          file,
          `provider "${definition.name}" is already defined by ${display(sources.get(existing)?.file ?? '')}`,
        );
      }
      catalog.set(definition.name, definition);
      sources.set(definition, { dir: join(dir, folder), file });
    }
  }
  for (const definition of catalog.values()) {
    if (definition.variantOf === undefined) continue;
    const parent = catalog.get(definition.variantOf);
    const file = sources.get(definition)?.file ?? definition.name;
    if (!parent) throw invalid(file, `variantOf: no provider named "${definition.variantOf}"`);
    // One level only, so a family is named by its first provider and a tile never nests.
    if (parent.variantOf !== undefined) {
      throw invalid(
        file,
        `variantOf: "${parent.name}" is itself a variant of "${parent.variantOf}"; name "${parent.variantOf}" instead`,
      );
    }
  }
  return catalog;
}

/** The definition of `name`; throws `provider_not_found` listing what exists. */
export function getProvider(catalog: Catalog, name: string): ProviderDefinition {
  const definition = catalog.get(name);
  if (!definition) {
    throw new PatchbayError('provider_not_found', `no provider named "${name}" in the catalog`, {
      details: { name, available: [...catalog.keys()].sort() },
    });
  }
  return definition;
}

/** Where a definition loaded by loadCatalog came from (undefined for definitions built elsewhere). */
export function providerSource(definition: ProviderDefinition): ProviderSource | undefined {
  return sources.get(definition);
}

/** The absolute path of a definition's logo file, when its logo is a file in its folder. */
export function logoFile(definition: ProviderDefinition): string | undefined {
  const source = sources.get(definition);
  if (!source || /^(https:|data:)/.test(definition.logo)) return undefined;
  return join(source.dir, definition.logo);
}

function providerFolders(dir: string): string[] {
  try {
    return providerFolderNames(dir);
  } catch (cause) {
    throw new PatchbayError('provider_definition_invalid', `cannot read providers directory ${dir}`, {
      cause,
    });
  }
}

/** The folder's one definition module; a folder with none, or with two (`.ts` and `.js`), is refused. */
function definitionFile(path: string, folder: string): string {
  const [file, ...others] = moduleFilesNamed(path, DEFINITION_MODULE);
  if (file === undefined) {
    throw invalid(
      join(path, `${DEFINITION_MODULE}.ts`),
      `provider folder "${folder}" has no ${moduleNames(DEFINITION_MODULE)}`,
    );
  }
  if (others.length > 0) {
    const names = [file, ...others].map((path) => basename(path)).join(' and ');
    throw invalid(file, `provider folder "${folder}" has ${names}; keep one`);
  }
  return file;
}

async function loadDefinition(file: string, folder: string): Promise<ProviderDefinition> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (cause) {
    if (isPatchbayError(cause, 'provider_definition_invalid')) {
      throw new PatchbayError('provider_definition_invalid', `${display(file)}: ${cause.message}`, {
        details: { file, ...(cause.details as object) },
        cause,
      });
    }
    throw invalid(file, `failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
  }
  if (module.default === undefined)
    throw invalid(file, 'has no default export (export default defineProvider({...}))');
  const definition = validateDefinition(module.default, display(file));
  if (definition.name !== folder) {
    throw invalid(file, `name: "${definition.name}" does not match its folder "${folder}"`);
  }
  if (!/^(https:|data:)/.test(definition.logo) && !existsSync(join(file, '..', definition.logo))) {
    throw invalid(file, `logo: no file ${definition.logo} in the provider folder`);
  }
  return definition;
}

function invalid(file: string, message: string, cause?: unknown): PatchbayError {
  return new PatchbayError('provider_definition_invalid', `${display(file)}: ${message}`, {
    details: { file },
    cause,
  });
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
