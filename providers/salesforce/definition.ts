import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Salesforce REST API by the OAuth web server flow with PKCE. The org's API host is not known
 * until the token exchange: `instance_url` from the token response becomes the proxy's origin.
 * The token response has no expires_in; sessions last two hours unless the org changed it.
 */
export default defineProvider({
  name: 'salesforce',
  displayName: 'Salesforce',
  description: 'Leads, contacts, accounts and opportunities in Salesforce.',
  categories: ['crm'],
  logo: 'logo.svg',
  docsUrl: 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5',
  connectionConfig: [
    {
      key: 'loginHost',
      label: 'Login host',
      pattern: '^(?:(?:login|test)\\.salesforce\\.com|[a-z0-9-]+(?:\\.sandbox)?\\.my\\.salesforce\\.com)$',
      default: 'login.salesforce.com',
      example: 'login.salesforce.com',
      help: 'login.salesforce.com for production, test.salesforce.com for sandboxes, or your My Domain host.',
    },
  ],
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://${loginHost}/services/oauth2/authorize',
    tokenUrl: 'https://${loginHost}/services/oauth2/token',
    revokeUrl: 'https://${loginHost}/services/oauth2/revoke',
    defaultScopes: ['api', 'refresh_token'],
    tokenEndpointAuth: 'client_secret_post',
    pkce: true,
    refresh: true,
    tokenExpiresInDefault: 7200,
    connectionMetadata: {
      tokenResponse: {
        instanceUrl: { path: 'instance_url', example: 'https://acme.my.salesforce.com' },
        identityUrl: {
          path: 'id',
          example: 'https://login.salesforce.com/id/00D5g000004FxxAEAC/0055g00000AbCdEAAX',
        },
      },
    },
  },
  proxy: {
    baseUrl: '${instanceUrl}/services/data/v62.0',
    headers: { Authorization: 'Bearer ${accessToken}' },
  },
  // SOQL query results continue at nextRecordsUrl, a path on the instance host.
  pagination: { type: 'next_url', nextUrlPath: 'nextRecordsUrl', resultsPath: 'records' },
});
