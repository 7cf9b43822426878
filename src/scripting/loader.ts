/**
 * The script registry: syncs, actions and paginators discovered in provider folders at load
 * time, the way the catalog discovers definitions. `<dir>/<provider>/syncs/<name>.ts`,
 * `<dir>/<provider>/actions/<name>.ts` and `<dir>/<provider>/paginators/<name>.ts` (or `.mts`,
 * `.js`, `.mjs`: src/catalog/module-files.ts) each default-export one defineSync / defineAction /
 * definePaginator; the file name is the script's name. `<dir>/<provider>/webhooks/handlers/<name>.ts`
 * default-exports one defineWebhookHandler, and `<dir>/<provider>/webhooks/subscriptions.ts` the
 * provider's defineWebhookSubscriptions (handlers sit one folder below `webhooks/`, so that
 * folder's own modules are never read as handlers). Test files (`*.test.ts`), declarations
 * (`*.d.ts`) and helpers (`_*.ts`) are skipped. Every script is validated when it loads — and a
 * definition's custom pagination against the paginator it names — so a broken one stops startup
 * with its file and field named instead of failing on its first run.
 *
 * A definition with `variantOf` whose folder has no scripts runs those of the provider it is a
 * variant of (Stripe by API keys runs Stripe's): another way of connecting to the same API, with
 * the same syncs, actions, webhook handlers and subscriptions. A variant with scripts of its own
 * uses only its own.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { actionRunJob } from '../actions/jobs.ts';
import { describeIssues } from '../catalog/define.ts';
import { moduleFilesNamed, providerFolderNames, scriptModuleName } from '../catalog/module-files.ts';
import type { Pagination } from '../catalog/pagination.ts';
import { BUILTIN_PROVIDERS_DIR, type Catalog } from '../catalog/registry.ts';
import type { ProviderDefinition } from '../catalog/schema.ts';
import { PatchbayError } from '../errors/index.ts';
import { MAX_SYNC_TIMEOUT_MS } from '../syncs/jobs.ts';
import { parseDuration } from './duration.ts';
import { type CustomPaginator, customSettings } from './pagination/index.ts';
import type {
  ActionDefinition,
  ProviderScripts,
  ScriptRegistry,
  SyncDefinition,
  WebhookHandlerDefinition,
  WebhookSubscriptionsDefinition,
} from './types.ts';

/** The folders of a provider that hold scripts. */
export const SYNCS_FOLDER = 'syncs';
export const ACTIONS_FOLDER = 'actions';
export const PAGINATORS_FOLDER = 'paginators';
/** `webhooks/subscriptions.ts`: how the provider's webhooks are registered per connection. */
export const WEBHOOKS_FOLDER = 'webhooks';
export const WEBHOOK_SUBSCRIPTIONS_MODULE = 'subscriptions';
/** Webhook handlers: `webhooks/handlers/<name>.ts`. */
export const WEBHOOK_HANDLERS_FOLDER = join(WEBHOOKS_FOLDER, 'handlers');

/** The shortest sync frequency accepted by default: one minute. */
export const MIN_FREQUENCY_MS = 60_000;

export interface LoadScriptsOptions {
  /** Directories of provider folders; defaults to the built-in one, like loadCatalog. */
  dirs?: readonly string[];
  /** The loaded catalog: every provider folder with scripts must be a provider in it. */
  catalog: Catalog;
  /** Shortest sync frequency accepted (default one minute); tests lower it to seconds. */
  minFrequencyMs?: number;
}

/**
 * Discovers and validates every provider's syncs and actions. Throws `script_definition_invalid`
 * naming the file and the field for a script that fails to import, has no default export, or
 * fails validation (name not equal to the file name, empty description or models, a model or
 * checkpoint that is not a zod schema, a frequency that does not parse or is too short, a
 * missing exec), and for scripts in a folder that is not a provider of the catalog.
 */
