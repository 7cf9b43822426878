import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchbayError } from '../errors/index.ts';
import { isYamlFile, parsePlansFile, subscriptionRulesForEnvironment } from './file.ts';

function refused(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(isPatchbayError(error, 'config_invalid'), String(error));
    assert.match(error.message, pattern);
    return true;
  };
}

const YAML = `plans:
  - key: free
    name: Free
    rank: 0
    default: true
  - key: pro
    name: Pro
    rank: ten
subscriptionRules:
  - key: billing
    integrationKey: stripe
    endUser: { from: connection }
    plans:
      - { planKey: pro, path: items.priceId, values: [price_pro] }
`;

describe('the plans file formats', () => {
  it('reads YAML by extension, JSON otherwise, to the same schema', () => {
    assert.deepEqual(['plans.yaml', 'plans.YML', 'plans.json', 'plans'].map(isYamlFile), [
      true,
      true,
      false,
      false,
    ]);
    const yaml = parsePlansFile('plans.yml', YAML.replace('rank: ten', 'rank: 10'));
    const json = parsePlansFile(
      'plans.json',
      JSON.stringify({
        plans: [
          { key: 'free', name: 'Free', rank: 0, default: true },
          { key: 'pro', name: 'Pro', rank: 10 },
        ],
        subscriptionRules: [
          {
            key: 'billing',
            integrationKey: 'stripe',
            endUser: { from: 'connection' },
            plans: [{ planKey: 'pro', path: 'items.priceId', values: ['price_pro'] }],
          },
        ],
      }),
    );
    assert.deepEqual(yaml, json);
    assert.deepEqual(
      subscriptionRulesForEnvironment(yaml, 'prod').map((rule) => rule.key),
      ['billing'],
    );
  });

  it('names the file, the line and the field of a schema error, in YAML and in JSON', () => {
    assert.throws(
      () => parsePlansFile('/etc/patchbay/plans.yaml', YAML),
      refused(/^The plans file \/etc\/patchbay\/plans\.yaml is invalid: line 8, plans\.1\.rank: /),
    );
    const json =
      '{\n  "plans": [\n    { "key": "free", "name": "Free", "rank": 0, "colour": "red" }\n  ]\n}\n';
    assert.throws(
      () => parsePlansFile('plans.json', json),
      refused(/plans\.json is invalid: line 3, plans\.0: .*colour/),
    );
    const missing = 'subscriptionRules:\n  - key: billing\n    integrationKey: stripe\n    plans: []\n';
    assert.throws(
      () => parsePlansFile('plans.yaml', missing),
      refused(/line 2, subscriptionRules\.0\.endUser: .*line 4, subscriptionRules\.0\.plans: /),
    );
  });

  it('names the line of a YAML syntax error, and refuses duplicates', () => {
    assert.throws(
      () => parsePlansFile('plans.yaml', 'plans:\n  - key: free\n   name: [Free\n'),
      refused(/plans\.yaml is not valid YAML \(line \d+, column \d+\)/),
    );
    assert.throws(
      () => parsePlansFile('plans.json', '{ "plans": [ }'),
      refused(/plans\.json is not valid JSON/),
    );
    const twice = `subscriptionRules:
  - { key: a, integrationKey: stripe, endUser: { from: connection }, plans: [{ planKey: pro, path: status, values: [x] }] }
  - { key: a, integrationKey: whop, endUser: { from: connection }, plans: [{ planKey: pro, path: status, values: [x] }] }
`;
    assert.throws(() => parsePlansFile('plans.yaml', twice), refused(/subscription rule "a" twice/));
  });
});
