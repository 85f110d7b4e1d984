/**
 * The flow registry and the global commands and buttons that work from anywhere:
 * help, cancel, back, menu, my requests, my queue, bind, and the buttons of pushed
 * messages (accept, return, rate, add information, withdraw, handle).
 */
import { humanFlow } from '../../flows/human.js';
import { handleFlow, isHandleAction } from '../../flows/liaison.js';
import { listFlow, offerReportFlow, rateFlow, registerFlow, reportFlow, supplyFlow, viewFlow, withdrawFlow } from '../../flows/resident.js';
import type { Locale } from '../org/types.js';
import type { Flow, Speaker, TurnContext } from './flow.js';
import { isRating } from './flow.js';

export const FLOWS: Record<string, Flow> = Object.fromEntries(
  [reportFlow, listFlow, viewFlow, supplyFlow, withdrawFlow, rateFlow, handleFlow, registerFlow, offerReportFlow, humanFlow].map((f) => [f.id, f]),
);

/** What a global command does to the conversation. */
export type GlobalOutcome = 'cancel' | 'back' | 'stay' | 'menu' | 'done' | { start: string; data?: Record<string, unknown> };

type Global = (ctx: TurnContext, speaker: Speaker) => Promise<GlobalOutcome> | GlobalOutcome;

const TICKET = /^[A-Z]{1,6}-\d{4}-\d{6}$/;

const help: Global = (ctx, speaker) => {
  const handles = speaker.roles.some((r) => r !== 'resident');
  ctx.say(handles ? 'help.handler' : 'help.resident');
  return 'stay';
};

/** Words a user may type at any time (Chinese, English, and the usual slash commands). */
const COMMANDS: [RegExp, Global][] = [
  [/^(帮助|help|\/help|[?？])$/i, help],
  [/^(取消|cancel|\/cancel|退出)$/i, () => 'cancel'],
  [/^(返回|back|\/back|上一步)$/i, () => 'back'],
  [/^(菜单|menu|\/menu|\/start|你好|您好|hi|hello)$/i, () => 'menu'],
  [/^(我的诉求|我的请求|查询|my requests|\/list)$/i, () => ({ start: 'list', data: { scope: 'own' } })],
  [/^(我的待办|待办|queue|my queue|\/queue)$/i, () => ({ start: 'list', data: { scope: 'assigned' } })],
  [/^(我要反映|反映问题|report|\/report)$/i, () => ({ start: 'report' })],
  [/^(绑定家庭|登记|家庭绑定|register|\/register)$/i, () => ({ start: 'register' })],
  [/^(人工|转人工|人工服务|找人工|找工作人员|联系工作人员|human|\/human|talk to staff)$/i, () => ({ start: 'human' })],
  [/^(结束|结束对话|end|\/end)$/i, endConversation],
  [/^(english|\/english|英文)$/i, (ctx) => switchLocale(ctx, 'en')],
  [/^(中文|\/chinese|chinese|\/zh)$/i, (ctx) => switchLocale(ctx, 'zh')],
];

/** 结束: ends the conversation with staff (then the menu), or says there is none. */
async function endConversation(ctx: TurnContext): Promise<GlobalOutcome> {
  if (!(await ctx.effects.endConversation())) {
    ctx.say('conversation.none');
    return 'stay';
  }
  ctx.say('conversation.ended');
  return 'done';
}

async function switchLocale(ctx: TurnContext, locale: Locale): Promise<GlobalOutcome> {
  await ctx.effects.setLocale(locale);
  ctx.say('locale.switched');
  return 'stay';
}

const BIND = /^(?:绑定|\/bind|bind)\s*([A-Za-z0-9]{4,16})$/i;

/** The global command a text names, if any. */
export function globalCommand(text: string): Global | null {
  const bind = BIND.exec(text);
  if (bind) {
    const code = bind[1] ?? '';
    return async (ctx): Promise<GlobalOutcome> => {
      const result = await ctx.effects.bind(code);
      ctx.say(result.ok ? 'bind.done' : 'bind.failed', result.ok ? { name: result.name } : { reason: result.text });
      return 'stay';
    };
  }
  for (const [pattern, run] of COMMANDS) if (pattern.test(text)) return run;
  return null;
}

/**
 * A button about one ticket opens its flow only for its resident or handler; anyone else,
 * like a number that does not exist, hears "not found" at once, before any question: a
 * forged button tells nothing about other people's requests, and a stale one wastes no typing.
 */
function aboutTicket(number: string, start: GlobalOutcome): Global {
  return async (ctx) => {
    if (await ctx.effects.concerns(number)) return start;
    ctx.say('ticket.not_found', { number });
    return 'stay';
  };
}

/** The global action a button payload names, if any. */
export function globalAction(payload: string): Global | null {
  const [verb, number = '', extra = ''] = payload.split(':');
  switch (verb) {
    case 'menu':
      if (number === 'help') return help;
      if (number === 'report') return () => ({ start: 'report' });
      if (number === 'register') return () => ({ start: 'register' });
      if (number === 'list') return () => ({ start: 'list', data: { scope: 'own' } });
      if (number === 'queue') return () => ({ start: 'list', data: { scope: 'assigned' } });
      if (number === 'human') return () => ({ start: 'human' });
      return null;
  }
  if (verb === 'claim' && /^\d+$/.test(number) && (extra === 'confirm' || extra === 'reject')) {
    return async (ctx): Promise<GlobalOutcome> => {
      const result = await ctx.effects.decideClaim(Number(number), extra === 'confirm');
      ctx.say(result.ok ? `claim.decided_${extra}` : 'command.refused', result.ok ? {} : { reason: result.text });
      return 'stay';
    };
  }
  if (!TICKET.test(number)) return null;
  switch (verb) {
    case 'view':
      return () => ({ start: 'view', data: { number } });
    case 'accept':
      return async (ctx): Promise<GlobalOutcome> => {
        const result = await ctx.effects.command(number, { type: 'accept' });
        ctx.say(result.ok ? 'handle.done_accept' : 'command.refused', result.ok ? { number } : { reason: result.text });
        return 'stay';
      };
    case 'return':
      return aboutTicket(number, { start: 'handle', data: { number, action: 'return' } });
    case 'handle':
      return isHandleAction(extra) ? aboutTicket(number, { start: 'handle', data: { number, action: extra } }) : null;
    case 'supply':
      return aboutTicket(number, { start: 'supply', data: { number } });
    case 'withdraw':
      return aboutTicket(number, { start: 'withdraw', data: { number } });
    case 'rate':
      return aboutTicket(number, { start: 'rate', data: isRating(extra) ? { number, rating: extra, _step: 'comment' } : { number } });
    default:
      return null;
  }
}
