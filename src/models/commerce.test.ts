import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type InvoiceStatus, invoiceModel, invoiceStatus, invoiceStatusMayMove } from './commerce.ts';

describe('commerce models', () => {
  it('never moves an invoice status backwards; paid and void are final', () => {
    const allowed: Array<[InvoiceStatus, InvoiceStatus]> = [
      ['draft', 'open'],
      ['draft', 'paid'],
      ['open', 'paid'],
      ['open', 'void'],
      ['open', 'uncollectible'],
      ['uncollectible', 'paid'],
      ['uncollectible', 'void'],
      ['paid', 'paid'],
    ];
    for (const [from, to] of allowed) assert.ok(invoiceStatusMayMove(from, to), `${from} → ${to}`);
    const refused: Array<[InvoiceStatus, InvoiceStatus]> = [
      ['paid', 'open'],
      ['paid', 'draft'],
      ['paid', 'void'],
      ['void', 'paid'],
      ['void', 'open'],
      ['open', 'draft'],
      ['uncollectible', 'open'],
    ];
    for (const [from, to] of refused) assert.ok(!invoiceStatusMayMove(from, to), `${from} → ${to}`);
    // Every pair is decided, and a status may always stay where it is.
    for (const status of invoiceStatus.options) assert.ok(invoiceStatusMayMove(status, status));
  });

  it('refuses amounts that are not minor units and upper-case currencies', () => {
    const invoice = {
      id: 'in_1',
      number: null,
      status: 'draft',
      customerId: 'cus_1',
      customerEmail: null,
      currency: 'usd',
      subtotal: 4200,
      total: 4200,
      amountDue: 4200,
      amountPaid: 0,
      amountRemaining: 4200,
      hostedUrl: null,
      pdfUrl: null,
      collection: 'send_invoice',
      dueAt: null,
      createdAt: '2026-12-07T10:00:00Z',
      finalizedAt: null,
      paidAt: null,
      voidedAt: null,
      lines: [],
      metadata: { buyerId: 'b1' },
      raw: { object: 'invoice' },
    };
    assert.ok(invoiceModel.safeParse(invoice).success);
    assert.ok(!invoiceModel.safeParse({ ...invoice, total: 42.5 }).success);
    assert.ok(!invoiceModel.safeParse({ ...invoice, currency: 'USD' }).success);
    assert.ok(!invoiceModel.safeParse({ ...invoice, metadata: { n: 1 } }).success);
  });
});
