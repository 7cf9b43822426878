/**
 * Validation of the Send API's `message` object: text or one attachment, the button and generic
 * templates with their documented limits, and the URL and postback buttons. A violation answers
 * Graph's code 100 naming the parameter by its bracketed path, as Graph does.
 */
import { type GraphError, GraphErrors } from './graph-errors.ts';

/** Documented limits (see FACTS.md). */
export const LIMITS = {
  text: 2000,
  buttonTemplateText: 640,
  buttons: 3,
  buttonTitle: 20,
  postbackPayload: 1000,
  genericElements: 10,
  elementTitle: 80,
  elementSubtitle: 80,
  quickReplies: 13,
} as const;

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'file']);
const QUICK_REPLY_TYPES = new Set(['text', 'user_phone_number', 'user_email']);

type Fields = Record<string, unknown>;

/** Returns the error for an invalid message, or undefined when Graph would accept it. */
export function validateMessage(message: Fields): GraphError | undefined {
  const hasText = message.text !== undefined;
  const hasAttachment = message.attachment !== undefined;
  if (hasText === hasAttachment) {
    return fail('message', 'must contain exactly one of text or attachment');
  }
  if (hasText) {
    const error = checkText(message.text, 'message[text]', LIMITS.text, true);
    if (error) return error;
  } else {
    const error = checkAttachment(message.attachment);
    if (error) return error;
  }
  return message.quick_replies === undefined ? undefined : checkQuickReplies(message.quick_replies);
}

function checkAttachment(attachment: unknown): GraphError | undefined {
  const path = 'message[attachment]';
  if (!isObject(attachment)) return fail(path, 'must be an object');
  const payload = attachment.payload;
  if (!isObject(payload)) return fail(`${path}[payload]`, 'must be an object');
  if (MEDIA_TYPES.has(String(attachment.type))) {
    const hasSource = typeof payload.url === 'string' || typeof payload.attachment_id === 'string';
    if (!hasSource) return fail(`${path}[payload]`, 'must have a url or an attachment_id');
    return typeof payload.url === 'string' && !isWebUrl(payload.url)
      ? fail(`${path}[payload][url]`, 'must be a valid URL')
      : undefined;
  }
  if (attachment.type !== 'template') {
    return fail(`${path}[type]`, 'must be one of {image, audio, video, file, template}');
  }
  const templatePath = `${path}[payload]`;
  if (payload.template_type === 'button') return checkButtonTemplate(payload, templatePath);
  if (payload.template_type === 'generic') return checkGenericTemplate(payload, templatePath);
  return fail(`${templatePath}[template_type]`, 'must be one of {button, generic}');
}

function checkButtonTemplate(payload: Fields, path: string): GraphError | undefined {
  return (
    checkText(payload.text, `${path}[text]`, LIMITS.buttonTemplateText, true) ??
    checkButtons(payload.buttons, `${path}[buttons]`, true)
  );
}

function checkGenericTemplate(payload: Fields, path: string): GraphError | undefined {
  const elements = payload.elements;
  if (!Array.isArray(elements) || elements.length === 0)
    return fail(`${path}[elements]`, 'must be a non-empty array');
  if (elements.length > LIMITS.genericElements) {
    return fail(`${path}[elements]`, `must have at most ${LIMITS.genericElements} elements`);
  }
  for (const [index, element] of elements.entries()) {
    const at = `${path}[elements][${index}]`;
    if (!isObject(element)) return fail(at, 'must be an object');
    const error =
      checkText(element.title, `${at}[title]`, LIMITS.elementTitle, true) ??
      checkText(element.subtitle, `${at}[subtitle]`, LIMITS.elementSubtitle, false) ??
      checkUrl(element.image_url, `${at}[image_url]`, false) ??
      checkDefaultAction(element.default_action, `${at}[default_action]`) ??
      (element.buttons === undefined ? undefined : checkButtons(element.buttons, `${at}[buttons]`, false));
    if (error) return error;
    // The generic template reference: at least one property must be set in addition to title.
    const others = ['subtitle', 'image_url', 'default_action', 'buttons'].filter(
      (key) => element[key] !== undefined,
    );
    if (others.length === 0)
      return fail(at, 'must set at least one of subtitle, image_url, default_action, buttons');
  }
  return undefined;
}

