import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Catalog, loadCatalog } from '../catalog/index.ts';
import { isPatchbayError, type PatchbayError } from '../errors/index.ts';
import { getAction, getSync, loadScripts } from './loader.ts';

const CATALOG_MODULE = pathToFileURL(join(import.meta.dirname, '..', 'catalog', 'index.ts')).href;
const DEFINE_MODULE = pathToFileURL(join(import.meta.dirname, 'define.ts')).href;
const ZOD_MODULE = import.meta.resolve('zod');
const roots: string[] = [];

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function definition(name: string): string {
  return `import { defineProvider } from '${CATALOG_MODULE}';
export default defineProvider({
  name: '${name}',
  displayName: 'Test ${name}',
  description: 'A test provider.',
  categories: ['other'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.example.com',
  auth: { mode: 'none' },
});
`;
}

const HEADER = `import { z } from '${ZOD_MODULE}';\nimport { defineAction, defineSync } from '${DEFINE_MODULE}';\n`;

/** A script file whose default export is `object` (source text of an object literal). */
function script(object: string): string {
  return `${HEADER}export default ${object};\n`;
}

function sync(fields: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    name: "'products'",
    description: "'Products of the account'",
    models: '{ products: z.object({ id: z.string(), title: z.string() }) }',
    frequency: "'1h'",
    exec: 'async function () {}',
    ...fields,
  };
  return script(
    `defineSync({ ${Object.entries(all)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} })`,
  );
}

function action(fields: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    name: "'create-invoice'",
    description: "'Creates an invoice'",
    input: 'z.object({ amount: z.number() })',
    output: 'z.object({ id: z.string() })',
    exec: 'async (_ctx, input) => ({ id: String(input.amount) })',
    ...fields,
  };
  return script(
    `defineAction({ ${Object.entries(all)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} })`,
  );
}

