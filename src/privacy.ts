/**
 * Personal data, in one place: how text is normalised on the way in, how a person is
 * shown to others (罗**, 139****5678, 匿名群众), and the one scrubber for text that reaches
 * someone other than its author.
 *
 * The scrubber has two depths:
 * - {@link maskContacts}: phone numbers in every form villagers (or someone hiding them)
 *   write them — full-width digits, separators (`139.1234.5678`, `139 - 1234 - 5678`,
 *   `139_1234_5678`), a prefix (`tel13912345678`), Chinese numerals (一三九…), invisible
 *   characters between the digits — ID-card numbers, e-mail addresses (`＠` too) and
 *   roster codes (`QH-01-001-H001`). Ticket numbers stay. For the staff who work a case:
 *   the console's pages, pings to handlers and supervisors.
 * - {@link scrub}: that, and the names of the people of the roster (whatever their
 *   village, spaced out or not: 罗 丽 敏), titles with a surname (王大爷 → 某大爷), familiar
 *   forms (老李 → 老某) and house numbers. For everything beyond the case: the public board,
 *   the monthly report, lists and CSV exports.
 */
import { type Db, sqlOf, type SqlTx, type Tx } from './db/client.js';
import { all, defineQuery, one, type SqlConnection } from './db/sql.js';

// ─── Normalisation on the way in ───────────────────────────────────────────────

/**
 * Chinese full-width punctuation (，。：？！（）… and the ideographic space), which NFKC
 * would turn into ASCII: residents' text keeps it as they typed it.
 */
const CJK_PUNCTUATION = /[\u3000\uFF01-\uFF0F\uFF1A-\uFF20\uFF3B-\uFF40\uFF5B-\uFF65]/;
/**
 * Characters that show nothing and only hide what is around them: Unicode format
 * characters (zero-width spaces and joiners, U+FEFF, U+2060, U+00AD, U+061C, U+180E, tag
 * characters), the combining grapheme joiner U+034F, and control characters but tab and
 * line breaks (PostgreSQL refuses U+0000 in text; a console form or an API may send it).
 */
// eslint-disable-next-line no-control-regex -- control characters are what is removed here
const INVISIBLE = /[\p{Cf}\u034F\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu;

/**
 * Text as Minqing keeps it: NFKC (full-width letters and digits, compatibility forms and
 * ligatures folded) except Chinese full-width punctuation, which stays as typed, and with
 * invisible characters removed. Applied to everything people type, on the way in.
 */
export function normaliseText(text: string): string {
  let out = '';
  let run = '';
  for (const char of text) {
    if (CJK_PUNCTUATION.test(char)) {
      out += run.normalize('NFKC') + char;
      run = '';
    } else {
      run += char;
    }
  }
  return (out + run.normalize('NFKC')).replace(INVISIBLE, '');
}

// ─── People as others see them ─────────────────────────────────────────────────

/** 李网格 → 李**; Alice → A****. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return `${chars[0] ?? ''}*`;
  if (/^\p{Script=Han}+$/u.test(name)) return `${chars[0]}${'*'.repeat(chars.length - 1)}`;
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 4))}`;
}

/** 13912345678 → 139****5678. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '****';
}

/**
 * A resident as others read them: masked (罗**); for someone not on the roster (no
 * household: a chat's first contact, an Open311 requester), 匿名群众 when they gave no name
 * and 未登记群众 with the name masked when they gave one (a platform's display name, or what
 * they typed: not checked against the roster).
 */
export function residentName(person: { code: string; name: string; householdId: number | null }): string {
  if (person.householdId !== null || !person.code.startsWith('U-')) return maskName(person.name);
  return person.name === '群众' || !person.name.trim() ? '匿名群众 anonymous' : `未登记群众 not on the roster（${maskName(person.name)}）`;
}

// ─── Contacts: phones, IDs, e-mails, roster codes ──────────────────────────────

/** Ticket numbers (MQ-2026-000123): never masked, set aside while the rest is. */
const TICKET_NUMBER = /\b[A-Za-z]{1,6}-\d{4}-\d{6}\b/g;
/**
 * Calendar dates (2026-12-01, 2026/12/1, 2026.12.01, 2026年12月1日): eight digits that
 * NUMBER_RUN would take for a phone. Set aside like ticket numbers when the month and day
 * are real ones ({@link realDate}); a year from 1900 to 2099, no digit either side.
 */
const CALENDAR_DATE = /(?<![0-9])((?:19|20)[0-9]{2})(?:([-/.])([0-9]{1,2})\2([0-9]{1,2})|年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号])(?![0-9])/g;