function checkDefaultAction(action: unknown, path: string): GraphError | undefined {
  if (action === undefined) return undefined;
  if (!isObject(action) || action.type !== 'web_url') return fail(`${path}[type]`, 'must be web_url');
  if (action.title !== undefined) return fail(`${path}[title]`, 'is not allowed on a default action');
  return checkUrl(action.url, `${path}[url]`, true);
}

function checkButtons(buttons: unknown, path: string, required: boolean): GraphError | undefined {
  if (!Array.isArray(buttons)) return fail(path, 'must be an array');
  if (buttons.length > LIMITS.buttons || (required && buttons.length === 0)) {
    return fail(path, `must have ${required ? '1 to ' : 'at most '}${LIMITS.buttons} buttons`);
  }
  for (const [index, button] of buttons.entries()) {
    const at = `${path}[${index}]`;
    if (!isObject(button)) return fail(at, 'must be an object');
    const titleError = checkText(button.title, `${at}[title]`, LIMITS.buttonTitle, true);
    if (titleError) return titleError;
    if (button.type === 'web_url') {
      const error = checkUrl(button.url, `${at}[url]`, true);
      if (error) return error;
    } else if (button.type === 'postback') {
      const error = checkText(button.payload, `${at}[payload]`, LIMITS.postbackPayload, true);
      if (error) return error;
    } else if (button.type === 'phone_number') {
      if (typeof button.payload !== 'string' || !/^\+\d{5,15}$/.test(button.payload)) {
        return fail(`${at}[payload]`, 'must be a phone number in the format +<country code><number>');
      }
    } else {
      return fail(`${at}[type]`, 'must be one of {web_url, postback, phone_number}');
    }
  }
  return undefined;
}

function checkQuickReplies(replies: unknown): GraphError | undefined {
  const path = 'message[quick_replies]';
  if (!Array.isArray(replies) || replies.length === 0) return fail(path, 'must be a non-empty array');
  if (replies.length > LIMITS.quickReplies)
    return fail(path, `must have at most ${LIMITS.quickReplies} elements`);
  for (const [index, reply] of replies.entries()) {
    const at = `${path}[${index}]`;
    if (!isObject(reply) || !QUICK_REPLY_TYPES.has(String(reply.content_type))) {
      return fail(`${at}[content_type]`, 'must be one of {text, user_phone_number, user_email}');
    }
    // Phone and email quick replies ask Messenger to fill in the person's own: no title, no payload.
    if (reply.content_type !== 'text') continue;
    const error =
      checkText(reply.title, `${at}[title]`, LIMITS.buttonTitle, true) ??
      checkText(reply.payload, `${at}[payload]`, LIMITS.postbackPayload, true);
    if (error) return error;
  }
  return undefined;
}

function checkText(value: unknown, path: string, max: number, required: boolean): GraphError | undefined {
  if (value === undefined) return required ? fail(path, 'is required') : undefined;
  if (typeof value !== 'string' || value.length === 0) return fail(path, 'must be a non-empty string');
  // Limits are in characters (code points), not UTF-16 units.
  if ([...value].length > max) return fail(path, `must be at most ${max} characters long`);
  return undefined;
}

function checkUrl(value: unknown, path: string, required: boolean): GraphError | undefined {
  if (value === undefined) return required ? fail(path, 'is required') : undefined;
  return typeof value === 'string' && isWebUrl(value) ? undefined : fail(path, 'must be a valid URL');
}

function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol, hostname } = new URL(value);
  return (protocol === 'https:' || protocol === 'http:') && hostname.length > 0;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): GraphError {
  return GraphErrors.invalidParameter(`Param ${path} ${problem}`);
}
