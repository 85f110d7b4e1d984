/**
 * The flow registry and what works from anywhere: the words, menu buttons and ticket
 * buttons each flow declares (`entries`, `buttons`), and what is no flow: the commands
 * help, cancel, back, menu, end, language and bind, and the buttons accept and claim.
 */
import type { MessageKey } from '../../flows/messages/zh.js';
import { humanFlow } from '../../flows/human.js';
import { offerReportFlow } from '../../flows/offer-report.js';
import { reportFlow } from '../../flows/report.js';
import { viewFlow } from '../../flows/view.js';
import { readdirSync } from 'node:fs';
import type { Locale } from '../org/types.js';
import { commandForms } from './choices.js';
import {
  type Flow,
  type FlowChoice,
  isDefinedFlow,
  type FlowEntry,
  type FlowReply,
  type FlowStart,
  type Speaker,
  startOf,
  type StepRef,
  stepRef,
  type TurnContext,
} from './flow.js';

/** Names that are not a flow's to take: the menu's help button, and the buttons handled here. */
const RESERVED_ENTRIES = new Set(['help']);
const RESERVED_VERBS = new Set(['menu', 'accept', 'claim']);

/**
 * A set of flows and what starts them from anywhere. The runner plays the app's (`FLOWS`);
 * a test may give it a set of its own.
 */
export interface FlowSet {
  /** The flows by id. */
  readonly byId: ReadonlyMap<string, Flow>;
  /** The global command a text names, if any. */
  command(text: string): Global | null;
  /** The global action a button payload names, if any. */
  action(payload: string): Global | null;
  /** The main menu for this speaker: the flows' menu entries shown to them, in order, then help. */
  menu(speaker: Speaker, key: MessageKey): FlowReply;
  /** Where words that are a new request go; without it they get the main menu. */
  readonly newRequests?: NewRequests;
}

/** Where words that are a new request go (the runner says when words are one: see Step.takes). */
export interface NewRequests {
  /** A resident's: this step takes them as its answer (a report's description). */
  resident: StepRef;
  /**
   * Staff's and liaisons', often meant for a ticket of theirs: this flow starts with them
   * and asks first; `at` is where the conversation was (a ticket shown, with its buttons).
   */
  staff(text: string, at?: { flow: string | null; data: object; choices: readonly { payload: string }[] }): FlowStart;
  /** Anyone's while a conversation with staff is open: this step passes them on. */
  inConversation: StepRef;
}

/** A flow set, checked once: unique ids, entry names and button verbs, first steps that exist, hand-overs to flows that exist. */
export function flowSet(flows: readonly Flow[], newRequests?: NewRequests): FlowSet {
  const byId = registry(flows);
  for (const ref of newRequests ? [newRequests.resident, newRequests.inConversation, { flow: newRequests.staff('').flow, step: undefined }] : []) {
    const flow = byId.get(ref.flow);
    if (!flow || (ref.step !== undefined && !Object.hasOwn(flow.steps, ref.step))) throw new Error(`new requests go to ${ref.flow} ${ref.step ?? ''}, which this set has not`);
  }
  const entries = flows.flatMap((flow) => flow.entries.map((entry) => ({ flow, entry })));
  const startEntry = (named: { flow: Flow; entry: FlowEntry<unknown> } | undefined): Global | null =>
    named ? () => ({ start: { flow: named.flow.id, data: named.entry.data } }) : null;
  return {
    byId,
    ...(newRequests ? { newRequests } : {}),
    command(text) {
      // A request's number typed (mq-2026-001672, ＭＱ２０２６００１６７２, 查 MQ-…): that request shown.
      const number = typedTicketNumber(text);
      if (number) return ticketButton(flows, `view:${number}`);
      // Tried as typed, then without punctuation and polite words (commandForms): 我的诉求。 is 我的诉求.
      for (const form of commandForms(text)) {
        const found = globalCommand(form) ?? startEntry(entries.find(({ entry }) => entry.words?.test(form)));
        if (found) return found;
      }
      return null;
    },
    action: (payload) =>
      (payload.startsWith('menu:') ? startEntry(entries.find(({ entry }) => `menu:${entry.name}` === payload)) : ticketButton(flows, payload)) ?? globalAction(payload),
    menu(speaker, key) {
      const shown = entries.flatMap(({ entry }) => (entry.menu && (entry.menu.shownTo?.(speaker) ?? true) ? [{ name: entry.name, ...entry.menu }] : []));
      const choices: FlowChoice[] = shown.sort((a, b) => a.order - b.order).map(({ label, name }) => ({ label, payload: `menu:${name}` }));
      choices.push({ label: 'menu.help', payload: 'menu:help' });
      return { key, choices };
    },
  };
}

