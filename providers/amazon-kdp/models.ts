/**
 * Amazon KDP report rows and the normalized `sales` model they become.
 *
 * KDP has no sales API: authors export reports from KDP Reports. The row schema follows the
 * "Combined Sales" sheet of the Dashboard export (also saved as CSV), one row per royalty date,
 * book, marketplace, royalty type and transaction type:
 *   Royalty Date · Title · Author Name · ASIN/ISBN · Marketplace · Royalty Type · Transaction Type ·
 *   Units Sold · Units Refunded · Net Units Sold · Avg. List Price without tax ·
 *   Avg. Offer Price without tax · Avg. Delivery/Manufacturing cost · Royalty · Currency
 * Amounts are decimals in the row's currency ("3.49", "245" for yen); XLSX cells hold numbers
 * and dates, CSV cells hold text, so every coercion accepts both.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The sheet of the Dashboard export that lists royalties row by row. */
export const KDP_SALES_SHEET = 'Combined Sales';

const DECIMAL = /^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$/;

/** A cell as trimmed text ('' when empty); numbers keep all their digits. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? numberText(value) : String(value);
  return String(value).trim();
}

// Plain decimal notation, never exponent form (1e-7), trailing zeros dropped.
function numberText(value: number): string {
  return value.toFixed(10).replace(/\.?0+$/, '');
}

/** A decimal as KDP writes it: "1,234.56", "-3.49", "0" (a number cell is taken as is). */
function decimal(required: boolean) {
  return z.unknown().transform((value, ctx): string | null => {
    const text = cellText(value);
    if (text === '' || text === '-' || text === 'N/A') {
      if (!required) return null;
      ctx.addIssue({ code: 'custom', message: 'a value is required but the cell is empty' });
      return z.NEVER;
    }
    if (!DECIMAL.test(text) || text === '.' || /^[-+]$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `expected a number, got '${text.slice(0, 40)}'` });
      return z.NEVER;
    }
    return text.replace(/,/g, '').replace(/^\+/, '');
  });
}

/** A whole count of units ("12", "1,024"; a refund row may be negative). */
const units = z.unknown().transform((value, ctx): number => {
  const text = cellText(value);
  const digits = text.replace(/,/g, '');
  if (!DECIMAL.test(text) || !/^-?\d+(\.0+)?$/.test(digits)) {
    const message =
      text === ''
        ? 'a value is required but the cell is empty'
        : `expected a whole number, got '${text.slice(0, 40)}'`;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return Number.parseInt(digits, 10);
});

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A calendar date as YYYY-MM-DD. KDP writes ISO dates ("2026-03-15"); spreadsheets re-saved by
 * hand turn them into US dates ("3/15/2026"), "Mar 15, 2026" or date cells (read as UTC
 * midnight, which is how exceljs gives them).
 */
const calendarDate = z.unknown().transform((value, ctx): string => {
  const date = value instanceof Date ? isoFromDate(value) : isoFromText(cellText(value));
  if (date === null) {
    const text = value instanceof Date ? 'an invalid date' : cellText(value);
    const message =
      text === ''
        ? 'a value is required but the cell is empty'
        : `expected a date like 2026-03-15, got '${text.slice(0, 40)}'`;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return date;
});

function isoFromDate(date: Date): string | null {
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

function isoFromText(text: string): string | null {
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(text);
  if (match) return validDate(Number(match[1]), Number(match[2]), Number(match[3]));
  match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (match) return validDate(Number(match[3]), Number(match[1]), Number(match[2]));
  match = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})$/.exec(text);
  if (match) {
    const month = MONTHS.indexOf(match[1]!.toLowerCase()) + 1;
    return month === 0 ? null : validDate(Number(match[3]), month, Number(match[2]));
  }
  return null;
}

function validDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return null;
  return date.toISOString().slice(0, 10);
}

const requiredText = z.unknown().transform((value, ctx): string => {
  const text = cellText(value);
  if (text === '') {
    ctx.addIssue({ code: 'custom', message: 'a value is required but the cell is empty' });
    return z.NEVER;
  }
  return text;
});

const optionalText = z.unknown().transform((value): string | null => cellText(value) || null);

