/**
 * What the connect page is told about an integration: its tile (name, description, logo) and the
 * form it needs, read from the provider definition. Field keys are the keys of the `values` the
 * auth module's connectWithCredentials takes: the field keys of an api_key definition,
 * `username`/`password` for basic, `clientId`/`clientSecret` for client credentials pasted per
 * connection. Nothing here is ever a secret.
 */
import type { z } from 'zod';
import {
  type AuthConfig,
  type Catalog,
  type CredentialInput,
  familyHead,
  methodLabel,
  type ProviderDefinition,
} from '../../catalog/index.ts';
import type { Integration } from '../../integrations/types.ts';
import type { connectCredentialFieldSchema, connectIntegrationSchema } from '../contract/connect-flow.ts';

export type ConnectIntegrationView = z.output<typeof connectIntegrationSchema>;
type CredentialFieldView = z.output<typeof connectCredentialFieldSchema>;

/**
 * The tile and form of `integration`, and the label of its button on its family's tile (which
 * names the family, hence the catalog); `publicUrl` without a trailing slash.
 */
export function presentIntegration(
  integration: Integration,
  definition: ProviderDefinition,
  catalog: Catalog,
  publicUrl: string,
): ConnectIntegrationView {
  return {
    key: integration.key,
    provider: integration.provider,
    displayName: integration.displayName ?? definition.displayName,
    description: definition.description,
    logoUrl: logoUrl(definition, publicUrl),
    authMode: definition.auth.mode,
    methodLabel: methodLabel(definition, familyHead(catalog, definition).displayName),
    connectionConfig: definition.connectionConfig.map((field) => ({
      key: field.key,
      label: field.label,
      help: field.help ?? null,
      pattern: field.pattern ?? null,
      example: field.example,
      required: field.required,
      default: field.default ?? null,
      options: field.options ? field.options.map((o) => ({ value: o.value, label: o.label })) : null,
    })),
    credentialFields: credentialFields(definition.auth),
  };
}

/** Data URIs travel inline; logo files and https logos through `/connect/logos/:provider`. */
export function logoUrl(definition: ProviderDefinition, publicUrl: string): string {
  if (definition.logo.startsWith('data:')) return definition.logo;
  return `${publicUrl}/connect/logos/${encodeURIComponent(definition.name)}`;
}

/** The credentials the end user pastes for a key-based mode; none for OAuth and `none`. */
export function credentialFields(auth: AuthConfig): CredentialFieldView[] {
  switch (auth.mode) {
    case 'api_key':
      return auth.fields.map((field) => ({
        key: field.key,
        label: field.label,
        secret: field.secret,
        required: field.required,
        help: field.help ?? null,
        pattern: field.pattern ?? null,
        example: field.example ?? null,
      }));
    case 'basic':
      return [
        fixedField('username', auth.username),
        ...(auth.password ? [fixedField('password', auth.password)] : []),
      ];
    case 'oauth2_client_credentials':
      if (auth.credentialsFrom !== 'connection' || !auth.clientIdInput || !auth.clientSecretInput) return [];
      return [fixedField('clientId', auth.clientIdInput), fixedField('clientSecret', auth.clientSecretInput)];
    case 'oauth2':
    case 'none':
      return [];
  }
}

function fixedField(key: string, input: CredentialInput): CredentialFieldView {
  return {
    key,
    label: input.label,
    secret: input.secret,
    required: true,
    help: input.help ?? null,
    pattern: input.pattern ?? null,
    example: null,
  };
}
