/** Integrations: providers enabled in an environment with the host's own app credentials. */
export { createIntegrationsService, type IntegrationsServiceOptions, toIntegration } from './service.ts';
export type {
  CreateIntegrationInput,
  Integration,
  IntegrationSettings,
  IntegrationsService,
  ResolvableIntegrationRow,
  UpdateIntegrationInput,
} from './types.ts';
export { INTEGRATION_KEY, needsAppCredentials } from './validate.ts';
