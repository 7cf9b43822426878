export { type LoadConfigOptions, loadConfig, parseConfig } from './load.ts';
export {
  CONFIG_ENV,
  CONFIG_FILE_ENV,
  configSchema,
  type PatchbayConfig,
  type PatchbayConfigInput,
} from './schema.ts';
