export {
  type CreatePatchbayOptions,
  createPatchbay,
  type Patchbay,
  type PatchbayServices,
  type StartReport,
} from './create-patchbay.ts';
export { type EngineJobs, engineJobs } from './jobs.ts';
