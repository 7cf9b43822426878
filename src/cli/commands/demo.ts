import type { Command } from 'commander';
import { PatchbayError } from '../../errors/index.ts';
import { startDemo } from '../demo/world.ts';
import { releaseYoungGeneration } from '../young-generation.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the engine beside provider emulators, with an end user connected, synced data and a webhook receiver',
    )
    .option('-p, --port <port>', 'HTTP port of the engine (0 picks a free one)', '4400')
    .option('--keep', 'keep the temporary data dir after stopping')
    .action(async (options: { port: string; keep?: boolean }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new PatchbayError('config_invalid', '--port must be an integer from 0 to 65535');
      }
      const started = Date.now();
      const say = (line: string) => process.stderr.write(`  ${line}\n`);
      process.stderr.write('Starting the Patchbay demo…\n');
      const demo = await startDemo({ port, keep: options.keep === true, say });
      releaseYoungGeneration();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const auth = `-H "Authorization: Bearer ${demo.apiKey}"`;
      process.stderr.write(
        [
          '',
          `Patchbay demo is ready (${seconds} s)`,
          `  API            ${demo.apiUrl}   (OpenAPI: ${demo.apiUrl}/openapi.json)`,
          `  API key        ${demo.apiKey}`,
          `  end user       ${demo.endUserId}, connection ${demo.connectionId} (Gumroad)`,
          `  records        ${Object.entries(demo.records)
            .map(([model, count]) => `${count} ${model}`)
            .join(', ')}`,
          `  receiver       ${demo.receiverUrl}   (${demo.deliveries()} signed deliveries so far; open it in a browser)`,
          `  Gumroad        ${demo.gumroadUrl}   (the emulator)`,
          `  data dir       ${demo.dataDir}${options.keep ? ' (kept)' : ' (removed on exit; --keep keeps it)'}`,
          '',
          'Look around:',
          `  curl -s ${auth} "${demo.apiUrl}/v1/connections"`,
          `  curl -s ${auth} "${demo.apiUrl}/v1/sync-runs?connectionId=${demo.connectionId}"`,
          `  curl -s ${auth} "${demo.apiUrl}/v1/records?connectionId=${demo.connectionId}&model=sales&limit=5"`,
          `  curl -s ${auth} "${demo.apiUrl}/v1/events?limit=20"`,
          `  curl -sN ${auth} "${demo.apiUrl}/v1/events/stream"   (live; Ctrl-C ends it)`,
          '',
          'Ctrl-C stops the demo.',
          '',
        ].join('\n'),
      );
      const stop = () => {
        void demo.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
