/** Mainland China phone numbers, as rosters and residents write them. */

const MOBILE_RE = /^1[3-9]\d{9}$/;
const LANDLINE_RE = /^0\d{2,3}-?\d{7,8}$/;

/**
 * Normalises a mainland phone number: mobiles lose spaces, dashes and a +86 prefix;
 * landlines (area code, optional dash, number) lose spaces; full-width forms count as
 * ASCII. Null when it is neither.
 */
export function normalizePhone(raw: string): string | null {
  // Full-width digits, ＋ and － (a Chinese keyboard's) as ASCII.
  const compact = raw.normalize('NFKC').replace(/\s+/g, '');
  const mobile = compact.replace(/-/g, '').replace(/^(\+86|0086)/, '');
  if (MOBILE_RE.test(mobile)) return mobile;
  if (LANDLINE_RE.test(compact)) return compact;
  return null;
}