function registry(flows: readonly Flow[]): Map<string, Flow> {
  const byId = new Map<string, Flow>();
  for (const flow of flows) {
    if (byId.has(flow.id)) throw new Error(`two flows named ${flow.id}`);
    if (!Object.hasOwn(flow.steps, flow.first)) throw new Error(`flow ${flow.id}: no first step ${flow.first}`);
    byId.set(flow.id, flow);
  }
  const names = new Set<string>();
  const verbs = new Set<string>();
  // The menu is sorted by `order` alone: two buttons at one place would be shown in whatever order the flows were found.
  const places = new Map<number, string>();
  for (const flow of flows) {
    for (const { verb } of flow.buttons) {
      if (verbs.has(verb) || RESERVED_VERBS.has(verb)) throw new Error(`flow ${flow.id}: the button verb ${verb} is taken`);
      verbs.add(verb);
    }
    for (const entry of flow.entries) {
      if (names.has(entry.name) || RESERVED_ENTRIES.has(entry.name)) throw new Error(`flow ${flow.id}: the entry name ${entry.name} is taken`);
      names.add(entry.name);
      if (!entry.menu) continue;
      const taken = places.get(entry.menu.order);
      if (taken) throw new Error(`flow ${flow.id}: the menu place ${entry.menu.order} of ${entry.name} is taken by ${taken}`);
      places.set(entry.menu.order, entry.name);
    }
    for (const [id, step] of Object.entries(flow.steps)) {
      for (const target of step.starts ?? []) if (!byId.has(target)) throw new Error(`flow ${flow.id}: step ${id} starts ${target}, which is no flow`);
    }
  }
  return byId;
}

/** What a global command does to the conversation. */
type GlobalOutcome = 'cancel' | 'back' | 'stay' | 'menu' | 'done' | { start: FlowStart };

type Global = (ctx: TurnContext, speaker: Speaker) => Promise<GlobalOutcome> | GlobalOutcome;

const TICKET = /^[A-Z]{1,6}-\d{4}-\d{6}$/;

/** A ticket number typed alone, or after 查/查看/看看, in any width or case, with or without its dashes: MQ-2026-001672. */
function typedTicketNumber(text: string): string | null {
  const typed = text.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  const found = /^(?:查看?|看看?|查询)?([A-Z]{2,6})-?(\d{4})-?(\d{6})[。.？?]?$/.exec(typed);
  return found ? `${found[1]}-${found[2]}-${found[3]}` : null;
}
/** The ticket a button's payload is about (`<verb>:<number>[:<extra>]`), if it names one. */
export function ticketOfPayload(payload: string): string | null {
  const number = payload.split(':')[1] ?? '';
  return TICKET.test(number) ? number : null;
}

/** A record's id in a button (see TicketButton.record). */
const RECORD_ID = /^[1-9]\d{0,9}$/;

const help: Global = (ctx, speaker) => {
  const handles = speaker.roles.some((r) => r !== 'resident');
  ctx.say(handles ? 'help.handler' : 'help.resident');
  return 'stay';
};

