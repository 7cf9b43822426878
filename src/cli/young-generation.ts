/**
 * Keeps V8's young generation (the new space) small while the command line starts.
 *
 * Loading the program's modules and assembling the engine allocate at a high rate, so V8 doubles
 * the new space several times, to 64 MB, and an idle `patchbay start` keeps those pages
 * resident. A growth factor of 1 holds the new space at its initial size meanwhile; what start-up
 * allocates is mostly long-lived (code, schemas, routes) and would be promoted anyway. Once the
 * engine is ready (or, for other commands, before their action runs) V8's default is restored,
 * so the young generation grows under real load exactly as before: throughput is unchanged.
 *
 * `--semi-space-growth-factor` is one of the V8 flags read each time the new space grows, so
 * setting it at run time takes effect (unlike `--max-semi-space-size`, which is fixed when the
 * heap is created). Nothing is changed when the operator passes the flag to node themselves.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--semi-space-growth-factor';
// V8's default (`node --v8-options`); a flag's value cannot be read back from JavaScript.
const V8_DEFAULT = 2;

let held = false;

export function holdYoungGeneration(): void {
  // V8 flags other than a few heap sizes are refused in NODE_OPTIONS, so node's arguments suffice.
  if (held || process.execArgv.some((arg) => arg.startsWith(FLAG))) return;
  setFlagsFromString(`${FLAG}=1`);
  held = true;
}

/** Restores V8's default growth; idempotent. */
export function releaseYoungGeneration(): void {
  if (!held) return;
  setFlagsFromString(`${FLAG}=${V8_DEFAULT}`);
  held = false;
}
