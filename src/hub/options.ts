/**
 * A hub session's display options: theme (CSS custom properties), colour scheme, locale, text
 * overrides and the page to return to. Only zod here, so the API contract (and through it the
 * browser-safe SDK) can import it.
 *
 * A theme reaches the page as CSS custom properties set through the CSSOM, never as style text,
 * and every value must match a plain shape (a colour, a length, a font list): nothing a host
 * passes can close a declaration, open a rule, load a URL or run script.
 */
import { z } from 'zod';
import { HUB_TEXTS_EN } from './texts.ts';

/** `#1a2b3c`, `#abc`, `#1a2b3cff`, or `rgb()`/`hsl()` with numbers, percentages, commas, slashes. */
const COLOR =
  /^(?:#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|(?:rgb|rgba|hsl|hsla)\(\s*[0-9.%\s,/deg]+\))$/;
/** `8px`, `0.5rem`, `0`. */
const LENGTH = /^(?:0|\d{1,3}(?:\.\d{1,3})?(?:px|rem|em))$/;
/** Font family names separated by commas: letters, digits, spaces and hyphens only. */
const FONT = /^[A-Za-z0-9][A-Za-z0-9 ,-]{0,119}$/;

const color = z.string().max(60).regex(COLOR, 'a colour: #rgb, #rrggbb, #rrggbbaa, rgb(…) or hsl(…)');
const length = z.string().max(12).regex(LENGTH, 'a length such as 8px or 0.5rem');

/**
 * The properties a host may set, by option name, with the CSS custom property each one sets on
 * the hub page (hub.css reads them).
 */
export const THEME_PROPERTIES = {
  background: '--pb-bg',
  surface: '--pb-card',
  text: '--pb-text',
  mutedText: '--pb-muted',
  border: '--pb-border',
  accent: '--pb-accent',
  accentText: '--pb-accent-text',
  focus: '--pb-focus',
  danger: '--pb-danger',
  success: '--pb-ok',
  radius: '--pb-radius',
  fontFamily: '--pb-font',
} as const;

export const hubThemeSchema = z
  .strictObject({
    background: color.optional(),
    surface: color.optional(),
    text: color.optional(),
    mutedText: color.optional(),
    border: color.optional(),
    accent: color.optional(),
    accentText: color.optional(),
    focus: color.optional(),
    danger: color.optional(),
    success: color.optional(),
    radius: length.optional(),
    fontFamily: z
      .string()
      .max(120)
      .regex(FONT, 'font names: letters, digits, spaces, hyphens, commas')
      .optional(),
  })
  .meta({
    id: 'HubTheme',
    description:
      'CSS custom properties of the hub page. Colours as #hex, rgb() or hsl(); `radius` a length; `fontFamily` plain font names. Keep text and background contrast at WCAG AA.',
    example: { accent: '#0b6e4f', accentText: '#ffffff', radius: '6px' },
  });

export type HubTheme = z.output<typeof hubThemeSchema>;

export const HUB_LOCALE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/;

/** Text keys of the catalog (src/hub/texts.ts), each overridable with a string of its own. */
const textOverrides = z
  .partialRecord(
    z.enum(Object.keys(HUB_TEXTS_EN) as [keyof typeof HUB_TEXTS_EN, ...Array<keyof typeof HUB_TEXTS_EN>]),
    z.string().min(1).max(300),
  )
  .meta({
    description:
      'Replacements for texts of the catalog, by key (see docs/hub.md): translations or your own wording. `{name}`-style placeholders are filled in by the page.',
  });

/** The options a host gives when it creates a hub session. */
export const hubOptionsSchema = z.strictObject({
  theme: hubThemeSchema.optional(),
  darkTheme: hubThemeSchema.optional().meta({ description: 'Applied over `theme` when the page is dark.' }),
  colorScheme: z
    .enum(['auto', 'light', 'dark'])
    .optional()
    .meta({ description: '`auto` (the default) follows the browser’s prefers-color-scheme.' }),
  locale: z.string().max(20).regex(HUB_LOCALE, 'a language tag such as en or pt-BR').optional().meta({
    description: 'The catalog’s language for the page; languages without a catalog fall back to English.',
  }),
  texts: textOverrides.optional(),
  returnUrl: z.string().max(2000).optional().meta({
    description:
      'Where Close and Upgrade send the browser when the hub is not a popup or a frame (redirect mode); must be on `allowedOrigin`.',
  }),
});

export type HubOptions = z.output<typeof hubOptionsSchema>;