export async function loadScripts(options: LoadScriptsOptions): Promise<ScriptRegistry> {
  const dirs = (options.dirs ?? [BUILTIN_PROVIDERS_DIR]).map((dir) => resolve(dir));
  const minFrequencyMs = options.minFrequencyMs ?? MIN_FREQUENCY_MS;
  const registry = new Map<string, ProviderScripts>();
  for (const dir of dirs) {
    for (const provider of providerFolders(dir)) {
      const folder = join(dir, provider);
      const syncFiles = scriptFiles(join(folder, SYNCS_FOLDER));
      const actionFiles = scriptFiles(join(folder, ACTIONS_FOLDER));
      const paginatorFiles = scriptFiles(join(folder, PAGINATORS_FOLDER));
      const handlerFiles = scriptFiles(join(folder, WEBHOOK_HANDLERS_FOLDER));
      const subscriptionsFile = singleModule(join(folder, WEBHOOKS_FOLDER), WEBHOOK_SUBSCRIPTIONS_MODULE);
      if (
        syncFiles.length === 0 &&
        actionFiles.length === 0 &&
        paginatorFiles.length === 0 &&
        handlerFiles.length === 0 &&
        subscriptionsFile === undefined
      )
        continue;
      if (!options.catalog.has(provider)) {
        throw invalid(folder, 'provider', `has scripts but the catalog has no provider "${provider}"`);
      }
      if (registry.has(provider)) {
        throw invalid(
          folder,
          'provider',
          `scripts of provider "${provider}" are already loaded from another directory`,
        );
      }
      const syncs = new Map<string, SyncDefinition>();
      for (const { name, file } of syncFiles) {
        syncs.set(
          name,
          validate(await importDefault(file, 'defineSync'), syncSchema(name, minFrequencyMs), file),
        );
      }
      const actions = new Map<string, ActionDefinition>();
      for (const { name, file } of actionFiles) {
        actions.set(name, validate(await importDefault(file, 'defineAction'), actionSchema(name), file));
      }
      const paginators = new Map<string, CustomPaginator<unknown>>();
      for (const { name, file } of paginatorFiles) {
        paginators.set(name, validate(await importDefault(file, 'definePaginator'), paginatorSchema, file));
      }
      const webhookHandlers = new Map<string, WebhookHandlerDefinition>();
      for (const { name, file } of handlerFiles) {
        webhookHandlers.set(
          name,
          validate(await importDefault(file, 'defineWebhookHandler'), webhookHandlerSchema(name), file),
        );
      }
      const webhookSubscriptions =
        subscriptionsFile === undefined
          ? null
          : validate<WebhookSubscriptionsDefinition>(
              await importDefault(subscriptionsFile, 'defineWebhookSubscriptions'),
              webhookSubscriptionsSchema,
              subscriptionsFile,
            );
      registry.set(provider, { provider, syncs, actions, paginators, webhookHandlers, webhookSubscriptions });
    }
  }
  inheritVariantScripts(options.catalog, registry);
  for (const definition of options.catalog.values()) {
    const scripts = registry.get(definition.name);
    checkCustomPagination(definition.name, definition.pagination, scripts);
    checkWebhookHandlers(definition.name, definition.webhooks !== undefined, scripts);
    checkWebhookSubscriptions(definition, scripts);
  }
  return new Map([...registry].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Gives each variant without scripts of its own (`variantOf`) the scripts of its provider, under
 * its own name: the registry is looked up by a connection's provider, which is the variant's.
 */
function inheritVariantScripts(catalog: Catalog, registry: Map<string, ProviderScripts>): void {
  for (const definition of catalog.values()) {
    if (definition.variantOf === undefined || registry.has(definition.name)) continue;
    const parent = registry.get(definition.variantOf);
    if (parent) registry.set(definition.name, { ...parent, provider: definition.name });
  }
}

/**
 * Webhook subscriptions need somewhere for the deliveries to go: a `webhooks` block in each
 * definition that runs them (its own or, for a variant, its provider's scripts).
 */
function checkWebhookSubscriptions(
  definition: ProviderDefinition,
  scripts: ProviderScripts | undefined,
): void {
  if (!scripts?.webhookSubscriptions || definition.webhooks !== undefined) return;
  throw new PatchbayError(
    'script_definition_invalid',
    `provider "${definition.name}": ${WEBHOOKS_FOLDER}/${WEBHOOK_SUBSCRIPTIONS_MODULE}.ts registers webhooks, but the definition has no webhooks block to verify and route them`,
    { details: { provider: definition.name, field: 'webhooks' } },
  );
}

/** A definition's `{ type: 'custom' }` pagination must name a paginator of its folder that takes its options. */
function checkCustomPagination(
  provider: string,
  pagination: Pagination | undefined,
  scripts: ProviderScripts | undefined,
): void {
  if (pagination?.type !== 'custom') return;
  const where = `provider "${provider}"`;
  const paginator = scripts?.paginators.get(pagination.name);
  if (!paginator) {
    throw new PatchbayError(
      'script_definition_invalid',
      `${where}: pagination.name: no ${PAGINATORS_FOLDER}/${pagination.name}.ts in its folder`,
      { details: { provider, field: 'pagination.name' } },
    );
  }
  try {
    customSettings(paginator, pagination);
  } catch (cause) {
    throw new PatchbayError(
      'script_definition_invalid',
      `${where}: pagination.options: ${cause instanceof Error ? cause.message : String(cause)}`,
      { details: { provider, field: 'pagination.options' }, cause },
    );
  }
}

/** Handlers need webhooks to handle: a definition without a `webhooks` block receives none. */
function checkWebhookHandlers(
  provider: string,
  receivesWebhooks: boolean,
  scripts: ProviderScripts | undefined,
) {
  if (receivesWebhooks || !scripts || scripts.webhookHandlers.size === 0) return;
  throw new PatchbayError(
    'script_definition_invalid',
    `provider "${provider}": ${WEBHOOK_HANDLERS_FOLDER}/ holds handlers, but the definition has no webhooks block to receive their events`,
    { details: { provider, field: 'webhooks' } },
  );
}

/** The sync `name` of `provider`; throws `sync_not_found` (404) listing the syncs it has. */
export function getSync(registry: ScriptRegistry, provider: string, name: string): SyncDefinition {
  const syncs = registry.get(provider)?.syncs;
  const sync = syncs?.get(name);
  if (sync) return sync;
  const available = [...(syncs?.keys() ?? [])].sort();
  throw new PatchbayError(
    'sync_not_found',
    `Provider "${provider}" has no sync named "${name}"${listing(available, 'syncs')}`,
    {
      details: { provider, name, available },
    },
  );
}

/** The action `name` of `provider`; throws `action_not_found` (404) listing the actions it has. */
export function getAction(registry: ScriptRegistry, provider: string, name: string): ActionDefinition {
  const actions = registry.get(provider)?.actions;
  const action = actions?.get(name);
  if (action) return action;
  const available = [...(actions?.keys() ?? [])].sort();
  throw new PatchbayError(
    'action_not_found',
    `Provider "${provider}" has no action named "${name}"${listing(available, 'actions')}`,
    { details: { provider, name, available } },
  );
}

function listing(available: string[], what: string): string {
  return available.length === 0 ? ` (it has no ${what})` : ` (available: ${available.join(', ')})`;
}

// Script names appear in URLs (`/syncs/<name>`), like provider names.
const scriptNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const modelName = z
  .string()
  .max(64)
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]*$/,
    'expected a model name of letters, digits, _ and - starting with a letter',
  );
