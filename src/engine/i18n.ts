/**
 * Renders catalogue messages in a person's language. Dates travel as ISO strings in
 * message parameters and are shown in Beijing time.
 */
import { en } from '../../flows/messages/en.js';
import { type MessageKey, zh } from '../../flows/messages/zh.js';
import type { Locale } from '../org/types.js';
import type { Refusal } from '../pipeline/model.js';
import { STATE_NAMES } from '../pipeline/states.js';

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { zh, en };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An instant as a person reads it: "10月10日 17:30" / "10 Oct 17:30" (Beijing time). */
export function formatInstant(instant: Date, locale: Locale): string {
  const local = new Date(instant.getTime() + BEIJING_OFFSET_MS);
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  const month = local.getUTCMonth();
  const day = local.getUTCDate();
  return locale === 'zh' ? `${month + 1}月${day}日 ${hh}:${mm}` : `${day} ${EN_MONTHS[month]} ${hh}:${mm}`;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zh, key);
}

/** A value that says nothing: the placeholder shows a dash, and an optional part around it goes. */
function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

/**
 * Renders `key` with `params`. Unknown keys throw: every text must be in the catalogues.
 * A part in `[[…]]` is optional: it is left out when a placeholder inside it has no value
 * (an assignment without a dispatcher's note has no 派单说明 line).
 */
export function render(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  if (!isMessageKey(key)) throw new Error(`message catalogue has no key ${key}`);
  const text = CATALOGUES[locale][key].replace(/\[\[([^\]]*)\]\]/g, (_, part: string) => ([...part.matchAll(/\{(\w+)\}/g)].some((m) => isBlank(params[m[1] ?? ''])) ? '' : part));
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === null || value === undefined) return '—';
    if (typeof value === 'string' && ISO_INSTANT.test(value)) return formatInstant(new Date(value), locale);
    // Parameters that name a catalogue entry (a level, a deadline kind) are translated too.
    if (typeof value === 'string' && isMessageKey(`${name}.${value}`)) return CATALOGUES[locale][`${name}.${value}` as MessageKey];
    if (typeof value === 'string') return value;
    return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  });
}

/** A refusal of the pipeline as the person who caused it reads it. */
export function renderRefusal(locale: Locale, refusal: Refusal): string {
  switch (refusal.code) {
    case 'wrong_state':
      return render(locale, 'refusal.wrong_state', { state: STATE_NAMES[refusal.state][locale] });
    case 'invalid':
      return render(locale, 'refusal.invalid', {
        field: refusal.field,
        reason: isMessageKey(`reason.${refusal.reason}`) ? render(locale, `reason.${refusal.reason}`) : refusal.reason,
      });
    case 'not_allowed':
    case 'no_level_above':
    case 'no_level_below':
    case 'callback_required':
      return render(locale, `refusal.${refusal.code}`);
    case 'recently_urged':
      return render(locale, 'refusal.recently_urged', { at: refusal.at.toISOString() });
    case 'too_early_to_urge':
      return render(locale, 'refusal.too_early_to_urge', { from: refusal.from.toISOString() });
  }
}
