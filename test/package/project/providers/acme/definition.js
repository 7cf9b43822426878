// A host's own provider in plain JavaScript, written against the public script API only.
import { defineProvider } from 'patchbay/scripts';

export default defineProvider({
  name: 'acme',
  displayName: 'Acme',
  description: 'Orders and notes of an Acme shop (the emulator in ../../emulator.js).',
  categories: ['commerce'],
  logo: 'https://acme.example.test/logo.svg',
  docsUrl: 'https://acme.example.test/docs',
  auth: {
    mode: 'api_key',
    fields: [{ key: 'apiKey', label: 'API key', secret: true }],
    test: { path: '/orders' },
  },
  proxy: { baseUrl: 'https://acme.example.test', headers: { Authorization: 'Bearer ${apiKey}' } },
  pagination: { type: 'cursor', cursorParam: 'cursor', cursorPath: 'next', resultsPath: 'orders' },
});
