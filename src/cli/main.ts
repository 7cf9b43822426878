/**
 * The `patchbay` command line's entry point: it prepares the runtime, then loads the program
 * (./program.ts). Static imports here would be loaded before that preparation, hence the dynamic
 * import. Both measures are about start-up (docs/benchmarks.md, "Start-up"):
 *
 * - Node's module compile cache: every module loaded after the call — the engine's TypeScript,
 *   Fastify, Kysely, zod… — comes from V8's on-disk code cache instead of being type-stripped
 *   and compiled again. Without an argument Node uses NODE_COMPILE_CACHE when set, else
 *   <tmpdir>/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off. It never throws: a
 *   directory that cannot be written only means compiling as before. (bin/patchbay.js turns it
 *   on before this file is loaded, so that not even this file needs the type stripper.)
 * - The young generation is held at its initial size until the command runs or, for `start`,
 *   until the engine is ready (./young-generation.ts).
 */
import { enableCompileCache } from 'node:module';
import { holdYoungGeneration } from './young-generation.ts';

holdYoungGeneration();
enableCompileCache();
await import('./program.ts');