/** Words a user may type at any time that are not a flow's (Chinese, English, and the usual slash commands). */
const COMMANDS: [RegExp, Global][] = [
  [/^(帮助|求助|怎么用|使用说明|help|\/help|[?？])$/i, help],
  [/^(取消|cancel|\/cancel|退出|不办了|不报了|不反映了|放弃)$/i, () => 'cancel'],
  [/^(返回|back|\/back|上一步)$/i, () => 'back'],
  [/^(菜单|主菜单|menu|\/menu|\/start|你好|您好|在吗|在不在|hi|hello)$/i, () => 'menu'],
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

/** The command a text names, if it is not a flow's. */
function globalCommand(text: string): Global | null {
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
 * A button about one ticket that a flow declares (TicketButton). A guarded one opens its
 * flow only for the ticket's resident or handler; anyone else, like a number that does not
 * exist, hears "not found" at once, before any question: a forged button tells nothing
 * about other people's requests, and a stale one wastes no typing.
 */
function ticketButton(flows: readonly Flow[], payload: string): Global | null {
  const [verb = '', number = '', extra = ''] = payload.split(':');
  for (const flow of flows) {
    for (const button of flow.buttons) {
      if (button.verb !== verb) continue;
      if (!(button.record ? RECORD_ID : TICKET).test(number)) return null;
      const start = button.start(number, extra);
      if (!start) return null;
      const outcome: GlobalOutcome = { start: { flow: flow.id, data: start.data, ...(start.at === undefined ? {} : { at: start.at }) } };
      if (button.guarded === false || button.record) return () => outcome;
      return async (ctx) => {
        if (await ctx.effects.concerns(number)) return outcome;
        ctx.say('ticket.not_found', { number });
        return 'stay';
      };
    }
  }
  return null;
}

/** The action a button payload names, if it is not a flow's. */
function globalAction(payload: string): Global | null {
  const [verb, number = '', extra = ''] = payload.split(':');
  if (payload === 'menu:help') return help;
  if (verb === 'claim' && /^\d+$/.test(number) && (extra === 'confirm' || extra === 'reject')) {
    return async (ctx): Promise<GlobalOutcome> => {
      const result = await ctx.effects.decideClaim(Number(number), extra === 'confirm');
      ctx.say(result.ok ? `claim.decided_${extra}` : 'command.refused', result.ok ? {} : { reason: result.text });
      return 'stay';
    };
  }
  // Accepting needs no dialogue: done straight from the button.
  if (verb === 'accept' && TICKET.test(number)) {
    return async (ctx): Promise<GlobalOutcome> => {
      const result = await ctx.effects.command(number, { type: 'accept' });
      ctx.say(result.ok ? 'handle.done_accept' : 'command.refused', result.ok ? { number } : { reason: result.text });
      return 'stay';
    };
  }
  return null;
}

/**
 * Every flow that the modules of a directory export (what `defineFlow` made), in the order
 * of their file names, then of their export names: a new flow is a file dropped there, listed
 * nowhere else. Only modules of this module's own kind are read, `.ts` under tsx and the tests,
 * `.js` from dist/, so that the same code finds them run either way. The modules there that
 * flows share (answers.ts…) are loaded and give none; folders below (messages/) are not read.
 * The order is that of docs/flows.md and the one in which typed words are tried (`command`);
 * the flows' words are meant never to overlap, so that it decides nothing a resident sees.
 */
export async function discoverFlows(dir: URL): Promise<Flow[]> {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.js';
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(extension) && !e.name.endsWith(`.d${extension}`))
    .map((e) => e.name)
    .sort();
  const flows: Flow[] = [];
  for (const file of files) {
    const module = (await import(new URL(file, dir).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) if (isDefinedFlow(value)) flows.push(value);
  }
  return flows;
}

/** The app's flows: every one under flows/, with its words and buttons (see `discoverFlows`). */
export const FLOWS: FlowSet = flowSet(await discoverFlows(new URL('../../flows/', import.meta.url)), {
  resident: stepRef(reportFlow, 'describe'),
  staff: (text, at) => startOf(offerReportFlow, { text, ...handledTicket(at) }).start,
  inConversation: stepRef(humanFlow, 'talk'),
});

/** The ticket shown where words were written, when its handling buttons were offered to the writer (flows/view.ts). */
function handledTicket(at: Parameters<NewRequests['staff']>[1]): { number?: string } {
  if (at?.flow !== viewFlow.id) return {};
  const parsed = viewFlow.data.safeParse(at.data);
  if (!parsed.success) return {};
  const number = parsed.data.number;
  return at.choices.some((c) => c.payload === `handle:${number}:progress`) ? { number } : {};
}
