import { defineAction, PatchbayError, z } from 'patchbay/scripts';

export default defineAction({
  name: 'create-note',
  description: 'Adds a note to the shop.',
  input: z.object({ text: z.string().min(1) }),
  output: z.object({ id: z.string(), text: z.string() }),
  async exec(ctx, input) {
    const note = await ctx.proxy.sendJson('POST', '/notes', input);
    if (typeof note?.id !== 'string') throw new PatchbayError('provider_response_invalid', 'no note id');
    return note;
  },
});