/** Whether year, month and day name a day of the calendar (not 2026-02-30). */
function realDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
/** What may stand between the digits of a number written to be read (or to slip through). */
const SEPARATOR = String.raw`[\s.\-_·•/\\,，。．、:：()（）\[\]【】'"“”‘’~～*+=|－＿]`;
/** A digit, in ASCII (full-width ones are folded by normaliseText) or a Chinese numeral. */
const DIGIT = '[0-9〇零一二三四五六七八九幺两]';
/** A number of 7 or more digits, up to three separators between any two, an ID's final X allowed. */
const NUMBER_RUN = new RegExp(`${DIGIT}(?:${SEPARATOR}{0,3}${DIGIT}){6,}(?:${SEPARATOR}{0,3}[Xx](?![A-Za-z]))?`, 'g');
const CHINESE_DIGITS: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 幺: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
const EMAIL = /[\w.+-]+\s*[@＠]\s*[\w-]+(?:\s*[.．。]\s*[\w-]+)+/g;
/** Roster codes (a household QH-01-001-H001, a person R-QH-01-001-H001): letters and digits in 3+ dash-joined parts, one with a digit. */
const ROSTER_CODE = /\b(?=[A-Za-z0-9-]*\d)[A-Za-z]{1,6}(?:-[A-Za-z0-9]{1,6}){2,}\b/g;

/** A run of digits (and Chinese numerals) as a number, or null when it holds fewer than 7 digits. */
function numberOf(run: string): string | null {
  const digits = [...run].flatMap((c) => (/[0-9]/.test(c) ? [c] : CHINESE_DIGITS[c] ? [CHINESE_DIGITS[c]] : [])).join('');
  return digits.length >= 7 ? digits : null;
}

/** How a masked number shows: a mobile or ID keeps its ends (139****5678) unless `whole`; the rest goes whole. */
function maskedNumber(run: string, digits: string, whole: boolean): string {
  // A run of Chinese numerals is no one's to read back, even in part.
  if (whole || !/[0-9]/.test(run)) return '***';
  const national = digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
  if (national.length !== 11 && national.length < 15) return '***';
  // An ID number's final X is one of its four last characters.
  return /[Xx]$/.test(run) ? `${national.slice(0, 3)}****${national.slice(-3)}X` : maskPhone(national);
}

/**
 * Phone and ID numbers, e-mail addresses and roster codes masked, in any of the forms in
 * the module comment; a mobile or ID number keeps its first three and last four digits
 * for staff (139****5678), none when `whole`. Ticket numbers, calendar dates (2026年11月20日,
 * 2026-12-01; {@link CALENDAR_DATE}) and short numbers stay.
 */
export function maskContacts(text: string, whole = false): string {
  const kept: string[] = [];
  const setAside = (found: string): string => `\uE000${kept.push(found) - 1}\uE001`;
  const hidden = normaliseText(text)
    .replace(TICKET_NUMBER, setAside)
    .replace(CALENDAR_DATE, (date, year: string, _separator, month?: string, day?: string, monthInWords?: string, dayInWords?: string) =>
      realDate(Number(year), Number(month ?? monthInWords), Number(day ?? dayInWords)) ? setAside(date) : date,
    );
  const masked = hidden
    .replace(EMAIL, '***')
    .replace(ROSTER_CODE, '***')
    .replace(NUMBER_RUN, (run) => {
      const digits = numberOf(run);
      return digits ? maskedNumber(run, digits, whole) : run;
    });
  return masked.replace(/\uE000(\d+)\uE001/g, (_, index: string) => kept[Number(index)] ?? '');
}

// ─── Names ─────────────────────────────────────────────────────────────────────

/** Common surnames, for "王大爷", "老李", "张师傅" and the like. */
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤';
const HONORIFIC = new RegExp(`[${SURNAMES}][\\p{Script=Han}]{0,2}?(先生|女士|大爷|大娘|大妈|阿姨|大叔|大婶|大哥|大姐|奶奶|爷爷|师傅|老师|书记|主任|村长|组长)`, 'gu');
/**
 * 老李 / 小王: only when a word boundary or a common particle follows, so that 小白菜 or
 * 老马路 stay as they are.
 */
const FAMILIAR = new RegExp(`([老小])[${SURNAMES}](?=[^\\p{Script=Han}]|[家头说讲叫的和跟都还在他她们是就又不没把被给让对去来哥姐叔婶也]|$)`, 'gu');
/**
 * A name after words that introduce a person to contact (联系王小明, 联系人：张伟, 打给李强):
 * a surname and one or two more characters, whoever they are (a name need not be on the
 * roster). The third character is taken unless it reads as the next word (联系王伟帮忙).
 */
const CONTACT_NAME = new RegExp(
  `(联系人|联络人|联系|致电|打给|电话找|请找)([:：\\s]*)[${SURNAMES}]\\p{Script=Han}(?:(?![的了说帮来去和跟在是就电手处解反])\\p{Script=Han})?`,
  'gu',
);
/** Door and house numbers: 12号, 3栋, 2单元, 501室. */
const HOUSE_NUMBER = /\d+\s*(号|栋|幢|单元|室|户)/g;
/** What may stand between the characters of a name written apart (罗 丽 敏, 罗·丽·敏). */
const NAME_GAP = /^[\s·•.\-_*]{0,2}$/;

