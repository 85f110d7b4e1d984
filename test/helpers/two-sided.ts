/**
 * The two-sided loop of the dialogue issue, written once for every pair of channels:
 * the resident (on whatever chat) binds their household, which their liaison (on
 * whatever chat) confirms; reports a street light; the liaison accepts, (optionally)
 * asks for a photo, reports progress and resolves; the resident rates 满意 and the
 * ticket closes. Each side is a `ChatDriver`: a person as a test plays them on one
 * channel (console, web page, Telegram, WeChat).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ConsoleAdapter } from '../../bots/console/console-adapter.js';
import type { App } from '../../src/app.js';
import { createBindingCode } from '../../src/org/invite.js';
import { Terminal } from './terminal.js';

/** The liaison paired with household QH-01-001-H001 (罗丽敏, 19900000001) of the demo county. */
export const DEMO_LIAISON = 'L-QH-01-001-01';

/** A real PNG carrying `text` (see ./images.ts); different `text`, different picture. */
export { fakePng } from './images.js';

/** A person as a test drives them on some chat. */
export interface ChatDriver {
  type(text: string): void | Promise<void>;
  /** Picks the latest offered choice whose label is, or starts with, `label` (a button tap, or its number). */
  choose(label: string): void | Promise<void>;
  /** Sends a photo (image bytes), where the channel lets a person send one. */
  sendPhoto?(bytes: Buffer): void | Promise<void>;
  /** The photos this person has received, as bytes, where the test can read them. */
  receivedPhotos?(): Buffer[];
  /** Sends a voice note (recorded bytes), where the channel lets a person send one. */
  sendVoice?(bytes: Buffer): void | Promise<void>;
  /** The voice notes this person has received, as bytes. */
  receivedVoices?(): Buffer[];
  /** How many text messages the bot has sent this person so far. */
  replies(): number | Promise<number>;
  waitReplies(before: number): Promise<void>;
  waitFor(text: string | RegExp): Promise<void>;
  transcript(): string | Promise<string>;
}

/** The resident's side of the loop. */
export type ResidentDriver = ChatDriver;
/** The liaison's side of the loop. */
export type LiaisonDriver = ChatDriver;

