/**
 * Which village a resident's words name: one rule for every place that reads a village
 * out of free text (a report's location, registration, 代办登记, a 人工 conversation's
 * words, the console's inbox). It reads the whole county: a real one has hundreds of
 * villages, some sharing a name across townships (two 东湖村), some whose short name is
 * an ordinary word (新华 in 新华书店).
 */

/** A village as the rule reads it: its name and, when known, its township's. */
export interface NamedVillage {
  name: string;
  townshipId?: number | null;
  township?: string | null;
}

/** A village's name without the 村 / 社区 it ends with: 东湖村 → 东湖. */
export function villageShortName(name: string): string {
  return name.replace(/(?:村|社区|居委会)$/, '');
}

/** A township's name without the 镇 / 乡 / 街道 it ends with: 青禾镇 → 青禾. */
function townshipShortName(name: string): string {
  return name.replace(/(?:镇|乡|街道办事处|街道)$/, '');
}

/** Whether `text` holds `name`, or its `short` form when that is a distinct word of two characters or more. */
function mentions(text: string, name: string, short: string): boolean {
  return text.includes(name) || (short.length >= 2 && short !== name && text.includes(short));
}

/** The townships of `villages`, each once, in the villages' order. */
export function townshipsOf<V extends NamedVillage>(villages: readonly V[]): { id: number; name: string }[] {
  const seen = new Map<number, string>();
  for (const v of villages) if (v.townshipId != null && !seen.has(v.townshipId)) seen.set(v.townshipId, v.township ?? '');
  return [...seen].map(([id, name]) => ({ id, name }));
}

/** The townships a text names, by full or short name (青禾镇东湖村, 清水那边). */
export function townshipsNamed<V extends NamedVillage>(text: string, villages: readonly V[]): { id: number; name: string }[] {
  return townshipsOf(villages).filter((t) => t.name && mentions(text, t.name, townshipShortName(t.name)));
}

/** `found` narrowed to those that pass `keep`, when any does; else unchanged (a preference, not a filter). */
function preferred<V>(found: V[], keep: (v: V) => boolean): V[] {
  const kept = found.filter(keep);
  return kept.length ? kept : found;
}

/**
 * The villages a text may mean: those whose full name it holds (东湖村村口), or else those
 * whose name without 村 / 社区 it holds (东湖那边). Among several, a name inside a longer
 * one found (东湖村 in 新东湖村) yields to it, then those of a township the text names
 * (青禾镇东湖村) are preferred, then those of `home` (the speaker's own township). One
 * left: that village; several: the text is ambiguous, and these are what to ask between;
 * none: it names no village.
 */
export function villagesNamed<V extends NamedVillage>(text: string, villages: readonly V[], home: number | null = null): V[] {
  const towns = townshipsNamed(text, villages);
  const townIds = new Set(towns.map((t) => t.id));
  // A township's name is not a village's short name (东湖镇 is not 东湖村).
  const rest = towns.reduce((left, t) => left.replaceAll(t.name, ' ').replaceAll(townshipShortName(t.name), ' '), text);
  for (const names of [(v: V) => text.includes(v.name), (v: V) => mentions(rest, v.name, villageShortName(v.name))]) {
    let found = villages.filter(names);
    if (!found.length) continue;
    found = found.filter((v) => !found.some((o) => o.name.length > v.name.length && o.name.includes(v.name)));
    found = preferred(found, (v) => v.townshipId != null && townIds.has(v.townshipId));
    return preferred(found, (v) => home !== null && v.townshipId === home);
  }
  return [];
}

/** The one village a text names (see villagesNamed), or undefined when it names none or is ambiguous. */
export function villageNamed<V extends NamedVillage>(text: string, villages: readonly V[], home: number | null = null): V | undefined {
  const found = villagesNamed(text, villages, home);
  return found.length === 1 ? found[0] : undefined;
}

/** Words that point at a place without saying where (那边, 附近, 在…的). */
const POINTING = /那边|这边|那里|这里|那儿|这儿|附近|一带|旁边|我们|俺们|我|俺|在|的/g;

/**
 * Whether a text says more about the spot than the village or township it names
 * (东湖村村口, 清水镇卫生院门口; not 东湖村, 清水镇那边): what is left once every village
 * and township it mentions, and words that only point, are taken out has two Han
 * characters or more.
 */
export function saysSpot<V extends NamedVillage>(text: string, villages: readonly V[]): boolean {
  let rest = text;
  for (const t of townshipsNamed(text, villages)) rest = rest.replaceAll(t.name, ' ').replaceAll(townshipShortName(t.name), ' ');
  for (const v of villages) if (rest.includes(v.name) || rest.includes(villageShortName(v.name))) rest = rest.replaceAll(v.name, ' ').replaceAll(villageShortName(v.name), ' ');
  return (rest.replace(POINTING, '').match(/\p{Script=Han}/gu) ?? []).length >= 2;
}
