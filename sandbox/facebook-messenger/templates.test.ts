/**
 * Message validation against the documented template and button limits, and one template sent
 * end to end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LIMITS, validateMessage } from './message-rules.ts';
import { type MessengerSandbox, startMessengerSandbox } from './server.ts';
import { graph } from './test-helpers.ts';

const urlButton = (overrides: Record<string, unknown> = {}) => ({
  type: 'web_url',
  url: 'https://shop.example/c/1',
  title: 'Pay now',
  ...overrides,
});
const buttonTemplate = (payload: Record<string, unknown>) => ({
  attachment: { type: 'template', payload: { template_type: 'button', text: 'Your order', ...payload } },
});
const genericTemplate = (elements: unknown[]) => ({
  attachment: { type: 'template', payload: { template_type: 'generic', elements } },
});
const element = (overrides: Record<string, unknown> = {}) => ({
  title: 'Blue mug',
  subtitle: '12 €',
  buttons: [urlButton()],
  ...overrides,
});

/** The error message for a message, or undefined when it is valid. */
const problem = (message: Record<string, unknown>) => validateMessage(message)?.message;

describe('message validation', () => {
  it('accepts the documented shapes at their limits', () => {
    assert.equal(LIMITS.buttons, 3);
    assert.equal(problem({ text: 'é'.repeat(LIMITS.text) }), undefined);
    assert.equal(
      problem(
        buttonTemplate({
          text: 'x'.repeat(640),
          buttons: [
            urlButton(),
            urlButton({ title: 'x'.repeat(20) }),
            { type: 'postback', title: 'Later', payload: 'LATER' },
          ],
        }),
      ),
      undefined,
    );
    assert.equal(problem(genericTemplate(Array.from({ length: 10 }, () => element()))), undefined);
    assert.equal(
      problem({
        text: 'Which size?',
        quick_replies: [
          { content_type: 'text', title: 'M', payload: 'SIZE_M' },
          { content_type: 'user_email' },
        ],
      }),
      undefined,
    );
    assert.equal(
      problem({ attachment: { type: 'image', payload: { url: 'https://cdn.example/a.png' } } }),
      undefined,
    );
  });

  it('refuses what goes past a limit, naming the parameter', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        buttonTemplate({ buttons: [] }),
        'Param message[attachment][payload][buttons] must have 1 to 3 buttons',
      ],
      [
        buttonTemplate({ buttons: [urlButton(), urlButton(), urlButton(), urlButton()] }),
        'Param message[attachment][payload][buttons] must have 1 to 3 buttons',
      ],
      [
        buttonTemplate({ text: 'x'.repeat(641), buttons: [urlButton()] }),
        'Param message[attachment][payload][text] must be at most 640 characters long',
      ],
      [
        buttonTemplate({ buttons: [urlButton({ title: 'x'.repeat(21) })] }),
        'Param message[attachment][payload][buttons][0][title] must be at most 20 characters long',
      ],
      [
        buttonTemplate({ buttons: [urlButton({ url: 'not a url' })] }),
        'Param message[attachment][payload][buttons][0][url] must be a valid URL',
      ],
      [
        buttonTemplate({ buttons: [urlButton({ url: 'javascript:alert(1)' })] }),
        'Param message[attachment][payload][buttons][0][url] must be a valid URL',
      ],
      [
        buttonTemplate({ buttons: [urlButton({ url: undefined })] }),
        'Param message[attachment][payload][buttons][0][url] is required',
      ],
      [
        buttonTemplate({ buttons: [{ type: 'postback', title: 'Go', payload: 'x'.repeat(1001) }] }),
        'Param message[attachment][payload][buttons][0][payload] must be at most 1000 characters long',
      ],
      [
        genericTemplate(Array.from({ length: 11 }, () => element())),
        'Param message[attachment][payload][elements] must have at most 10 elements',
      ],
      [
        genericTemplate([element({ title: 'x'.repeat(81) })]),
        'Param message[attachment][payload][elements][0][title] must be at most 80 characters long',
      ],
      [
        genericTemplate([{ title: 'Only a title' }]),
        'Param message[attachment][payload][elements][0] must set at least one of subtitle, image_url, default_action, buttons',
      ],
      [
        genericTemplate([
          element({ default_action: { type: 'web_url', url: 'https://x.example', title: 'no' } }),
        ]),
        'Param message[attachment][payload][elements][0][default_action][title] is not allowed on a default action',
      ],
      [
        { attachment: { type: 'template', payload: { template_type: 'receipt' } } },
        'Param message[attachment][payload][template_type] must be one of {button, generic}',
      ],
      [{ text: 'x', attachment: {} }, 'Param message must contain exactly one of text or attachment'],
    ];
    for (const [message, expected] of cases) assert.equal(problem(message), `(#100) ${expected}`);
  });
});

describe('templates through the Send API', () => {
  let fb: MessengerSandbox;
  before(async () => {
    fb = await startMessengerSandbox();
  });
  after(() => fb.close());

  it('sends a valid button template and refuses an invalid one without recording it', async () => {
    const buyer = fb.control.addUser();
    await fb.control.userMessages(buyer.psid, 'link please');
    const token = fb.issuePageToken();
    const send = (message: Record<string, unknown>) =>
      graph(fb, 'POST', '/me/messages', {
        token,
        json: { recipient: { id: buyer.psid }, messaging_type: 'RESPONSE', message },
      });
    const good = buttonTemplate({ buttons: [urlButton()] });
    assert.equal((await send(good)).status, 200);
    const bad = await send(buttonTemplate({ buttons: [urlButton({ url: 'shop.example/c/1' })] }));
    assert.equal(bad.status, 400);
    assert.deepEqual(
      fb.control.sent().map((message) => message.message),
      [good],
    );
  });
});