/** `^\d+\. LABEL` in a numbered list (console, WeChat): the number of the choice, from the latest list that has it. */
export function numberOfChoice(messages: readonly string[], label: string): string | undefined {
  const line = new RegExp(`^\\s*(\\d+)\\. ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm');
  for (let i = messages.length - 1; i >= 0; i--) {
    const number = line.exec(messages[i] ?? '')?.[1];
    if (number) return number;
  }
  return undefined;
}

/**
 * A person in a console terminal. Photos show there as `📷 REF`; stored photos
 * (`/uploads/…`) are read back from `uploadDir` when one is given.
 */
export function consoleDriver(terminal: Terminal, uploadDir?: string): ChatDriver {
  const messages = () => terminal.printed.split('🤖 ').slice(1);
  return {
    type: (text) => terminal.type(text),
    choose(label) {
      const number = numberOfChoice(messages(), label);
      if (!number) throw new Error(`no choice ${label} in the terminal:\n${terminal.printed}`);
      terminal.type(number);
    },
    ...(uploadDir === undefined
      ? {}
      : {
          receivedPhotos: () => [...terminal.printed.matchAll(/📷 \/uploads\/([0-9a-f]{64}\.\w+)/g)].map((m) => readFileSync(join(uploadDir, m[1] ?? ''))),
        }),
    replies: () => messages().length,
    waitReplies: (before) =>
      expect
        .poll(() => messages().length, { timeout: 15_000, interval: 25 })
        .toBeGreaterThan(before)
        .then(() => undefined),
    waitFor: (text) => terminal.waitFor(text),
    transcript: () => terminal.printed,
  };
}

/**
 * Binds the demo liaison to a console terminal (as `npm run chat -- --as` does) and
 * starts a console app for it with `start` (the caller's tracked startApp).
 */
export async function liaisonTerminal(app: App, start: (adapters: ConsoleAdapter[]) => Promise<App>): Promise<Terminal> {
  const chatId = `as:${DEMO_LIAISON}`;
  const liaison = await app.database.db.person.findUniqueOrThrow({ where: { code: DEMO_LIAISON } });
  await app.database.db.channelIdentity.create({
    data: { channel: 'console', platformUserId: chatId, chatId, personId: liaison.id, lastUsedAt: new Date() },
  });
  const terminal = new Terminal();
  await start([new ConsoleAdapter({ chatId, input: terminal.input, output: terminal.output })]);
  return terminal;
}

/** Binds a chat to a person with a one-time code, as `npm run invite` + `绑定 CODE` do. */
export async function bindWithCode(app: App, driver: ChatDriver, personCode: string): Promise<void> {
  const person = await app.database.db.person.findUniqueOrThrow({ where: { code: personCode } });
  const code = await createBindingCode(app.database.db, person.id, new Date(), 7);
  await driver.type(`绑定 ${code}`);
  await driver.waitFor(`绑定成功，您好，${person.name}`);
}

/** Answers one choice and waits for the bot's next message. */
async function chooseAndWait(driver: ChatDriver, label: string): Promise<void> {
  const before = await driver.replies();
  await driver.choose(label);
  await driver.waitReplies(before);
}

/** Types a line and waits for the bot's next message. */
async function typeAndWait(driver: ChatDriver, text: string): Promise<void> {
  const before = await driver.replies();
  await driver.type(text);
  await driver.waitReplies(before);
}

/** Waits until `driver` has received a photo (or a voice note) with exactly these bytes. */
async function waitForMedia(driver: ChatDriver, bytes: Buffer, who: string, kind: 'photo' | 'voice' = 'photo'): Promise<void> {
  const received = kind === 'voice' ? driver.receivedVoices?.bind(driver) : driver.receivedPhotos?.bind(driver);
  if (!received) throw new Error(`the ${who}'s channel cannot show what ${kind}s arrived`);
  await expect.poll(() => received().some((item) => item.equals(bytes)), { timeout: 15_000, interval: 50, message: `a ${kind} reaches the ${who}` }).toBe(true);
}

/** Options of the loop. */
export interface TwoSidedOptions {
  /** The liaison reports progress before resolving. */
  progress: boolean;
  /** What the receipt looks like (the ticket number is read from it). */
  ticket: RegExp;
  /**
   * Photos: the resident sends `fromResident` with the report and again when the
   * liaison asks for more, which must reach the liaison; the liaison's progress is
   * `fromLiaison`, which must reach the resident. Byte for byte.
   */
  photos?: { fromResident?: Buffer; fromLiaison?: Buffer };
  /**
   * Voice notes instead of photos where the loop sends them after the report: the
   * resident's answer to the liaison's request (`fromResident`) and the liaison's progress
   * (`fromLiaison`), each of which must reach the other side byte for byte.
   */
  voices?: { fromResident?: Buffer; fromLiaison?: Buffer };
}

/** Runs the whole loop and checks the ticket ends closed and rated 满意. */
export async function runTwoSidedLoop(app: App, resident: ResidentDriver, liaison: LiaisonDriver, options: TwoSidedOptions): Promise<void> {
  const { fromResident, fromLiaison } = options.photos ?? {};
  const residentPhoto = fromResident ? resident.sendPhoto?.bind(resident) : undefined;
  const liaisonPhoto = fromLiaison ? liaison.sendPhoto?.bind(liaison) : undefined;
  if ((fromResident && !residentPhoto) || (fromLiaison && !liaisonPhoto)) throw new Error('a photo from a side whose channel cannot send one');
  const { fromResident: voiceFromResident, fromLiaison: voiceFromLiaison } = options.voices ?? {};
  const residentVoice = voiceFromResident ? resident.sendVoice?.bind(resident) : undefined;
  const liaisonVoice = voiceFromLiaison ? liaison.sendVoice?.bind(liaison) : undefined;
  if ((voiceFromResident && !residentVoice) || (voiceFromLiaison && !liaisonVoice)) throw new Error('a voice note from a side whose channel cannot send one');

  await typeAndWait(resident, '绑定家庭');
  await chooseAndWait(resident, '东湖村');
  await typeAndWait(resident, '罗丽敏');
  await resident.type('19900000001');
  await resident.waitFor('等待您的网格员确认');
  await liaison.waitFor('【家庭绑定】罗丽敏 申请绑定住户');
  await liaison.choose('确认');
  await liaison.waitFor('已确认');
  await resident.waitFor('家庭绑定成功');

  await resident.type('村口的路灯坏了好几天');
  await resident.waitFor('电力照明');
  await chooseAndWait(resident, '是的');
  await chooseAndWait(resident, '就在我家附近');
  if (fromResident && residentPhoto) {
    const before = await resident.replies();
    await residentPhoto(fromResident);
    await resident.waitReplies(before);
  } else {
    await chooseAndWait(resident, '跳过');
  }
  await chooseAndWait(resident, '用登记的电话');
  await resident.choose('提交');
  await resident.waitFor(options.ticket);
  const number = /已受理，编号 (MQ-\d{4}-\d{6})/.exec(await resident.transcript())?.[1] ?? '';
  if (fromResident) {
    const ticket = await app.database.db.ticket.findUniqueOrThrow({ where: { number }, include: { events: true } });
    const received = ticket.events.find((e) => e.type === 'received');
    expect(JSON.parse(received?.data ?? '{}')).toMatchObject({ photos: [expect.stringMatching(/^\/uploads\/[0-9a-f]{64}\.png$/)] });
  }

  await liaison.waitFor(`【派单】${number}`);
  // The ping says where to go and whom to call, and carries the resident's photo.
  await liaison.waitFor('地点：东湖村');
  await liaison.waitFor('群众电话：19900000001');
  if (fromResident) await waitForMedia(liaison, fromResident, 'liaison');
  await liaison.choose('签收');
  await liaison.waitFor(`已签收 ${number}`);
  await resident.waitFor('已由经办人签收');

  /** Opens the ticket from the liaison's queue. */
  const openTicket = async (): Promise<void> => {
    await typeAndWait(liaison, '我的待办');
    await chooseAndWait(liaison, number);
  };

  const supplement =
    voiceFromResident && residentVoice
      ? { send: residentVoice, bytes: voiceFromResident, kind: 'voice' as const }
      : fromResident && residentPhoto
        ? { send: residentPhoto, bytes: fromResident, kind: 'photo' as const }
        : undefined;
  if (supplement) {
    // The liaison asks for a photo (or a word); the resident's answer reaches the liaison's chat.
    await openTicket();
    await chooseAndWait(liaison, '请群众补充');
    await liaison.type('请拍一张路灯的照片');
    await liaison.waitFor(`已请群众补充材料（${number}）`);
    await resident.waitFor('需要您补充：请拍一张路灯的照片');
    await chooseAndWait(resident, '补充材料');
    await supplement.send(supplement.bytes);
    await resident.waitFor(`已收到您为 ${number} 补充的材料`);
    await liaison.waitFor(`群众已为 ${number} 补充材料`);
    await waitForMedia(liaison, supplement.bytes, 'liaison', supplement.kind);
  }

  await openTicket();
  await liaison.waitFor(/状态：(已签收|办理中)/);
  if (options.progress || fromLiaison || voiceFromLiaison) {
    await chooseAndWait(liaison, '报告进展');
    if (voiceFromLiaison && liaisonVoice) {
      await liaisonVoice(voiceFromLiaison);
      await liaison.waitFor(`进展已转告群众（${number}）`);
      await resident.waitFor('有新进展：');
      await waitForMedia(resident, voiceFromLiaison, 'resident', 'voice');
    } else if (fromLiaison && liaisonPhoto) {
      await liaisonPhoto(fromLiaison);
      await liaison.waitFor(`进展已转告群众（${number}）`);
      await resident.waitFor('有新进展：（见照片）');
      await waitForMedia(resident, fromLiaison, 'resident');
    } else {
      await liaison.type('已联系供电所，明天上午来修');
      await liaison.waitFor(`进展已转告群众（${number}）`);
      await resident.waitFor('有新进展：已联系供电所，明天上午来修');
    }
    await openTicket();
  }
  await chooseAndWait(liaison, '办结');
  await liaison.waitFor('的办理结果');
  await liaison.type('更换了灯泡，已经亮了');
  await liaison.waitFor(`已办结 ${number}`);

  await resident.waitFor('已办结：更换了灯泡，已经亮了');
  await chooseAndWait(resident, '满意');
  await resident.choose('跳过');
  await resident.waitFor('感谢您的评价');
  const ticket = await app.database.db.ticket.findUniqueOrThrow({ where: { number } });
  expect(ticket).toMatchObject({ state: 'closed', rating: 'satisfied' });
}
