import { defineWebhookHandler } from '../../../../src/scripts/index.ts';

/**
 * `account.application.deauthorized`: the connected account removed the platform's app (in its
 * Stripe dashboard, or through `POST /oauth/deauthorize`). The grant is gone, so the connection
 * is marked disconnected and the host is told (`connection.reauth_required`); the end user
 * connects again to restore it. Stripe sends it to the platform's Connect endpoint with the
 * account in `account`, which routes it to that account's connection
 * (https://docs.stripe.com/connect/oauth-reference#deauthorization-webhooks).
 */
export default defineWebhookHandler({
  name: 'deauthorized',
  description: 'account.application.deauthorized marks the connection disconnected',
  events: ['account.application.deauthorized'],
  models: {},
  async handle(ctx) {
    await ctx.connection.revoked({
      code: 'access_revoked',
      message: 'The Stripe account disconnected the platform’s application',
    });
  },
});
