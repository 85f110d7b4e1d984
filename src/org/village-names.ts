/**
 * Which village a resident's words name: one rule for every place that reads a village
 * out of free text (a report's location, a 人工 conversation's words).
 */

/**
 * The village a text names: its full name (东湖村村口), or, when that is longer than two
 * characters, its name without the 村 / 社区 it ends with (东湖那边).
 */
export function villageNamed<V extends { name: string }>(text: string, villages: readonly V[]): V | undefined {
  const full = villages.find((v) => text.includes(v.name));
  if (full) return full;
  return villages.find((v) => {
    const short = villageShortName(v.name);
    return short.length >= 2 && short !== v.name && text.includes(short);
  });
}

/** A village's name without the 村 / 社区 it ends with: 东湖村 → 东湖. */
export function villageShortName(name: string): string {
  return name.replace(/(?:村|社区|居委会)$/, '');
}
