// A host's own provider in TypeScript: Node strips its types, as it does outside node_modules.
import { defineProvider, type ProviderDefinitionInput } from 'patchbay/scripts';

const definition: ProviderDefinitionInput = {
  name: 'beta',
  displayName: 'Beta',
  description: 'The Acme emulator again, as a provider written in TypeScript.',
  categories: ['other'],
  logo: 'https://beta.example.test/logo.svg',
  docsUrl: 'https://beta.example.test/docs',
  auth: {
    mode: 'api_key',
    fields: [{ key: 'apiKey', label: 'API key', secret: true }],
    test: { path: '/orders' },
  },
  proxy: { baseUrl: 'https://beta.example.test', headers: { Authorization: 'Bearer ${apiKey}' } },
};

export default defineProvider(definition);
