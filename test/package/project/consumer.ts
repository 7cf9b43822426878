/**
 * What a TypeScript host writes against the package, type-checked (never run): by
 * scripts/test-package.ts against the installed package's declarations, and in the repository by
 * `npm run typecheck` against the sources. Each `@ts-expect-error` fails the check if the types
 * it guards ever degrade to `any`.
 */
import { createPatchbay, isPatchbayError, type Patchbay } from 'patchbay';
import { type ActionContext, defineAction, defineSync, type PageCursor, z } from 'patchbay/scripts';
import {
  type ConnectResult,
  connect,
  type PatchbayClient,
  type SyncedRecord,
  verifyWebhook,
} from 'patchbay/sdk';

export async function startEngine(dataDir: string): Promise<Patchbay> {
  const engine = await createPatchbay({ config: { dataDir, port: 0 } });
  const report = await engine.start();
  const url: string | null = report.url;
  if (url === null) throw new Error('no API in this role');
  // @ts-expect-error: the config is typed, so a misspelt field is refused
  await createPatchbay({ config: { dataDirectory: dataDir } });
  return engine;
}

export function isNotFound(error: unknown): boolean {
  return isPatchbayError(error, 'not_found');
}

export async function readRecords(client: PatchbayClient, connectionId: string): Promise<SyncedRecord[]> {
  const page = await client.records.list({ connectionId, model: 'orders' });
  // @ts-expect-error: a record list needs the connection
  await client.records.list({ model: 'orders' });
  return page.data;
}

export function onClick(sessionToken: string): Promise<ConnectResult> {
  return connect({ sessionToken, baseUrl: 'https://patchbay.example.com' });
}

export function verified(body: string, headers: Record<string, string>, secret: string): unknown {
  return verifyWebhook(body, headers, secret);
}

const order = z.object({ id: z.string(), totalCents: z.number() });

export const orders = defineSync({
  name: 'orders',
  description: 'Orders.',
  models: { orders: order },
  frequency: '1h',
  checkpoint: z.object({ next: z.custom<PageCursor>().nullable() }),
  async exec(ctx) {
    await ctx.records.save('orders', [{ id: 'o1', totalCents: 100 }]);
    // @ts-expect-error: only declared models can be saved
    await ctx.records.save('customers', [{ id: 'c1' }]);
    const checkpoint = await ctx.checkpoint.get();
    if (checkpoint?.next) ctx.log.info({ next: checkpoint.next }, 'resuming');
  },
});

export const note = defineAction({
  name: 'create-note',
  description: 'Adds a note.',
  input: z.object({ text: z.string() }),
  output: z.object({ id: z.string() }),
  async exec(ctx: ActionContext, input) {
    // @ts-expect-error: the input is typed from its schema
    input.body;
    return ctx.proxy.sendJson<{ id: string }>('POST', '/notes', { text: input.text });
  },
});
