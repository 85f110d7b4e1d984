/**
 * The inbox pages: the list of conversations and one conversation with its transcript,
 * the reply box and the ways to end it (close, make a ticket, attach to a ticket).
 */
import { bi, type Html, html } from '../html.js';
import { channelText } from '../../stats/channels.js';
import { formatLocal } from '../format.js';
import { mediaLinks } from '../media.js';
import { type Column, tableHtml } from '../table.js';
import type { ConversationView, InboxFilters, InboxRow, TranscriptEntry } from './inbox.js';
import { FILTER_PROBLEMS } from './queue.js';
import { regionOptions, select } from './queue-page.js';
import type { StaffScope } from './scope.js';
import type { RegionNode } from '../../org/regions.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { villageNamed } from '../../org/village-names.js';

/** 3 小时 12 分 / 3 h 12 min since `since`. */
function waited(since: Date, now: Date): Html {
  const minutes = Math.max(0, Math.round((now.getTime() - since.getTime()) / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return bi(h ? `${h} 小时 ${m} 分` : `${m} 分钟`, h ? `${h} h ${m} min` : `${m} min`);
}

const CLOSE_REASONS: Record<string, string> = {
  resident: '群众结束 by the resident',
  staff: '工作人员结束 by staff',
  idle: '长时间无消息 idle',
  ticket: '已转为诉求 made a ticket',
};

export const INBOX_COLUMNS: Column<InboxRow & { now: Date }>[] = [
  { zh: '会话', en: 'conversation', csv: (r) => `#${r.id}`, html: (r) => html`<a href="${CONSOLE_PATHS.inbox}/${r.id}">#${r.id}</a>` },
  { zh: '群众', en: 'resident', csv: (r) => r.resident },
  { zh: '地区', en: 'region', csv: (r) => r.region },
  { zh: '渠道', en: 'channel', csv: (r) => channelText(r.channel) },
  { zh: '最近消息', en: 'last message', csv: (r) => r.preview, className: 'summary' },
  {
    zh: '未读',
    en: 'unread',
    csv: (r) => r.unread,
    html: (r) => (r.unread ? html`<span class="badge unread">${r.unread}</span>` : ''),
    className: 'num',
  },
  { zh: '等待', en: 'waiting', csv: (r) => (r.waitingSince ? formatLocal(r.waitingSince) : ''), html: (r) => (r.waitingSince ? waited(r.waitingSince, r.now) : '—') },
  { zh: '开始', en: 'opened', csv: (r) => formatLocal(r.openedAt) },
  {
    zh: '状态',
    en: 'status',
    csv: (r) => (r.status === 'open' ? '进行中 open' : `已结束 closed ${CLOSE_REASONS[r.closeReason ?? ''] ?? ''}`),
  },
  {
    zh: '诉求',
    en: 'ticket',
    csv: (r) => r.ticketNumber,
    html: (r) => (r.ticketNumber ? html`<a href="${CONSOLE_PATHS.tickets}/${r.ticketNumber}">${r.ticketNumber}</a>` : ''),
  },
];

/** The inbox list page: the tabs, the region filter (with the filters not understood named), the list, one's own desk first. */
export function inboxBody(input: { rows: InboxRow[]; filters: InboxFilters; problems: string[]; scope: StaffScope; regions: Map<number, RegionNode>; now: Date }): Html {
  const { filters, now } = input;
  const region = filters.regionId === undefined ? '' : `&region=${filters.regionId}`;
  const tab = (value: string, zh: string, en: string) =>
    html`<a href="${CONSOLE_PATHS.inbox}?status=${value}${region}"${filters.status === value ? html` aria-current="page"` : ''}>${bi(zh, en)}</a>`;
  // A conversation is placed at a township or the county (never a village): those are the choices.
  const places = regionOptions(input.scope, input.regions).filter((o) => input.regions.get(Number(o.value))?.level !== 'village');
  const own = input.scope.topRegions.map((r) => r.name).join('、');
  const below = input.scope.topRegions.some((r) => r.level === 'county');
  return html`<section class="inbox">
<h1>${bi('会话', 'Conversations')}</h1>
${input.problems.length ? notice('error', html`${bi(FILTER_PROBLEMS.zh, FILTER_PROBLEMS.en)} ${input.problems.join('；')}`) : ''}
<p class="tabs">${tab('open', '进行中', 'open')} · ${tab('closed', '已结束', 'closed')} · ${tab('all', '全部', 'all')}</p>
${
  places.length > 1
    ? html`<form method="get" action="${CONSOLE_PATHS.inbox}" class="filters"><input type="hidden" name="status" value="${filters.status}">
${select('region', bi('地区', 'Region'), places, filters.regionId === undefined ? undefined : String(filters.regionId), '全部 any')}
<div class="buttons"><button type="submit">${bi('筛选', 'Filter')}</button></div></form>`
    : ''
}
<p class="hint">${bi('群众发送“人工”后，对话出现在这里；您的回复会发到群众正在用的聊天中。', 'When a resident sends "人工" the conversation appears here; your reply goes to the chat they use.')}${
    below
      ? bi(
          `${own}本级的会话（群众所在乡镇不明的）排在前面，各乡镇的会话由乡镇答复，排在后面。`,
          ` Your own desk's conversations (${own}: the resident's township unknown) come first; the townships', which their staff answer, after.`,
        )
      : ''
  }</p>
