import { defineProvider } from '../../src/scripts/index.ts';

/**
 * A self-hosted Medusa v2 backend's Admin API. A secret API key is sent the way Medusa's own JS
 * SDK sends it: HTTP basic with the key as the username and an empty password.
 */
export default defineProvider({
  name: 'medusajs',
  displayName: 'Medusa',
  description: 'Products, orders and customers of a self-hosted Medusa store.',
  categories: ['commerce'],
  logo: 'logo.svg',
  docsUrl: 'https://docs.medusajs.com/api/admin',
  connectionConfig: [
    {
      key: 'backendUrl',
      label: 'Medusa backend URL',
      pattern: '^https://[a-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]+)*/?$',
      example: 'https://commerce.example.com',
      help: 'Where your Medusa application is served; the Admin API lives under /admin.',
    },
  ],
  auth: {
    mode: 'api_key',
    fields: [
      {
        key: 'apiKey',
        label: 'Secret API key',
        secret: true,
        help: 'Medusa Admin → Settings → Secret API Keys.',
      },
    ],
    test: { path: '/users/me' },
  },
  proxy: { baseUrl: '${backendUrl}/admin', basicAuth: { username: '${apiKey}', password: '' } },
  pagination: { type: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: 100, totalPath: 'count' },
});
