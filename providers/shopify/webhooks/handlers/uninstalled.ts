import { defineWebhookHandler } from '../../../../src/scripts/index.ts';

/**
 * `app/uninstalled`: the shop removed the app, which revokes its access token. The connection is
 * marked disconnected and the host is told (`connection.reauth_required`); installing the app
 * again reconnects it. Subscriptions go with the app at Shopify.
 */
export default defineWebhookHandler({
  name: 'uninstalled',
  description: 'app/uninstalled marks the connection disconnected',
  events: ['app/uninstalled'],
  models: {},
  async handle(ctx) {
    await ctx.connection.revoked({ code: 'app_uninstalled', message: 'The shop uninstalled the app' });
  },
});
