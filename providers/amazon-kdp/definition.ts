import { defineProvider } from '../../src/scripts/index.ts';

/**
 * Amazon KDP has no public API for sales or royalties. Authors export reports from the KDP
 * Reports site and upload them; the provider's import script parses them into sales records.
 */
export default defineProvider({
  name: 'amazon-kdp',
  displayName: 'Amazon KDP',
  description: 'Book sales and royalties imported from KDP report exports.',
  categories: ['analytics', 'commerce'],
  logo: 'logo.svg',
  docsUrl: 'https://kdpreports.amazon.com/',
  auth: { mode: 'none' },
  reportImport: {
    formats: ['csv', 'xlsx'],
    source:
      'KDP Reports → Orders, Royalties or Dashboard → export (XLSX); CSV exports of the same reports are accepted.',
  },
});