const description = z.string().trim().min(1, 'must not be empty').max(1000);
const zodSchema = z.custom<z.ZodType>((value) => value instanceof z.ZodType, 'expected a zod schema');
const fn = z.custom<(...args: never[]) => unknown>(
  (value) => typeof value === 'function',
  'expected a function',
);
// A script's own time limit must fit in the job that runs it.
const syncTimeoutMs = z.number().int().positive().max(MAX_SYNC_TIMEOUT_MS).optional();
const actionTimeoutMs = z.number().int().positive().max(actionRunJob.timeoutMs).optional();

function nameField(expected: string) {
  return z
    .string()
    .regex(scriptNamePattern, 'expected a lowercase slug such as "create-invoice"')
    .refine((name) => name === expected, { message: `must equal the file name "${expected}"` });
}

function syncSchema(name: string, minFrequencyMs: number) {
  return z
    .strictObject({
      name: nameField(name),
      description,
      models: z
        .record(modelName, zodSchema)
        .refine((models) => Object.keys(models).length > 0, 'declare at least one model'),
      frequency: z.string().superRefine((value, ctx) => {
        let ms: number;
        try {
          ms = parseDuration(value);
        } catch (cause) {
          ctx.addIssue({ code: 'custom', message: cause instanceof Error ? cause.message : String(cause) });
          return;
        }
        if (ms < minFrequencyMs) {
          ctx.addIssue({
            code: 'custom',
            message: `"${value}" is more often than the shortest allowed, ${minFrequencyMs / 1000} s`,
          });
        }
      }),
      autoStart: z.boolean().optional(),
      checkpoint: zodSchema.optional(),
      trackDeletes: z.boolean().optional(),
      webhookEvents: z.array(z.string().min(1).max(200)).min(1).optional(),
      timeoutMs: syncTimeoutMs,
      import: z
        .strictObject({
          formats: z.array(z.enum(['csv', 'xlsx'])).min(1),
          row: zodSchema,
          toRecords: fn,
          sheet: z.union([z.string().min(1), z.number().int().positive()]).optional(),
          skipLines: z.number().int().nonnegative().optional(),
        })
        .optional(),
      exec: fn.optional(),
    })
    .superRefine((sync, ctx) => {
      // A sync either calls the API (exec) or ingests uploaded reports (import), or both.
      if (sync.exec === undefined && sync.import === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['exec'],
          message: 'expected a function (or an import block for report uploads)',
        });
      }
    });
}

