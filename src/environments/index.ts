export {
  API_KEY_PREFIX,
  displayPrefix,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  type RandomSource,
} from './api-key-format.ts';
export {
  createEnvironmentsService,
  type EnvironmentsService,
  type EnvironmentsServiceOptions,
  LAST_USED_RESOLUTION_MS,
  MAX_AUTH_CACHE_MS,
} from './service.ts';
export {
  type ApiKey,
  type AuthenticatedKey,
  type BootstrapResult,
  type CreatedApiKey,
  ENVIRONMENT_NAMES,
  type Environment,
  type EnvironmentName,
} from './types.ts';
