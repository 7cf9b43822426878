import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { isPatchbayError, type PatchbayError } from '../errors/index.ts';
import { getProvider, loadCatalog, logoFile, providerSource } from './index.ts';

const CATALOG_MODULE = pathToFileURL(join(import.meta.dirname, 'index.ts')).href;
const roots: string[] = [];

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A fresh providers directory holding the given folder → definition-object source. */
function providersDir(folders: Record<string, string | null>): string {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-catalog-'));
  roots.push(root);
  for (const [folder, body] of Object.entries(folders)) {
    mkdirSync(join(root, folder));
    writeFileSync(join(root, folder, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    if (body !== null) writeFileSync(join(root, folder, 'definition.ts'), body);
  }
  return root;
}

function definition(name: string, extra = ''): string {
  return `import { defineProvider } from '${CATALOG_MODULE}';
export default defineProvider({
  name: '${name}',
  displayName: 'Test ${name}',
  description: 'A test provider.',
  categories: ['other'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.example.com',
  auth: { mode: 'none' },
  ${extra}
});
`;
}

async function loadError(dirs: string[]): Promise<PatchbayError> {
  try {
    await loadCatalog({ dirs });
  } catch (error) {
    assert.ok(
      isPatchbayError(error, 'provider_definition_invalid'),
      `expected provider_definition_invalid, got ${error}`,
    );
    return error;
  }
  assert.fail('expected the catalog to be refused');
}

describe('catalog registry', () => {
  it('discovers one provider per folder, skipping dot and underscore folders', async () => {
    const dir = providersDir({
      alpha: definition('alpha'),
      beta: definition('beta', "variantOf: 'alpha',"),
      _shared: null,
      '.cache': null,
    });
    const catalog = await loadCatalog({ dirs: [dir] });
    assert.deepEqual([...catalog.keys()], ['alpha', 'beta']);
    const alpha = getProvider(catalog, 'alpha');
    assert.equal(alpha.displayName, 'Test alpha');
    assert.equal(providerSource(alpha)?.dir, join(dir, 'alpha'));
    assert.equal(logoFile(alpha), join(dir, 'alpha', 'logo.svg'));
  });

  it('loads definitions written in JavaScript (.js, .mjs), as the npm package ships them', async () => {
    const dir = providersDir({ alpha: null, beta: null });
    // A .js file is a module where the nearest package.json says so, as in the npm package.
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'alpha', 'definition.js'), definition('alpha'));
    writeFileSync(join(dir, 'beta', 'definition.mjs'), definition('beta'));
    writeFileSync(join(dir, 'beta', 'definition.d.ts'), 'export {};\n');
    const catalog = await loadCatalog({ dirs: [dir] });
    assert.deepEqual([...catalog.keys()], ['alpha', 'beta']);
    assert.equal(providerSource(getProvider(catalog, 'alpha'))?.file, join(dir, 'alpha', 'definition.js'));
    assert.equal(providerSource(getProvider(catalog, 'beta'))?.file, join(dir, 'beta', 'definition.mjs'));
  });

  it('refuses a folder with two definition modules, naming both', async () => {
    const dir = providersDir({ alpha: definition('alpha') });
    writeFileSync(join(dir, 'alpha', 'definition.mjs'), definition('alpha'));
    const error = await loadError([dir]);
    assert.match(error.message, /provider folder "alpha" has definition\.ts and definition\.mjs; keep one/);
  });

  it('answers provider_not_found with the names it has', async () => {
    const catalog = await loadCatalog({ dirs: [providersDir({ alpha: definition('alpha') })] });
    assert.throws(
      () => getProvider(catalog, 'stripe'),
      (error) => {
        assert.ok(isPatchbayError(error, 'provider_not_found'));
        assert.equal(error.status, 404);
        assert.deepEqual(error.details, { name: 'stripe', available: ['alpha'] });
        return true;
      },
    );
  });

  it('names the file and field of an invalid definition', async () => {
    const dir = providersDir({ alpha: definition('alpha', "proxy: { baseUrl: 'http://api.example.com' },") });
    const error = await loadError([dir]);
    assert.ok(error.message.includes(join(dir, 'alpha', 'definition.ts')), error.message);
    assert.match(error.message, /proxy\.baseUrl: must use https/);
    const issues = (error.details as { issues: Array<{ path: string }> }).issues;
    assert.deepEqual(
      issues.map((i) => i.path),
      ['proxy.baseUrl'],
    );
  });

  it('refuses a folder whose definition has another name', async () => {
    const error = await loadError([providersDir({ alpha: definition('beta') })]);
    assert.match(error.message, /alpha\/definition\.ts: name: "beta" does not match its folder "alpha"/);
  });

  it('refuses a name defined twice across directories', async () => {
    const first = providersDir({ alpha: definition('alpha') });
    const second = providersDir({ alpha: definition('alpha') });
    const error = await loadError([first, second]);
    assert.ok(error.message.startsWith(join(second, 'alpha', 'definition.ts')), error.message);
    assert.match(error.message, /provider "alpha" is already defined by .*alpha\/definition\.ts/);
  });

  it('refuses a folder without a definition, without a default export, or that fails to load', async () => {
    assert.match(
      (await loadError([providersDir({ alpha: null })])).message,
      /provider folder "alpha" has no definition\.ts \(or \.mts, \.js, \.mjs\)/,
    );
    assert.match(
      (await loadError([providersDir({ alpha: 'export const x = 1;\n' })])).message,
      /alpha\/definition\.ts: has no default export/,
    );
    assert.match(
      (await loadError([providersDir({ alpha: 'export default {;\n' })])).message,
      /alpha\/definition\.ts: failed to load/,
    );
  });

  it('refuses a missing logo file and a dangling variantOf', async () => {
    assert.match(
      (await loadError([providersDir({ alpha: definition('alpha').replace("'logo.svg'", "'other.svg'") })]))
        .message,
      /logo: no file other\.svg/,
    );
    assert.match(
      (await loadError([providersDir({ alpha: definition('alpha', "variantOf: 'gamma',") })])).message,
      /variantOf: no provider named "gamma"/,
    );
  });

  it('refuses a variant of a variant: a family is one provider and its variants', async () => {
    const dir = providersDir({
      alpha: definition('alpha'),
      beta: definition('beta', "variantOf: 'alpha',"),
      gamma: definition('gamma', "variantOf: 'beta',"),
    });
    assert.match(
      (await loadError([dir])).message,
      /gamma\/definition\.ts: variantOf: "beta" is itself a variant of "alpha"; name "alpha" instead/,
    );
  });

  it('loads the built-in providers by default', async () => {
    const catalog = await loadCatalog();
    assert.equal(getProvider(catalog, 'gumroad').auth.mode, 'oauth2');
  });
});
