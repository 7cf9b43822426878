/**
 * Patchbay as a library: `createPatchbay(options)` returns the engine (start, stop, services) for
 * a host Node app. The CLI (`patchbay start`) is a thin wrapper over the same function.
 */

export { loadConfig, type PatchbayConfig, type PatchbayConfigInput } from './config/index.ts';
export {
  type CreatePatchbayOptions,
  createPatchbay,
  type Patchbay,
  type PatchbayServices,
  type StartReport,
} from './engine/index.ts';
export { type ErrorCode, isPatchbayError, PatchbayError } from './errors/index.ts';
export { PACKAGE_VERSION } from './version.ts';