const currencyCode = z.unknown().transform((value, ctx): string => {
  const text = cellText(value).toUpperCase();
  if (!/^[A-Z]{3}$/.test(text) || !Intl.supportedValuesOf('currency').includes(text)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a currency code such as USD, got '${cellText(value).slice(0, 40)}'`,
    });
    return z.NEVER;
  }
  return text;
});

const productId = z.unknown().transform((value, ctx): string => {
  const text = cellText(value).toUpperCase();
  // An ASIN is 10 letters and digits; a paperback or hardcover row carries its ISBN-13 or ISBN-10.
  if (!/^[A-Z0-9]{10}$/.test(text) && !/^\d{13}$/.test(text.replace(/-/g, ''))) {
    const message =
      text === ''
        ? 'a value is required but the cell is empty'
        : `expected an ASIN (10 letters and digits) or an ISBN, got '${text.slice(0, 40)}'`;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return text.replace(/-/g, '');
});

/** One row of a KDP royalties report, keyed by its column headers, with values coerced. */
export const royaltyRowSchema = z.object({
  'Royalty Date': calendarDate,
  Title: requiredText,
  'Author Name': optionalText,
  'ASIN/ISBN': productId,
  Marketplace: requiredText,
  'Royalty Type': optionalText,
  'Transaction Type': optionalText,
  'Units Sold': units,
  'Units Refunded': units,
  'Net Units Sold': units,
  'Avg. List Price without tax': decimal(false),
  'Avg. Offer Price without tax': decimal(false),
  Royalty: decimal(true),
  Currency: currencyCode,
});

/** A validated report row. */
export type RoyaltyRow = z.output<typeof royaltyRowSchema>;

/**
 * A KDP sale: one report row, normalized like other providers' `sales` (amounts in minor units,
 * lower-case ISO 4217 currency, the product's id and name).
 */
export const saleSchema = z.object({
  /** Derived from the row's identity, so importing the same report again changes nothing. */
  id: z.string(),
  productId: z.string(),
  productName: z.string(),
  author: z.string().nullable(),
  /** The royalty earned, in minor units of `currency` (negative for net refunds). */
  amount: z.number().int(),
  currency: z.string().regex(/^[a-z]{3}$/),
  /** Net units: sold minus refunded. */
  quantity: z.number().int(),
  unitsSold: z.number().int(),
  unitsRefunded: z.number().int(),
  marketplace: z.string(),
  royaltyType: z.string().nullable(),
  transactionType: z.string().nullable(),
  /** Average list and offer prices without tax, minor units; null when KDP leaves them blank. */
  listPrice: z.number().int().nullable(),
  offerPrice: z.number().int().nullable(),
  /** The day the royalty was earned (YYYY-MM-DD) and the same instant as ISO (UTC midnight). */
  royaltyDate: z.string(),
  createdAt: z.string(),
});

/** A normalized KDP sale. */
export type Sale = z.output<typeof saleSchema>;

/** Maps a validated row to a sale. */
export function toSale(row: RoyaltyRow): Sale {
  const currency = row.Currency;
  const identity = [
    row['Royalty Date'],
    row['ASIN/ISBN'],
    row.Marketplace.toLowerCase(),
    row['Royalty Type'] ?? '',
    row['Transaction Type'] ?? '',
    currency,
  ];
  return {
    id: `kdp_${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32)}`,
    productId: row['ASIN/ISBN'],
    productName: row.Title,
    author: row['Author Name'],
    amount: toMinorUnits(row.Royalty!, currency),
    currency: currency.toLowerCase(),
    quantity: row['Net Units Sold'],
    unitsSold: row['Units Sold'],
    unitsRefunded: row['Units Refunded'],
    marketplace: row.Marketplace,
    royaltyType: row['Royalty Type'],
    transactionType: row['Transaction Type'],
    listPrice:
      row['Avg. List Price without tax'] === null
        ? null
        : toMinorUnits(row['Avg. List Price without tax'], currency),
    offerPrice:
      row['Avg. Offer Price without tax'] === null
        ? null
        : toMinorUnits(row['Avg. Offer Price without tax'], currency),
    royaltyDate: row['Royalty Date'],
    createdAt: `${row['Royalty Date']}T00:00:00.000Z`,
  };
}

/**
 * A decimal string in a currency's minor units ("3.49" USD → 349, "245" JPY → 245), rounded
 * half away from zero, computed on the digits so no binary fraction creeps in.
 */
export function toMinorUnits(decimalText: string, currency: string): number {
  const exponent =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const negative = decimalText.startsWith('-');
  const [whole = '', fraction = ''] = decimalText.replace(/^-/, '').split('.');
  const padded = fraction.padEnd(exponent + 1, '0');
  let minor = Number(whole || '0') * 10 ** exponent + Number(padded.slice(0, exponent) || '0');
  if (Number(padded[exponent]) >= 5) minor += 1;
  return negative && minor !== 0 ? -minor : minor;
}
