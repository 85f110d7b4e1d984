/**
 * The two-sided loop of the dialogue issue, written once for every resident channel:
 * the resident (on whatever chat) binds their household, which the liaison confirms in a
 * console terminal; reports a street light; the liaison accepts, (optionally) reports
 * progress and resolves; the resident rates 满意 and the ticket closes.
 */
import { expect } from 'vitest';
import { ConsoleAdapter } from '../../bots/console/console-adapter.js';
import type { App } from '../../src/app.js';
import { Terminal } from './terminal.js';

/** The liaison paired with household QH-01-001-H001 (罗丽敏, 19900000001) of the demo county. */
export const DEMO_LIAISON = 'L-QH-01-001-01';

/** A resident as a test drives them on some channel. */
export interface ResidentDriver {
  type(text: string): void;
  /** Picks the offered choice with this label (a button tap, or its number). */
  choose(label: string): void;
  /** How many messages the bot has sent this resident so far. */
  replies(): number;
  waitReplies(before: number): Promise<void>;
  waitFor(text: string | RegExp): Promise<void>;
  transcript(): string;
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

/** Answers one choice and waits for the bot's next message. */
async function chooseAndWait(resident: ResidentDriver, label: string): Promise<void> {
  const before = resident.replies();
  resident.choose(label);
  await resident.waitReplies(before);
}

/** Runs the whole loop and checks the ticket ends closed and rated 满意. */
export async function runTwoSidedLoop(
  app: App,
  resident: ResidentDriver,
  terminal: Terminal,
  options: { progress: boolean; ticket: RegExp },
): Promise<void> {
  resident.type('绑定家庭');
  await resident.waitReplies(0);
  await chooseAndWait(resident, '东湖村');
  const before = resident.replies();
  resident.type('罗丽敏');
  await resident.waitReplies(before);
  resident.type('19900000001');
  await resident.waitFor('等待您的网格员确认');
  await terminal.waitFor('【家庭绑定】罗丽敏 申请绑定住户');
  terminal.type('1');
  await terminal.waitFor('已确认');
  await resident.waitFor('家庭绑定成功');

  resident.type('村口的路灯坏了好几天');
  await resident.waitFor('电力照明');
  for (const label of ['是的', '就在我家附近', '跳过', '用登记的电话']) await chooseAndWait(resident, label);
  resident.choose('提交');
  await resident.waitFor(options.ticket);
  const number = /已受理，编号 (MQ-\d{4}-\d{6})/.exec(resident.transcript())?.[1] ?? '';

  await terminal.waitFor(`【派单】${number}`);
  terminal.type('1'); // 签收
  await terminal.waitFor(`已签收 ${number}`);
  await resident.waitFor('已由经办人签收');

  terminal.type('我的待办');
  await terminal.waitFor('您的待办（共 1 件）');
  terminal.type('1');
  await terminal.waitFor('状态：已签收');
  if (options.progress) {
    terminal.type('1'); // 报告进展
    await terminal.waitFor('请输入');
    terminal.type('已联系供电所，明天上午来修');
    await terminal.waitFor('进展已转告群众');
    await resident.waitFor('有新进展：已联系供电所，明天上午来修');
    terminal.type('我的待办');
    terminal.type('1');
  }
  terminal.type('2'); // 办结
  await terminal.waitFor('的办理结果');
  terminal.type('更换了灯泡，已经亮了');
  await terminal.waitFor(`已办结 ${number}`);

  await resident.waitFor('已办结：更换了灯泡，已经亮了');
  await chooseAndWait(resident, '满意');
  resident.choose('跳过');
  await resident.waitFor('感谢您的评价');
  const ticket = await app.database.db.ticket.findUniqueOrThrow({ where: { number } });
  expect(ticket).toMatchObject({ state: 'closed', rating: 'satisfied' });
}