const paginatorSchema = z.strictObject({
  position: z.enum(['cursor', 'offset', 'page', 'url']),
  options: zodSchema.optional(),
  request: fn,
  next: fn,
});

// Provider event types: `invoice.paid`, `orders/create`, `contact.propertyChange`…
const topic = z.string().min(1).max(200).regex(/^\S+$/, 'expected an event type without whitespace');

const webhookSubscriptionsSchema = z.strictObject({
  topics: z
    .array(topic)
    .min(1, 'declare at least one topic')
    .refine((topics) => new Set(topics).size === topics.length, 'topics must not repeat'),
  topicsPerSubscription: z.enum(['all', 'one']).optional(),
  appliesTo: fn.optional(),
  register: fn,
  list: fn,
  update: fn.optional(),
  remove: fn,
});

function webhookHandlerSchema(name: string) {
  return z.strictObject({
    name: nameField(name),
    description,
    // `*`: every event of the provider.
    events: z
      .array(topic)
      .min(1, 'declare at least one event type (or "*")')
      .refine((events) => new Set(events).size === events.length, 'event types must not repeat'),
    models: z.record(modelName, zodSchema),
    handle: fn,
  });
}

function actionSchema(name: string) {
  return z.strictObject({
    name: nameField(name),
    description,
    input: zodSchema,
    output: zodSchema,
    timeoutMs: actionTimeoutMs,
    resumable: z.boolean().optional(),
    exec: fn,
  });
}

/** Checks a script's default export; returns it as written (its exec keeps its `this`). */
function validate<T>(value: unknown, schema: z.ZodType, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = describeIssues(result.error);
    const first = issues[0];
    throw new PatchbayError(
      'script_definition_invalid',
      `${display(file)}: invalid script:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
      { details: { file, field: first?.path, issues }, cause: result.error },
    );
  }
  return value as T;
}

async function importDefault(file: string, helper: string): Promise<unknown> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (cause) {
    throw invalid(
      file,
      '(module)',
      `failed to load: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    );
  }
  if (module.default === undefined) {
    throw invalid(file, '(default export)', `has no default export (export default ${helper}({...}))`);
  }
  if (typeof module.default !== 'object' || module.default === null) {
    throw invalid(file, '(default export)', `the default export is not a ${helper}({...}) object`);
  }
  return module.default;
}

function providerFolders(dir: string): string[] {
  try {
    return providerFolderNames(dir);
  } catch (cause) {
    throw new PatchbayError('script_definition_invalid', `cannot read providers directory ${dir}`, {
      details: { file: dir },
      cause,
    });
  }
}

/**
 * The script modules of a syncs/, actions/, paginators/ or webhooks/handlers/ folder, sorted by name; none when the folder does
 * not exist. Two modules of one name (`orders.ts` and `orders.js`) are refused: which one would
 * run is not for the loader to guess.
 */
function scriptFiles(folder: string): Array<{ name: string; file: string }> {
  if (!existsSync(folder)) return [];
  const scripts = new Map<string, string>();
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const name = entry.isFile() ? scriptModuleName(entry.name) : undefined;
    if (name === undefined) continue;
    const file = join(folder, entry.name);
    const other = scripts.get(name);
    if (other !== undefined) {
      throw invalid(file, '(module)', `script "${name}" is also defined by ${display(other)}; keep one`);
    }
    scripts.set(name, file);
  }
  return [...scripts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, file]) => ({ name, file }));
}

/** The one module `<folder>/<name>.{ts,mts,js,mjs}`, if any; two of them are refused like two scripts of one name. */
function singleModule(folder: string, name: string): string | undefined {
  const [file, other] = moduleFilesNamed(folder, name);
  if (file !== undefined && other !== undefined) {
    throw invalid(other, '(module)', `"${name}" is also defined by ${display(file)}; keep one`);
  }
  return file;
}

function invalid(file: string, field: string, message: string, cause?: unknown): PatchbayError {
  return new PatchbayError('script_definition_invalid', `${display(file)}: ${field}: ${message}`, {
    details: { file, field },
    cause,
  });
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
