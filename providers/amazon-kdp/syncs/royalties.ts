import { defineSync } from '../../../src/scripts/index.ts';
import { KDP_SALES_SHEET, royaltyRowSchema, saleSchema, toSale } from '../models.ts';

/**
 * KDP royalties from an uploaded report (KDP has no API to pull them): the "Combined Sales"
 * sheet of the KDP Reports Dashboard export (XLSX), or the same sheet saved as CSV. Import only:
 * a run happens when a report is uploaded, never on a schedule. Each row becomes one sale whose
 * id is derived from the row's identity, so uploading overlapping reports updates, never
 * duplicates.
 */
export default defineSync({
  name: 'royalties',
  description: 'Book sales and royalties from KDP report exports (CSV or XLSX upload)',
  models: { sales: saleSchema },
  // Required of every sync; unused, as the sync is not started on a schedule.
  frequency: '1d',
  autoStart: false,
  import: {
    formats: ['csv', 'xlsx'],
    row: royaltyRowSchema,
    sheet: KDP_SALES_SHEET,
    toRecords: (rows) => rows.map((row) => ({ model: 'sales' as const, record: toSale(row) })),
  },
});