/** Names worth scrubbing: two to four Han characters (shorter ones match everywhere). */
export function isScrubbableName(name: string | null | undefined): name is string {
  return /^\p{Script=Han}{2,4}$/u.test(name?.trim() ?? '');
}

/** Replaces the roster names in `text` (each 2–4 Han characters, possibly written apart) with 某某. */
function scrubNames(text: string, names: ReadonlySet<string>): string {
  if (!names.size) return text;
  const chars = [...text];
  // The Han characters with their positions: a name may have gaps between its characters.
  const han: number[] = [];
  chars.forEach((c, i) => {
    if (/\p{Script=Han}/u.test(c)) han.push(i);
  });
  const cut = new Array<boolean>(chars.length).fill(false);
  const starts = new Set<number>();
  for (let h = 0; h < han.length; h++) {
    for (let len = 4; len >= 2; len--) {
      if (h + len > han.length) continue;
      const span = han.slice(h, h + len);
      const apart = span.slice(1).every((at, k) => NAME_GAP.test(chars.slice((span[k] ?? 0) + 1, at).join('')));
      if (!apart || !names.has(span.map((i) => chars[i]).join(''))) continue;
      const first = span[0] ?? 0;
      const last = span[len - 1] ?? 0;
      for (let i = first; i <= last; i++) cut[i] = true;
      starts.add(first);
      h += len - 1;
      break;
    }
  }
  return chars.map((c, i) => (starts.has(i) ? '某某' : cut[i] ? '' : c)).join('');
}

/**
 * Text with everything personal taken out (see the module comment): contacts (numbers
 * wholly unless `whole` is false: the staff's monthly report keeps 139****5678), the names
 * in `names` (the roster's, see {@link rosterNames}), titles and familiar forms with a
 * surname, house numbers.
 */
export function scrub(text: string, names: ReadonlySet<string>, whole = true): string {
  return scrubNames(maskContacts(text, whole), names).replace(CONTACT_NAME, '$1$2某某').replace(HOUSE_NUMBER, '*$1').replace(HONORIFIC, '某$1').replace(FAMILIAR, '$1某');
}

// ─── The roster's names ────────────────────────────────────────────────────────

/**
 * What changes when anyone is added, renamed or removed, in any process: the count, the
 * last id and the last update of people and of households. Two aggregate reads, about 3
 * ms a call on a roster of 20,000 people (SQLite and PostgreSQL alike), where reading
 * every name takes about 100 ms: checked at each read, so no cache can be stale.
 */
const peopleFingerprintQuery = defineQuery('roster_people_fingerprint', (db) =>
  db.selectFrom('Person').select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('id').as('lastId'), eb.fn.max('updatedAt').as('lastAt')]),
);
const householdsFingerprintQuery = defineQuery('roster_households_fingerprint', (db) =>
  db.selectFrom('Household').select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('id').as('lastId'), eb.fn.max('updatedAt').as('lastAt')]),
);

const peopleNamesQuery = defineQuery('roster_people_names', (db) => db.selectFrom('Person').select('name'));
const householdHeadsQuery = defineQuery('roster_household_heads', (db) => db.selectFrom('Household').select('headName'));

async function rosterFingerprint(connection: SqlConnection): Promise<string> {
  const rows = await Promise.all([one(connection, peopleFingerprintQuery, {}), one(connection, householdsFingerprintQuery, {})]);
  return JSON.stringify(rows.map((r) => [Number(r.count), r.lastId, r.lastAt instanceof Date ? r.lastAt.getTime() : r.lastAt]));
}

const rosterCache = new WeakMap<object, { names: Promise<ReadonlySet<string>>; fingerprint: string }>();

/**
 * The names of everyone on the roster (people and household heads, whatever their
 * village), for {@link scrub}. Kept per database (its connections and transactions
 * share one entry) while the roster's fingerprint stays the same: a walk-in registered,
 * a roster import or a rename in any process is seen by the next read, so a new person's
 * name never reaches the board unscrubbed. Read through the storage layer, so that a
 * transaction (the pipeline's, forwarding a resident's words) reads them inside itself.
 */
export async function rosterNames(db: Db | Tx | SqlTx): Promise<ReadonlySet<string>> {
  const connection = sqlOf(db);
  const key = connection.database;
  const fingerprint = await rosterFingerprint(connection);
  const hit = rosterCache.get(key);
  if (hit && hit.fingerprint === fingerprint) return hit.names;
  const names = (async () => {
    const people = await all(connection, peopleNamesQuery, {});
    const households = await all(connection, householdHeadsQuery, {});
    const set = new Set<string>();
    for (const { name } of people) if (isScrubbableName(name)) set.add(name.trim());
    for (const { headName } of households) if (isScrubbableName(headName)) set.add(headName.trim());
    return set;
  })();
  rosterCache.set(key, { names, fingerprint });
  names.catch(() => rosterCache.delete(key));
  return names;
}
