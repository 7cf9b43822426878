/**
 * The V8 flags `patchbay start` runs with (the package's `start` script and the `patchbay`
 * launcher's shebang carry them; a test keeps the three in step).
 *
 * V8's default sizing is for throughput on a big machine: its old generation may grow to a
 * quarter of the RAM and its young generation to 64 MB before collecting, so an engine whose live
 * heap is ~60–100 MB showed 330–410 MB resident during a large sync. With a 16 MB semi-space and a
 * 512 MB old-space limit the same sync peaks near 180–200 MB at the same records/s (measured with
 * `npm run bench -- sync`, docs/benchmarks.md); 512 MB is still five times the live heap of that
 * sync, so ordinary work never meets the limit. docs/configuration.md#memory says how to change it.
 */
export const ENGINE_NODE_FLAGS: readonly string[] = ['--max-old-space-size=512', '--max-semi-space-size=16'];
