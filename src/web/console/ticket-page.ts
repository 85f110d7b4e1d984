/**
 * The ticket page: the facts and deadlines, the actions the user may take now (each a
 * small form), the photos, the whole history and the messages exchanged (each table with
 * its CSV).
 */
import { render } from '../../engine/i18n.js';
import { MAX_EXTENSION } from '../../pipeline/machine.js';
import { channelText } from '../../stats/channels.js';
import { CALLBACK_FAILURE_NAMES, OPEN_STATES } from '../../pipeline/states.js';
import { type DeadlineConflict, deadlineConflict } from '../../pipeline/deadlines.js';
import { bi, type Html, html, type HtmlValue } from '../html.js';
import { HANDLING_CLASS_NAMES, KIND_NAMES, LEVEL_NAMES, formatLocal, stateName } from '../format.js';
import { mediaLinks } from '../media.js';
import { type Column, tableHtml } from '../table.js';
import { ACTION_NAMES, type ConsoleAction, type DispatchOption } from './actions.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import type { MessageEntry, TicketView, TimelineEntry } from './ticket.js';

/** The label of an event type: 派单 dispatched. */
function eventName(type: string): string {
  try {
    return `${render('zh', `event.${type}`)} ${render('en', `event.${type}`)}`;
  } catch {
    return type;
  }
}

export const TIMELINE_COLUMNS: Column<TimelineEntry>[] = [
  // Audited steps (a meeting's decision, a phone viewed) are no events of the ticket: no number.
  { zh: '序号', en: 'seq', csv: (e) => (e.seq === 0 ? '' : e.seq), className: 'num' },
  { zh: '时间', en: 'time', csv: (e) => formatLocal(e.at) },
  { zh: '操作', en: 'step', csv: (e) => eventName(e.type) },
  {
    zh: '状态',
    en: 'state',
    csv: (e) => (e.fromState === e.toState ? stateName(e.toState) : `${e.fromState ? stateName(e.fromState) : ''} → ${stateName(e.toState)}`),
  },
  { zh: '操作人', en: 'by', csv: (e) => e.actor },
  { zh: '角色', en: 'role', csv: (e) => e.actorRole },
  {
    zh: '详情',
    en: 'details',
    csv: (e) => [...e.details.map((d) => `${d.label}: ${d.text}`), ...(e.photos.length ? [`照片 photos: ${e.photos.join(' ')}`] : [])].join('; '),
    html: (e) =>
      html`${e.details.map((d) => html`<div><span class="label">${d.label}</span> ${d.text}${d.audience ? html` ${AUDIENCE[d.audience]}` : ''}</div>`)}${e.photos.length ? mediaLinks(e.photos) : ''}`,
  },
];

const STATUS_NAMES: Record<MessageEntry['status'], string> = {
  sent: '已送达 sent',
  waiting: '待发送 waiting',
  capped: '短信已达今日上限，明日发送 SMS daily limit reached; sends tomorrow',
  failed: '发送失败 failed',
  received: '已收到 received',
};

export const MESSAGE_COLUMNS: Column<MessageEntry>[] = [
  { zh: '时间', en: 'time', csv: (m) => formatLocal(m.at) },
  { zh: '方向', en: 'direction', csv: (m) => (m.direction === 'out' ? '发出 → out' : '收到 ← in') },
  { zh: '对象', en: 'with', csv: (m) => m.who },
  { zh: '渠道', en: 'channel', csv: (m) => (m.channel === null ? '' : channelText(m.channel)) },
  {
    zh: '内容',
    en: 'text',
    csv: (m) => [m.text, ...(m.photos.length ? [`照片 photos: ${m.photos.join(' ')}`] : [])].join(' '),
    html: (m) => html`<div class="pre">${m.text}</div>${m.photos.length ? mediaLinks(m.photos) : ''}`,
    className: 'text',
  },
  { zh: '状态', en: 'status', csv: (m) => STATUS_NAMES[m.status] },
];

function fact(zh: string, en: string, value: HtmlValue): Html {
  return html`<dt>${bi(zh, en)}</dt><dd>${value === null || value === undefined || value === '' ? '—' : value}</dd>`;
}

function deadline(at: Date | null, passed: boolean): Html {
  return html`${formatLocal(at)}${passed ? html` <span class="badge overdue">${bi('已过', 'passed')}</span>` : ''}`;
}

