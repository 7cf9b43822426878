/** SendGrid's address object (`{ email, name? }`) from `a@example.com` or `Name <a@example.com>`. */
export function addressOf(value: string): { email: string; name?: string } {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(value);
  if (!match) return { email: value.trim() };
  const name = match[1]?.replace(/^"(.*)"$/, '$1') ?? '';
  return name === '' ? { email: match[2]! } : { email: match[2]!, name };
}
