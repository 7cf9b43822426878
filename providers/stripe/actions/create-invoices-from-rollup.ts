import { defineAction } from '../../../src/scripts/index.ts';
import { invoiceRollup, rollupInput, rollupOutput } from '../rollup.ts';

/**
 * The live-selling flow: one finalized invoice per buyer of a rollup (a show), with
 * `metadata.rollupId`, `buyerId` and `handle`. Running it again creates nothing twice; one
 * buyer's failure is reported for that buyer. Large rollups run as a job (`async: true`) with
 * progress on the run, and resume after a crash without invoicing anyone twice.
 */
export default defineAction({
  name: 'create-invoices-from-rollup',
  description:
    'Invoices every buyer of a rollup (e.g. a live show) once: one finalized Stripe invoice per buyer, idempotent per rollup and buyer.',
  input: rollupInput,
  output: rollupOutput,
  // 1,000 buyers at Stripe's test-mode 25 writes a second take minutes; the job allows 15.
  timeoutMs: 14 * 60_000,
  resumable: true,
  exec: invoiceRollup,
});
