import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Slack by OAuth v2 (bot token). Without token rotation the bot token never expires; with
 * rotation on, it lasts 12 hours and each refresh returns a new refresh token. Errors come back as
 * HTTP 200 with `ok: false`.
 */
export default defineProvider({
  name: 'slack',
  displayName: 'Slack',
  description: 'Post messages and read channels in a Slack workspace.',
  categories: ['messaging', 'productivity'],
  logo: 'logo.svg',
  docsUrl: 'https://api.slack.com/authentication/oauth-v2',
  auth: {
    mode: 'oauth2',
    authorizationUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    revokeUrl: 'https://slack.com/api/auth.revoke',
    revokeRequest: { format: 'none', headers: { Authorization: 'Bearer ${accessToken}' } },
    defaultScopes: ['chat:write', 'channels:read'],
    scopeSeparator: ',',
    tokenEndpointAuth: 'client_secret_post',
    refresh: true,
    rotatesRefreshToken: true,
    tokenResponse: { okPath: 'ok' },
    connectionMetadata: {
      tokenResponse: {
        teamId: { path: 'team.id', example: 'T0123ABCD' },
        teamName: { path: 'team.name', example: 'Acme' },
        botUserId: { path: 'bot_user_id', example: 'U0KRQLJ9H' },
      },
    },
  },
  proxy: { baseUrl: 'https://slack.com/api', headers: { Authorization: 'Bearer ${accessToken}' } },
  // Results sit under a method-specific key (channels, members, messages): syncs name it.
  pagination: {
    type: 'cursor',
    cursorParam: 'cursor',
    cursorPath: 'response_metadata.next_cursor',
    limitParam: 'limit',
    limit: 200,
  },
  // Limits are per method tier; Tier 2 (20+ per minute, e.g. conversations.list) is the safe floor.
  rateLimit: { requests: 20, windowSeconds: 60 },
  webhooks: {
    verification: { scheme: 'hmac', preset: 'slack' },
    routing: { from: 'body', path: 'team_id', connectionKey: 'teamId' },
    eventIdPath: 'event_id',
    eventTypePath: 'event.type',
    handshake: { kind: 'body_challenge' },
    // Slack's retries say which attempt they are and why.
    keepHeaders: ['x-slack-retry-num', 'x-slack-retry-reason'],
  },
});