const RATING_NAMES: Record<string, string> = { satisfied: '满意 satisfied', basically_satisfied: '基本满意 basically satisfied', dissatisfied: '不满意 dissatisfied' };

function ratingOptions(): Html[] {
  return Object.entries(RATING_NAMES).map(([value, label]) => html`<option value="${value}">${label}</option>`);
}

/**
 * Who reads a piece of staff text, on every field that takes one: staff only (the
 * default), or the resident too. Nobody types into a box without seeing which.
 */
const AUDIENCE = {
  internal: html`<span class="audience internal">${bi('仅工作人员可见，群众看不到', 'staff only: the resident never sees it')}</span>`,
  handler: html`<span class="audience internal">${bi('发给经办人，群众看不到', 'sent to the handler; the resident never sees it')}</span>`,
  resident: html`<span class="audience resident">${bi('群众会在聊天中收到', 'the resident receives it in their chat')}</span>`,
  // What the resident said on the phone: recorded as theirs (their 我的诉求 shows it), sent to nobody but, with 不满意, the handler.
  said: html`<span class="audience said">${bi('群众的原话，记入办理过程，不会发给群众；不满意时随【重办】转给经办人', "the resident's own words: recorded, not sent to them; with 不满意 they go to the handler with the reopening")}</span>`,
};

/** The form of one action. */
function actionForm(t: TicketView, action: ConsoleAction, csrf: string, options: DispatchOption[], categories: Map<string, string>, warning: Html | null): Html {
  const field = (name: string, zh: string, en: string, required: boolean, long = false, audience: Html = AUDIENCE.internal) =>
    long
      ? html`<label>${bi(zh, en)} ${audience}<textarea name="${name}" maxlength="2000" rows="2"${required ? html` required` : ''}></textarea></label>`
      : html`<label>${bi(zh, en)} ${audience}<input name="${name}" maxlength="2000"${required ? html` required` : ''}></label>`;
  // What the resident said on the phone besides the rating (电话回访, and 归档 with a rating).
  const answerFields = html`<label>${bi('问题是否解决', 'Solved?')}<select name="solved"><option value="">按评价 from the rating</option><option value="yes">已解决 solved</option><option value="no">未解决 not solved</option></select></label>
${field('comment', '群众意见（可选）', 'comment (optional)', false, true, AUDIENCE.said)}`;
  let fields: Html;
  switch (action) {
    case 'reply':
      fields = field('text', '答复内容', 'reply', true, true, AUDIENCE.resident);
      break;
    case 'note':
      fields = field('text', '备注内容', 'note', true, true);
      break;
    case 'recategorise':
      fields = html`<label>${bi('新的类别', 'New category')}<select name="category" required><option value="">请选择 choose</option>
${[...categories].filter(([code]) => code !== t.categoryCode).map(([code, name]) => html`<option value="${code}">${name}</option>`)}</select></label>${field('note', '改类说明（可选）', 'why (optional)', false)}
<p class="hint">${bi('改类会记入办理过程，并用于改进自动分类。', 'The change is recorded in the history and teaches the category matcher.')}</p>`;
      break;
    case 'dispatch':
      fields = html`<label>${bi('经办人或部门', 'Handler')}<select name="target" required><option value="">请选择 choose</option>
${options.map((o) => html`<option value="${o.value}">${o.label}</option>`)}</select></label>${warning ? html`<p class="hint deadline-warning">${warning}</p>` : ''}${field('note', '派单说明（可选）', 'note (optional)', false, true)}`;
      break;
    case 'approve_extension':
      fields = html`<label>${bi(`延期天数（申请 ${t.extensionDays ?? '—'} 天）`, `days (asked: ${t.extensionDays ?? '—'})`)}<input name="days" type="number" min="1" max="${MAX_EXTENSION}" value="${t.extensionDays ?? ''}"></label>${field('note', '备注（可选）', 'note (optional)', false)}`;
      break;
    case 'deny_extension':
    case 'escalate':
    case 'hand_back':
    case 'reopen':
      fields = field('reason', '原因', 'reason', true, true);
      break;
    case 'supervise':
      fields = field('note', '督办意见', 'note', true, true, AUDIENCE.handler);
      break;
    case 'merge':
      fields = html`<label>${bi('合并到诉求编号', 'Merge into ticket number')}<input name="into" required maxlength="30" pattern="[A-Za-z]{1,6}-\\d{4}-\\d{6}" placeholder="MQ-2026-000123"></label>${field('note', '备注（可选）', 'note (optional)', false)}`;
      break;
    case 'rate':
      fields = html`<label>${bi('群众评价', 'Rating')}<select name="rating" required><option value="">请选择 choose</option>${ratingOptions()}</select></label>
${answerFields}`;
      break;
    case 'close':
      // 归档 after 回访: unless the resident rated already, the dispatcher says what the phone
      // callback came to; a 不满意 reopens the request instead of closing it.
      fields =
        t.rating === null
          ? html`<label>${bi('回访结果', 'Callback outcome')}<select name="callback" required><option value="">请选择 choose</option>
<optgroup label="群众评价 resident's rating">${ratingOptions()}</optgroup>
<optgroup label="回访未成功 no rating">${Object.entries(CALLBACK_FAILURE_NAMES).map(([value, name]) => html`<option value="${value}">${name.zh} ${name.en}</option>`)}</optgroup></select></label>
${answerFields}${field('note', '备注（可选）', 'note (optional)', false)}
<p class="hint">${bi('满意、基本满意即归档；不满意转重办；无法联系、拒绝评价则不计评价归档。', 'Satisfied or basically satisfied closes it; dissatisfied reopens it; unreachable or declined closes it with no rating.')}</p>`
          : field('note', '备注（可选）', 'note (optional)', false);
      break;
  }
  const name = ACTION_NAMES[action];
  return html`<details class="action action-${action}"><summary>${bi(name.zh, name.en)}</summary>
<form method="post" action="${CONSOLE_PATHS.tickets}/${t.number}/${action}">${csrfField(csrf)}${fields}<button type="submit">${bi(name.zh, name.en)}</button></form></details>`;
}