${tableHtml(
  INBOX_COLUMNS,
  input.rows.map((r) => ({ ...r, now })),
  { empty: bi('没有会话。', 'No conversations.'), rowClass: (r) => [r.unread ? 'unread' : '', below && r.own ? 'own' : ''].filter(Boolean).join(' ') || null },
)}
</section>`;
}

function systemText(text: string): Html {
  if (text === 'opened') return bi('群众请求人工服务', 'the resident asked for a person');
  const reason = /^closed:(\w+)$/.exec(text)?.[1];
  if (reason) return bi(`会话结束：${(CLOSE_REASONS[reason] ?? reason).split(' ')[0] ?? reason}`, `ended: ${reason}`);
  const moved = /^moved:(.+)$/.exec(text)?.[1];
  if (moved) return bi(`已转给${moved}`, `passed on to ${moved}`);
  return html`${text}`;
}

function entryHtml(m: TranscriptEntry): Html {
  return html`<li class="say ${m.author}"><div class="meta">${m.who} · ${formatLocal(m.at)}</div>
<div class="words pre">${m.author === 'system' ? systemText(m.text) : m.text}</div>${m.media.length ? mediaLinks(m.media) : ''}</li>`;
}

/** One conversation: transcript, reply box and the ways to end it. */
export function conversationBody(input: {
  view: ConversationView;
  csrf: string;
  now: Date;
  categories: Map<string, string>;
  /** The category the matcher proposes for what the resident said. */
  suggested: string | null;
  /** The villages a ticket may be made in, with their townships (two townships may each have a 东湖村). */
  villages: { id: number; name: string; townshipId: number | null; township: string | null }[];
  done?: string;
  error?: string;
}): Html {
  const { view: c, csrf } = input;
  const base = `${CONSOLE_PATHS.inbox}/${c.id}`;
  const open = c.status === 'open';
  const said = c.transcript
    .filter((m) => m.author === 'resident')
    .map((m) => m.text)
    .join('\n');
  // The ticket's village: the household's, else the one the resident's words name (我是杏花村的).
  const village = c.homeRegionId ?? villageNamed(said, input.villages)?.id ?? null;
  return html`<section class="conversation">
<p class="crumbs"><a href="${CONSOLE_PATHS.inbox}">${bi('会话', 'Conversations')}</a> › #${c.id}</p>
<h1>${bi('会话', 'Conversation')} #${c.id} · ${c.resident} <span class="state">${open ? bi('进行中', 'open') : bi('已结束', 'closed')}</span></h1>
${input.done ? notice('ok', bi('已完成。', 'Done.')) : ''}
${input.error ? notice('error', input.error) : ''}
<p class="hint">${c.region} · ${channelText(c.channel)} · ${bi('开始于', 'opened')} ${formatLocal(c.openedAt)}${c.waitingSince ? html` · <strong>${bi('群众已等待', 'waiting for')} ${waited(c.waitingSince, input.now)}</strong>` : ''}${c.ticketNumber ? html` · ${bi('诉求', 'ticket')} <a href="${CONSOLE_PATHS.tickets}/${c.ticketNumber}">${c.ticketNumber}</a>` : ''}</p>
<ol class="transcript">${c.transcript.map(entryHtml)}</ol>
${
  open
    ? html`<form method="post" action="${base}/reply" class="reply">${csrfField(csrf)}
<label>${bi('回复群众', 'Reply to the resident')} <span class="audience resident">${bi('群众会在聊天中收到', 'the resident receives it in their chat')}</span>
<textarea name="text" maxlength="2000" rows="3" required></textarea></label>
<button type="submit">${bi('发送', 'Send')}</button></form>
<details class="action"><summary>${bi('转为诉求', 'Make a ticket')}</summary>
<form method="post" action="${base}/ticket">${csrfField(csrf)}
<label>${bi('类别', 'Category')}<select name="category" required>${[...input.categories].map(
        ([code, name]) => html`<option value="${code}"${code === input.suggested ? html` selected` : ''}>${name}</option>`,
      )}</select></label>
<label>${bi('村庄', 'Village')}<select name="region" required><option value="">请选择 choose</option>${input.villages.map(
        (v) => html`<option value="${v.id}"${v.id === village ? html` selected` : ''}>${v.township ?? ''}${v.name}</option>`,
      )}</select></label>
<label>${bi('摘要', 'Summary')}<input name="summary" maxlength="60" required value="${said.split('\n')[0]?.slice(0, 60) ?? ''}"></label>
<label>${bi('描述（群众原话）', 'Description (the resident’s words)')}<textarea name="description" maxlength="2000" rows="4">${said}</textarea></label>
<p class="hint">${bi('登记后按诉求流程派单，群众会收到编号和时限，会话随之结束。', 'It goes through the pipeline like a chat report; the resident gets the number and deadline, and the conversation ends.')}</p>
<button type="submit">${bi('登记为诉求', 'Register as a ticket')}</button></form></details>
<details class="action"><summary>${bi('关联已有诉求', 'Attach to a ticket')}</summary>
<form method="post" action="${base}/attach">${csrfField(csrf)}
<label>${bi('诉求编号', 'Ticket number')}<input name="number" required maxlength="30" pattern="[A-Za-z]{1,6}-\\d{4}-\\d{6}" placeholder="MQ-2026-000123"></label>
<button type="submit">${bi('关联', 'Attach')}</button></form></details>
<form method="post" action="${base}/close" class="inline">${csrfField(csrf)}<button type="submit">${bi('结束会话', 'Close the conversation')}</button></form>`
    : html`<p class="hint">${bi('会话已结束。', 'This conversation has ended.')}${c.closeReason ? ` ${CLOSE_REASONS[c.closeReason] ?? c.closeReason}` : ''}</p>`
}
</section>`;
}