/** A providers directory: each provider folder gets a definition, logo and the given files. */
function providersDir(
  providers: Record<string, Record<string, string>>,
  options: { definitions?: boolean } = {},
): string {
  const root = mkdtempSync(join(tmpdir(), 'patchbay-scripts-'));
  roots.push(root);
  for (const [provider, files] of Object.entries(providers)) {
    mkdirSync(join(root, provider));
    if (options.definitions !== false) {
      writeFileSync(join(root, provider, 'definition.ts'), definition(provider));
      writeFileSync(join(root, provider, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    }
    for (const [file, body] of Object.entries(files)) {
      mkdirSync(dirname(join(root, provider, file)), { recursive: true });
      writeFileSync(join(root, provider, file), body);
    }
  }
  return root;
}

async function load(dir: string, minFrequencyMs?: number) {
  const catalog = await loadCatalog({ dirs: [dir] });
  return loadScripts({ dirs: [dir], catalog, ...(minFrequencyMs === undefined ? {} : { minFrequencyMs }) });
}

async function loadError(dir: string, catalog?: Catalog): Promise<PatchbayError> {
  try {
    await loadScripts({ dirs: [dir], catalog: catalog ?? (await loadCatalog({ dirs: [dir] })) });
  } catch (error) {
    assert.ok(
      isPatchbayError(error, 'script_definition_invalid'),
      `expected script_definition_invalid, got ${error}`,
    );
    return error;
  }
  assert.fail('expected the scripts to be refused');
}

describe('loadScripts', () => {
  it('discovers syncs and actions per provider, skipping tests and helpers', async () => {
    const dir = providersDir({
      acme: {
        'syncs/products.ts': sync(),
        'syncs/report.ts': sync({
          name: "'report'",
          models: '{ sales: z.object({ id: z.string() }) }',
          frequency: "'1d'",
          exec: '',
          import:
            "{ formats: ['csv'], row: z.object({ id: z.string() }), toRecords: (rows) => rows.map((record) => ({ model: 'sales', record })) }",
          checkpoint: 'z.object({ next: z.string().nullable() })',
          trackDeletes: 'true',
          autoStart: 'false',
          timeoutMs: '600000',
        }),
        'syncs/_shared.ts': 'export const helper = 1;\n',
        'syncs/products.test.ts': 'throw new Error("a test file must not be imported");\n',
        'syncs/notes.md': 'not a script',
        'actions/create-invoice.ts': action(),
      },
      beta: {},
    });
    const registry = await load(dir);
    assert.deepEqual([...registry.keys()], ['acme']);
    const acme = registry.get('acme');
    assert.deepEqual([...(acme?.syncs.keys() ?? [])], ['products', 'report']);
    assert.deepEqual([...(acme?.actions.keys() ?? [])], ['create-invoice']);
    const products = getSync(registry, 'acme', 'products');
    assert.equal(products.frequency, '1h');
    assert.equal(typeof products.exec, 'function');
    assert.equal(getSync(registry, 'acme', 'report').import?.formats[0], 'csv');
    const invoice = getAction(registry, 'acme', 'create-invoice');
    assert.deepEqual(await invoice.exec({} as never, { amount: 5 }), { id: '5' });
  });

  it('loads JavaScript scripts (.js, .mjs), skipping declarations and tests beside them', async () => {
    const dir = providersDir({
      acme: {
        'syncs/products.js': sync(),
        'syncs/products.d.ts': 'export {};\n',
        'syncs/report.mjs': sync({ name: "'report'" }),
        'syncs/report.test.mjs': 'throw new Error("a test file must not be imported");\n',
        'actions/create-invoice.js': action(),
      },
    });
    // A .js file is a module where the nearest package.json says so, as in the npm package.
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const registry = await load(dir);
    assert.deepEqual([...(registry.get('acme')?.syncs.keys() ?? [])], ['products', 'report']);
    const invoice = getAction(registry, 'acme', 'create-invoice');
    assert.deepEqual(await invoice.exec({} as never, { amount: 7 }), { id: '7' });
  });

  it('refuses two modules of one script name (products.ts and products.mjs)', async () => {
    const dir = providersDir({ acme: { 'syncs/products.ts': sync(), 'syncs/products.mjs': sync() } });
    const error = await loadError(dir);
    assert.match(error.message, /script "products" is also defined by .*products\.(ts|mjs); keep one/);
  });

  it('finds nothing in a directory without scripts', async () => {
    const registry = await load(providersDir({ acme: {} }));
    assert.equal(registry.size, 0);
  });

  it('accepts frequencies under a minute only when minFrequencyMs allows them', async () => {
    const dir = providersDir({ acme: { 'syncs/products.ts': sync({ frequency: "'30s'" }) } });
    const error = await loadError(dir);
    assert.match(error.message, /frequency: "30s" is more often than the shortest allowed, 60 s/);
    const registry = await load(dir, 1_000);
    assert.equal(getSync(registry, 'acme', 'products').frequency, '30s');
  });

  const invalidSyncs: Array<[string, Record<string, string>, string, RegExp]> = [
    ['a name other than the file name', { name: "'items'" }, 'name', /must equal the file name "products"/],
    ['an empty description', { description: "'  '" }, 'description', /must not be empty/],
    ['no description', { description: '' }, 'description', /description/],
    ['no models', { models: '{}' }, 'models', /at least one model/],
    [
      'a model that is not a zod schema',
      { models: '{ products: { id: "string" } }' },
      'models.products',
      /zod schema/,
    ],
    ['a frequency that does not parse', { frequency: "'15 minutes'" }, 'frequency', /not a duration/],
    ['no frequency', { frequency: '' }, 'frequency', /frequency/],
    ['no exec and no import', { exec: '' }, 'exec', /expected a function/],
    ['an exec that is not a function', { exec: "'run'" }, 'exec', /expected a function/],
    [
      'a checkpoint that is not a zod schema',
      { checkpoint: '{ cursor: "string" }' },
      'checkpoint',
      /zod schema/,
    ],
    ['an unknown field', { frequence: "'1h'" }, '(definition)', /frequence/],
    ['a negative timeout', { timeoutMs: '-5' }, 'timeoutMs', /timeoutMs/],
    [
      'an import without formats',
      { import: '{ formats: [], row: z.object({}), toRecords: () => [] }' },
      'import.formats',
      /import\.formats/,
    ],
  ];
  for (const [what, fields, field, message] of invalidSyncs) {
    it(`refuses a sync with ${what}, naming the file and the field`, async () => {
      const dir = providersDir({ acme: { 'syncs/products.ts': sync(fields) } });
      const error = await loadError(dir);
      assert.match(error.message, /acme[\\/]syncs[\\/]products\.ts/);
      assert.match(error.message, message);
      const details = error.details as { file: string; field: string };
      assert.equal(details.file, join(dir, 'acme', 'syncs', 'products.ts'));
      assert.equal(details.field, field);
      assert.equal(error.status, 500);
    });
  }

  const invalidActions: Array<[string, Record<string, string>, string]> = [
    ['a name other than the file name', { name: "'create'" }, 'name'],
    ['an input that is not a zod schema', { input: '{ amount: "number" }' }, 'input'],
    ['no output', { output: '' }, 'output'],
    ['no exec', { exec: '' }, 'exec'],
    ['no description', { description: "''" }, 'description'],
  ];
  for (const [what, fields, field] of invalidActions) {
    it(`refuses an action with ${what}`, async () => {
      const dir = providersDir({ acme: { 'actions/create-invoice.ts': action(fields) } });
      const error = await loadError(dir);
      assert.match(error.message, /acme[\\/]actions[\\/]create-invoice\.ts/);
      assert.equal((error.details as { field: string }).field, field);
    });
  }

  it('refuses a script file name that is not a slug', async () => {
    const dir = providersDir({ acme: { 'actions/Create_Invoice.ts': action({ name: "'Create_Invoice'" }) } });
    const error = await loadError(dir);
    assert.match(error.message, /name: expected a lowercase slug/);
  });

  it('refuses a script without a default export, or one that fails to import', async () => {
    const noDefault = providersDir({
      acme: { 'syncs/products.ts': `${HEADER}export const products = 1;\n` },
    });
    assert.match(
      (await loadError(noDefault)).message,
      /products\.ts: \(default export\): has no default export \(export default defineSync/,
    );
    const notObject = providersDir({ acme: { 'actions/create-invoice.ts': 'export default 42;\n' } });
    assert.match((await loadError(notObject)).message, /is not a defineAction/);
    const broken = providersDir({
      acme: { 'syncs/products.ts': `${HEADER}throw new Error('boom at import');\n` },
    });
    const error = await loadError(broken);
    assert.match(error.message, /products\.ts: \(module\): failed to load: boom at import/);
    assert.ok(error.cause instanceof Error);
  });

  describe('paginators', () => {
    const PAGINATOR = `${HEADER.replace('defineAction, defineSync', 'definePaginator')}export default definePaginator({
  position: 'cursor',
  options: z.object({ header: z.string() }),
  request: (_settings, listing) => listing,
  next: (settings, page) => (page.headers[settings.options.header] ? { type: 'cursor', cursor: page.headers[settings.options.header] } : null),
});
`;
    /** A provider folder whose definition pages with `pagination` (source text). */
    function paginated(pagination: string, files: Record<string, string>): string {
      const dir = providersDir({ acme: files });
      writeFileSync(
        join(dir, 'acme', 'definition.ts'),
        definition('acme').replace(
          "auth: { mode: 'none' },",
          `auth: { mode: 'none' },\n  proxy: { baseUrl: 'https://api.example.com' },\n  pagination: ${pagination},`,
        ),
      );
      return dir;
    }

    it("loads a provider's own paginators and checks the definition's options against them", async () => {
      const dir = paginated("{ type: 'custom', name: 'header-token', options: { header: 'x-next' } }", {
        'paginators/header-token.ts': PAGINATOR,
        'paginators/_helpers.ts': 'export const x = 1;\n',
      });
      const registry = await load(dir);
      const paginator = registry.get('acme')?.paginators.get('header-token');
      assert.equal(paginator?.position, 'cursor');
      assert.deepEqual([...(registry.get('acme')?.paginators.keys() ?? [])], ['header-token']);
    });

    it('refuses a custom pagination naming no paginator, or with options it refuses', async () => {
      const missing = paginated("{ type: 'custom', name: 'page-token' }", {
        'paginators/header-token.ts': PAGINATOR,
      });
      assert.match(
        (await loadError(missing)).message,
        /pagination\.name: no paginators\/page-token\.ts in its folder/,
      );
      const badOptions = paginated("{ type: 'custom', name: 'header-token', options: { header: 7 } }", {
        'paginators/header-token.ts': PAGINATOR,
      });
      assert.match(
        (await loadError(badOptions)).message,
        /pagination\.options: Invalid options for paginator/,
      );
    });

    it('refuses a paginator file that is not a definePaginator object', async () => {
      const dir = providersDir({
        acme: {
          'paginators/broken.ts': script("{ position: 'sideways', request: () => ({}), next: () => null }"),
        },
      });
      assert.match((await loadError(dir)).message, /broken\.ts: invalid script:\n {2}- position/);
    });
  });

  describe('webhook subscriptions and variants', () => {
    const SUBSCRIPTIONS = `${HEADER.replace('defineAction, defineSync', 'defineWebhookSubscriptions')}export default defineWebhookSubscriptions({
  topics: ['order.created', 'order.paid'],
  register: async () => ({ id: 'sub_1' }),
  list: async () => [],
  remove: async () => {},
});
`;
    const WEBHOOKS = "webhooks: { verification: { scheme: 'url_token' }, routing: { from: 'url' } },";

    /** Writes `acme` (with `files`) and `acme-keys`, a variant of it, whose definitions get `extra`. */
    function withVariant(
      files: Record<string, string>,
      variantFiles: Record<string, string> = {},
      extra = WEBHOOKS,
    ) {
      const dir = providersDir({ acme: files, 'acme-keys': variantFiles });
      writeFileSync(
        join(dir, 'acme', 'definition.ts'),
        definition('acme').replace("auth: { mode: 'none' },", `auth: { mode: 'none' },\n  ${extra}`),
      );
      writeFileSync(
        join(dir, 'acme-keys', 'definition.ts'),
        definition('acme-keys').replace(
          "auth: { mode: 'none' },",
          `auth: { mode: 'none' },\n  variantOf: 'acme',\n  ${extra}`,
        ),
      );
      return dir;
    }

    it("loads webhooks/subscriptions.ts, and gives a variant without scripts its provider's", async () => {
      const registry = await load(
        withVariant({ 'webhooks/subscriptions.ts': SUBSCRIPTIONS, 'syncs/products.ts': sync() }),
      );
      const acme = registry.get('acme');
      assert.deepEqual(acme?.webhookSubscriptions?.topics, ['order.created', 'order.paid']);
      const variant = registry.get('acme-keys');
      assert.equal(variant?.provider, 'acme-keys');
      assert.equal(variant?.webhookSubscriptions, acme?.webhookSubscriptions);
      assert.equal(variant?.syncs.get('products'), acme?.syncs.get('products'));
    });

    it('a variant with scripts of its own runs only its own', async () => {
      const registry = await load(
        withVariant({ 'webhooks/subscriptions.ts': SUBSCRIPTIONS }, { 'syncs/products.ts': sync() }),
      );
      assert.equal(registry.get('acme-keys')?.webhookSubscriptions, null);
      assert.deepEqual([...(registry.get('acme-keys')?.syncs.keys() ?? [])], ['products']);
      assert.equal(registry.get('acme')?.syncs.size, 0);
    });

    it('refuses a subscriptions script outside its contract, two of them, or no webhooks block to receive', async () => {
      const broken = withVariant({
        'webhooks/subscriptions.ts': SUBSCRIPTIONS.replace(
          "['order.created', 'order.paid']",
          "['a b', 'a b']",
        ),
      });
      const message = (await loadError(broken)).message;
      assert.match(message, /subscriptions\.ts: invalid script:/);
      assert.match(message, /topics\[0\]: expected an event type without whitespace/);
      assert.match(message, /topics: topics must not repeat/);
      const noRemove = withVariant({
        'webhooks/subscriptions.ts': SUBSCRIPTIONS.replace('remove: async () => {},', ''),
      });
      assert.match((await loadError(noRemove)).message, /- remove: expected a function/);
      const twice = withVariant({
        'webhooks/subscriptions.ts': SUBSCRIPTIONS,
        'webhooks/subscriptions.js': 'export default {};\n',
      });
      assert.match((await loadError(twice)).message, /"subscriptions" is also defined by/);
      const nowhere = withVariant({ 'webhooks/subscriptions.ts': SUBSCRIPTIONS }, {}, '');
      assert.match(
        (await loadError(nowhere)).message,
        /provider "acme": webhooks\/subscriptions\.ts registers webhooks, but the definition has no webhooks block/,
      );
    });
  });

  describe('webhook handlers', () => {
    const HANDLER_HEADER = `import { z } from '${ZOD_MODULE}';\nimport { defineWebhookHandler } from '${DEFINE_MODULE}';\n`;
    function handler(fields: Record<string, string> = {}): string {
      const all: Record<string, string> = {
        name: "'invoices'",
        description: "'Moves invoices'",
        events: "['invoice.paid', 'invoice.voided']",
        models: '{ invoices: z.object({ id: z.string() }) }',
        handle: 'async () => {}',
        ...fields,
      };
      const body = Object.entries(all)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
      return `${HANDLER_HEADER}export default defineWebhookHandler({ ${body} });\n`;
    }
    /** A provider folder whose definition receives webhooks. */
    function receiving(files: Record<string, string>): string {
      const dir = providersDir({ acme: files });
      writeFileSync(
        join(dir, 'acme', 'definition.ts'),
        definition('acme').replace(
          "auth: { mode: 'none' },",
          "auth: { mode: 'none' },\n  webhooks: { verification: { scheme: 'hmac', preset: 'github' }, routing: { from: 'integration' } },",
        ),
      );
      return dir;
    }

    it('loads webhooks/handlers/<name>, and no other module of webhooks/', async () => {
      const dir = receiving({
        'webhooks/handlers/invoices.ts': handler(),
        'webhooks/handlers/everything.ts': handler({ name: "'everything'", events: "['*']", models: '{}' }),
        'webhooks/handlers/_shared.ts': 'export const x = 1;\n',
        'webhooks/notes.ts': 'throw new Error("neither a handler nor the subscriptions: never imported");\n',
      });
      const handlers = (await load(dir)).get('acme')?.webhookHandlers;
      assert.deepEqual([...(handlers?.keys() ?? [])], ['everything', 'invoices']);
      assert.deepEqual(handlers?.get('invoices')?.events, ['invoice.paid', 'invoice.voided']);
    });

    for (const [what, fields, field] of [
      ['no events', { events: '[]' }, 'events'],
      ['an event type with a space', { events: "['invoice paid']" }, 'events[0]'],
      ['an event twice', { events: "['a.b', 'a.b']" }, 'events'],
      ['a model that is not a schema', { models: '{ invoices: 42 }' }, 'models.invoices'],
      ['no handle function', { handle: '' }, 'handle'],
      ['a name other than its file', { name: "'other'" }, 'name'],
      ['an unknown field', { proxy: 'true' }, '(record)'],
    ] as const) {
      it(`refuses a handler with ${what}`, async () => {
        const dir = receiving({ 'webhooks/handlers/invoices.ts': handler(fields) });
        const error = await loadError(dir);
        assert.match(error.message, /invoices\.ts: invalid script/);
        if (field !== '(record)') assert.equal((error.details as { field?: string }).field, field);
      });
    }

    it('refuses handlers in a provider that receives no webhooks', async () => {
      const dir = providersDir({ acme: { 'webhooks/handlers/invoices.ts': handler() } });
      assert.match(
        (await loadError(dir)).message,
        /holds handlers, but the definition has no webhooks block/,
      );
    });
  });

  it('gives a variant without scripts of its own its family’s (stripe-api-key runs stripe’s)', async () => {
    const catalog = await loadCatalog();
    const registry = await loadScripts({ catalog });
    const family = registry.get('stripe');
    const variant = registry.get('stripe-api-key');
    assert.ok(family && variant);
    assert.equal(variant.provider, 'stripe-api-key');
    assert.ok(variant.actions.has('create-invoices-from-rollup'));
    assert.equal(variant.actions, family.actions, 'the same scripts, not copies');
    const whop = registry.get('whop');
    const whopOAuth = registry.get('whop-oauth');
    assert.ok(whop && whopOAuth, 'whop has scripts, and its OAuth variant runs them');
    assert.equal(whopOAuth.syncs, whop.syncs);
    assert.ok(whopOAuth.syncs.has('memberships'));
  });

  it('refuses scripts in a folder that is not a provider of the catalog', async () => {
    const catalogDir = providersDir({ acme: {} });
    const scriptsDir = providersDir({ ghost: { 'syncs/products.ts': sync() } }, { definitions: false });
    const error = await loadError(scriptsDir, await loadCatalog({ dirs: [catalogDir] }));
    assert.match(error.message, /ghost: provider: has scripts but the catalog has no provider "ghost"/);
  });

  it('refuses the same provider scripts from two directories', async () => {
    const first = providersDir({ acme: { 'syncs/products.ts': sync() } });
    const second = providersDir({ acme: { 'actions/create-invoice.ts': action() } }, { definitions: false });
    const catalog = await loadCatalog({ dirs: [first] });
    await assert.rejects(
      loadScripts({ dirs: [first, second], catalog }),
      (err: unknown) =>
        isPatchbayError(err, 'script_definition_invalid') &&
        /already loaded from another directory/.test(err.message),
    );
  });
});

describe('getSync / getAction', () => {
  it('throw sync_not_found / action_not_found (404) listing what exists', async () => {
    const dir = providersDir({
      acme: { 'syncs/products.ts': sync(), 'actions/create-invoice.ts': action() },
    });
    const registry = await load(dir);
    assert.throws(
      () => getSync(registry, 'acme', 'orders'),
      (err: unknown) =>
        isPatchbayError(err, 'sync_not_found') &&
        err.status === 404 &&
        err.message.includes('available: products') &&
        (err.details as { available: string[] }).available[0] === 'products',
    );
    assert.throws(
      () => getAction(registry, 'acme', 'refund'),
      (err: unknown) =>
        isPatchbayError(err, 'action_not_found') &&
        err.status === 404 &&
        err.message.includes('create-invoice'),
    );
    assert.throws(
      () => getSync(registry, 'nobody', 'products'),
      (err: unknown) => isPatchbayError(err, 'sync_not_found') && err.message.includes('it has no syncs'),
    );
  });
});
