import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definitionFor, targetFor } from './fixtures/upstream.ts';
import { templateValuesOf } from './values.ts';

describe('proxy template values', () => {
  it('offers derived OAuth secrets (a page token) beside the access token, which wins a name clash', () => {
    const target = {
      ...targetFor(definitionFor('http://127.0.0.1:1')),
      credentials: {
        type: 'oauth2' as const,
        accessToken: 'user-token',
        secrets: { pageAccessToken: 'page-token', accessToken: 'not-this-one' },
      },
    };
    const values = templateValuesOf(target);
    assert.equal(values.pageAccessToken, 'page-token');
    assert.equal(values.accessToken, 'user-token');
  });
});