const BOARD_ACTIONS: Record<string, { zh: string; en: string } | undefined> = {
  publish: { zh: '公示', en: 'published' },
  unpublish: { zh: '撤下公示', en: 'taken off the board' },
};

/**
 * 公示: whether the request shows on the public board, and the form to publish it with a
 * summary (the scrubbed summary to start with) or take it down. Disputes and private
 * categories are only counted.
 */
function boardSection(t: TicketView, csrf: string, canPublish: boolean): Html {
  const b = t.board;
  const base = `${CONSOLE_PATHS.tickets}/${t.number}`;
  const status = b.private
    ? bi('此类诉求在公示栏上只计数，不显示文字。', 'Requests of this category are only counted on the board, never shown.')
    : b.publishedAt
      ? bi(`已于 ${formatLocal(b.publishedAt)} 由 ${b.publishedBy ?? ''} 公示。`, 'Published on the board.')
      : b.mode === 'after_resolution' && ['resolved', 'callback', 'closed'].includes(t.state)
        ? bi('本地区设为办结后自动公示：已在公示栏上。', 'This region shows requests once resolved: it is on the board.')
        : bi('未公示：公示栏上不显示本诉求的文字。', 'Not published: the board does not show its text.');
  const form =
    canPublish && !b.private
      ? html`<form method="post" action="${base}/publish">${csrfField(csrf)}<label>${bi('公示摘要（可修改；已去除个人信息）', 'Public summary (edit as needed; personal data removed)')} <span class="audience resident">${bi('所有人可见', 'anyone can read it')}</span>
<textarea name="summary" maxlength="200" rows="2" required>${b.summary}</textarea></label>
<button type="submit">${b.publishedAt ? bi('更新公示', 'Update') : bi('公示', 'Publish')}</button></form>
${b.publishedAt ? html`<form method="post" action="${base}/unpublish" class="inline">${csrfField(csrf)}<button type="submit" class="secondary">${bi('撤下', 'Take down')}</button></form>` : ''}`
      : '';
  return html`<section class="board-status" id="board"><h2>${bi('公示', 'Public board')}</h2><p>${status}</p>${form}</section>`;
}

/**
 * A handling deadline passed or earlier than the 签收 deadline, as staff read it: on the page (the ticket as it
 * stands) and on the dispatch form (the 签收 deadline a dispatch now would give). The deadline was promised to the
 * resident and does not move with a dispatch: an extension or a word to the handler does.
 */
