/**
 * Checks of an integration's configuration against its provider definition, shared by create
 * and update. Each failure is a `validation_failed` naming the field, so the API answers 400.
 */
import { applyOverrides, type ProviderDefinition } from '../catalog/index.ts';
import { isPatchbayError, PatchbayError } from '../errors/index.ts';
import type { IntegrationSettings } from './types.ts';

/** Integration keys: lowercase letters, digits and dashes, starting with a letter or digit. */
export const INTEGRATION_KEY = /^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/;

/** One field that failed, in the shape the API uses for validation details. */
export interface FieldIssue {
  path: string;
  message: string;
}

export function invalid(issue: FieldIssue): PatchbayError {
  return new PatchbayError('validation_failed', `Invalid integration: ${issue.path}: ${issue.message}`, {
    details: { issues: [issue] },
  });
}

export function checkKey(key: string): void {
  if (!INTEGRATION_KEY.test(key)) {
    throw invalid({
      path: 'key',
      message: 'use 1 to 60 lowercase letters, digits and dashes, not starting or ending with a dash',
    });
  }
}

/** True when the provider's auth needs the host's own OAuth app (client id and secret). */
export function needsAppCredentials(definition: ProviderDefinition): boolean {
  const auth = definition.auth;
  return (
    auth.mode === 'oauth2' ||
    (auth.mode === 'oauth2_client_credentials' && auth.credentialsFrom === 'integration')
  );
}

/** OAuth providers cannot work without the host's client id and secret. */
export function checkAppCredentials(
  definition: ProviderDefinition,
  values: { clientId: string | null; hasClientSecret: boolean },
): void {
  if (!needsAppCredentials(definition)) return;
  if (!values.clientId) {
    throw invalid({
      path: 'clientId',
      message: `${definition.displayName} uses OAuth: give the client id of your OAuth app at ${definition.displayName}`,
    });
  }
  if (!values.hasClientSecret) {
    throw invalid({
      path: 'clientSecret',
      message: `${definition.displayName} uses OAuth: give the client secret of your OAuth app at ${definition.displayName}`,
    });
  }
}

export function checkScopes(scopes: readonly string[] | null): void {
  if (scopes === null) return;
  scopes.forEach((scope, index) => {
    if (scope === '' || /\s/.test(scope)) {
      throw invalid({ path: `scopes.${index}`, message: 'a scope is a non-empty word without whitespace' });
    }
  });
}

/** Base-URL overrides must match the definition (catalog applyOverrides); the redirect URI must be http(s). */
export function checkSettings(
  definition: ProviderDefinition,
  settings: IntegrationSettings,
): ProviderDefinition {
  if (settings.redirectUri !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(settings.redirectUri);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash !== '') {
      throw invalid({
        path: 'settings.redirectUri',
        message: 'must be an absolute http(s) URL without a fragment',
      });
    }
  }
  return withOverrides(definition, settings);
}

/** The definition with the integration's base URLs applied; a bad override is a validation error. */
export function withOverrides(
  definition: ProviderDefinition,
  settings: IntegrationSettings,
): ProviderDefinition {
  const baseUrls = settings.baseUrls ?? {};
  if (Object.keys(baseUrls).length === 0) return definition;
  try {
    return applyOverrides(definition, { baseUrls });
  } catch (error) {
    if (isPatchbayError(error, 'config_invalid')) {
      throw new PatchbayError(
        'validation_failed',
        `Invalid integration: settings.baseUrls: ${error.message}`,
        {
          details: { issues: [{ path: 'settings.baseUrls', message: error.message }] },
          cause: error,
        },
      );
    }
    throw error;
  }
}
