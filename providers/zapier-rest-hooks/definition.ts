import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Zapier REST Hooks run the other way round: the host product is the "app" and Zapier subscribes
 * to it. When a Zap is turned on, Zapier calls the host's subscribe endpoint (backed by Patchbay's
 * API) with a unique hooks.zapier.com target URL; Patchbay then posts matching events there, and
 * drops the subscription when Zapier answers 410 Gone or calls unsubscribe. Nothing is called on
 * Zapier's side with credentials, so there is no auth and no proxy.
 */
export default defineProvider({
  name: 'zapier-rest-hooks',
  displayName: 'Zapier',
  description: 'Trigger Zaps instantly from your product’s events through REST Hooks.',
  categories: ['automation'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.zapier.com/platform/build/hook-trigger',
  auth: { mode: 'none' },
  restHooks: {
    targetUrlPattern: '^https://hooks\\.zapier\\.com/[A-Za-z0-9/_-]+$',
    removeOnStatus: [410],
    deliveryFormat: 'object',
  },
});