function deadlineWarning(conflict: DeadlineConflict, resolveBy: Date | null, acceptBy: Date | null, dispatching: boolean): Html {
  const [zh, en] =
    conflict === 'resolve_passed'
      ? [`办结时限 ${formatLocal(resolveBy)} 已过`, `The resolve deadline ${formatLocal(resolveBy)} has passed`]
      : [
          `办结时限 ${formatLocal(resolveBy)} 早于${dispatching ? '派单后的' : ''}签收时限 ${formatLocal(acceptBy)}`,
          `The resolve deadline ${formatLocal(resolveBy)} comes before the${dispatching ? ' new' : ''} accept deadline ${formatLocal(acceptBy)}`,
        ];
  return bi(
    `${zh}（已承诺群众，不随派单顺延）：请申请延期或说明（派单说明会发给经办人，经办人可申请延期）。`,
    `${en} (promised to the resident, it does not move with a dispatch): ask for an extension or say why (the dispatch note goes to the handler, who may ask for one).`,
  );
}

/** The whole body of a ticket page. */
export function ticketBody(input: {
  ticket: TicketView;
  actions: ConsoleAction[];
  options: DispatchOption[];
  /** A dispatch now would give a 签收 deadline after the handling deadline (or it has passed): said on the form. */
  dispatchConflict?: { conflict: DeadlineConflict; acceptBy: Date } | null;
  categories: Map<string, string>;
  csrf: string;
  now: Date;
  /** Whether the user may publish it on the public board (dispatchers, supervisors, admins). */
  canPublish: boolean;
  /** Escalated above the user's regions: the level above handles it, the user reads and notes. */
  handledAbove?: boolean;
  /** The 每月一题 box (src/web/console/themes.ts). */
  themes?: Html;
  /** The 调解 box (src/web/console/mediation.ts). */
  mediation?: Html | undefined;
  done?: string;
  error?: string;
}): Html {
  const { ticket: t, now } = input;
  const base = `${CONSOLE_PATHS.tickets}/${t.number}`;
  const paused = t.pausedAt !== null;
  const dispatch = input.dispatchConflict ?? null;
  const dispatchWarning = dispatch ? deadlineWarning(dispatch.conflict, t.resolveBy, dispatch.acceptBy, true) : null;
  // The ticket as it stands: open and running, its deadline passed or before the 签收 deadline it still waits for.
  const awaitingAccept = t.acceptedAt === null && (t.state === 'dispatched' || t.state === 'reopened');
  const standing = OPEN_STATES.includes(t.state) && !paused ? deadlineConflict(t.resolveBy, awaitingAccept ? t.acceptBy : null, now) : null;
  // The page says how the ticket stands; the dispatch form, what a dispatch now would give (when it differs).
  const pageWarning = standing ? deadlineWarning(standing, t.resolveBy, t.acceptBy, false) : dispatchWarning;
  const action = input.done && input.done in ACTION_NAMES ? ACTION_NAMES[input.done as ConsoleAction] : input.done ? BOARD_ACTIONS[input.done] : null;
  // A close whose callback answer was 不满意 reopened the request: say so, not "closed".
  const done = input.done === 'close' && t.state === 'reopened' ? { zh: '电话回访（不满意），已转重办', en: 'phone callback (dissatisfied), reopened' } : action;
  return html`<section class="ticket">
<p class="crumbs"><a href="${CONSOLE_PATHS.queue}">${bi('工作队列', 'Queue')}</a> › ${t.number}</p>
<h1>${t.number} <span class="state state-${t.state}">${stateName(t.state, t.level)}</span>
${t.overdue ? html`<span class="badge overdue">${bi('超期', 'overdue')}</span>` : ''}${t.supervised ? html`<span class="badge supervised">${bi('督办', 'supervised')}</span>` : ''}</h1>
${done ? notice('ok', bi(`已完成：${done.zh}`, `done: ${done.en}`)) : ''}
${input.error ? notice('error', input.error) : ''}
${pageWarning ? notice('error', pageWarning) : ''}
${t.mergedInto ? notice('ok', html`${bi('已合并到', 'Merged into')} <a href="${CONSOLE_PATHS.tickets}/${t.mergedInto}">${t.mergedInto}</a>`) : ''}
<p class="lead">${t.summary}</p>
<div class="columns">
<dl class="facts">
${fact('类别', 'category', t.category)}
${fact('类型', 'kind', KIND_NAMES[t.kind] ?? t.kind)}
${fact('办理类型', 'handling', HANDLING_CLASS_NAMES[t.handlingClass] ?? t.handlingClass)}
${fact('描述', 'description', html`<span class="pre">${t.description}</span>`)}
${fact('地点', 'place', t.place)}
${fact('具体位置', 'location', t.location)}
${fact('网格', 'grid', t.grid)}
${fact('户号', 'household', t.householdCode)}
${fact('群众', 'resident', t.residentName)}
${fact('联系电话', 'phone', t.fullPhone ? html`<strong class="phone">${t.fullPhone}</strong> <span class="hint">${bi('已记录查看', 'this view was recorded')}</span>` : t.residentPhone ? html`${t.residentPhone} <form method="post" class="inline" action="${base}/reveal_phone">${csrfField(input.csrf)}<button type="submit">${bi('显示完整号码（记录查看）', 'Show the full number (recorded)')}</button></form>` : null)}
${fact('经办', 'handler', t.handler ?? html`<em>${bi('待派单', 'unassigned')}</em>`)}
${fact('办理层级', 'handled at', `${t.handlingRegion} · ${LEVEL_NAMES[t.level] ?? t.level}`)}
${t.duplicates.length ? fact('已并入的重复诉求', 'duplicates merged here', html`${t.duplicates.map((n, i) => html`${i ? '、' : ''}<a href="${CONSOLE_PATHS.tickets}/${n}">${n}</a>`)}`) : ''}
</dl>
<dl class="facts deadlines">
${fact('受理时间', 'received', formatLocal(t.createdAt))}
${fact('签收时限', 'accept by', deadline(t.acceptBy, t.acceptedAt === null && t.acceptBy !== null && t.acceptBy < now && !['withdrawn', 'merged', 'closed'].includes(t.state)))}
${fact('签收时间', 'accepted', formatLocal(t.acceptedAt))}
${fact('办结时限', 'resolve by', paused ? html`${formatLocal(t.resolveBy)} <span class="badge">${bi(`自 ${formatLocal(t.pausedAt)} 起暂停`, 'paused')}</span>` : deadline(t.resolveBy, t.overdue))}
${fact('办结时间', 'resolved', formatLocal(t.resolvedAt))}
${fact('回访时限', 'callback by', formatLocal(t.callbackBy))}
${fact('归档时间', 'closed', formatLocal(t.closedAt))}
${fact('评价', 'rating', t.rating ? `${RATING_NAMES[t.rating] ?? t.rating}${t.solved === null ? '' : t.solved ? ' · 已解决 solved' : ' · 未解决 not solved'}` : null)}
${fact('退单/上报/重办/延期', 'returns/escalations/reopens/extensions', `${t.counts.returns} / ${t.counts.escalations} / ${t.counts.reopens} / ${t.counts.extensions}`)}
</dl>
</div>
<section class="actions">
<h2>${bi('办理', 'Actions')}</h2>
${input.handledAbove ? html`<p class="hint">${bi(`已上报，由${t.handlingRegion}办理：派单、答复群众、归档由其负责；本级可查看并添加内部备注。`, `Escalated and handled by ${t.handlingRegion}: dispatching, answering the resident and closing are theirs; you may read it and add internal notes.`)}</p>` : ''}
${input.actions.length ? input.actions.map((a) => actionForm(t, a, input.csrf, input.options, input.categories, dispatchWarning)) : html`<p class="hint">${bi('当前状态下您没有可执行的操作。', 'Nothing for you to do at this state.')}</p>`}
</section>
${boardSection(t, input.csrf, input.canPublish)}
${input.themes ?? ''}
${input.mediation ?? ''}
${t.photos.length ? html`<section><h2>${bi('照片和语音', 'Photos and voice notes')}</h2>${mediaLinks(t.photos)}</section>` : ''}
<section>
<h2>${bi('办理过程', 'History')} <a class="csv" href="${base}/timeline.csv" download>CSV</a></h2>
${tableHtml(TIMELINE_COLUMNS, t.timeline)}
</section>
<section>
<h2>${bi('往来消息', 'Messages')} <a class="csv" href="${base}/messages.csv" download>CSV</a></h2>
${tableHtml(MESSAGE_COLUMNS, t.messages, { empty: bi('还没有消息。', 'No messages yet.') })}
</section>
</section>`;
}
