/**
 * The values a definition's proxy templates may use for one call: connection config, metadata,
 * credential values (`accessToken`, API key fields, `username`/`password`…) and the
 * integration's OAuth client (`clientId`, `clientSecret`). See src/catalog/references.ts for
 * which of them a definition may reference where; the schema has already checked that.
 */
import type { TemplateValues } from '../catalog/index.ts';
import type { CallTarget } from './types.ts';

export function templateValuesOf(target: CallTarget): TemplateValues {
  const values: Record<string, string | undefined> = { ...target.connectionConfig };
  for (const [key, value] of Object.entries(target.metadata)) {
    if (typeof value === 'string') values[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
  }
  const credentials = target.credentials;
  switch (credentials.type) {
    case 'oauth2':
      Object.assign(values, credentials.secrets);
      values.accessToken = credentials.accessToken;
      values.refreshToken = credentials.refreshToken;
      break;
    case 'oauth2_client_credentials':
      values.accessToken = credentials.accessToken;
      break;
    case 'api_key':
      Object.assign(values, credentials.values);
      break;
    case 'basic':
      values.username = credentials.username;
      values.password = credentials.password;
      break;
    case 'none':
      break;
  }
  if (target.integration.clientId !== null) values.clientId = target.integration.clientId;
  if (target.integration.clientSecret !== null) values.clientSecret = target.integration.clientSecret;
  return values;
}
