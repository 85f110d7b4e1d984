/**
 * The pages of the webhooks section (推送订阅): the subscribers with the form that makes
 * one (its secret shown once, on the answer), and one subscriber's delivery log.
 */
import type { DeliveryLogRow, WebhookSubscriberRecord } from '../../webhooks/subscribers.js';
import { WEBHOOK_EVENTS } from '../../webhooks/subscribers.js';
import { formatLocal } from '../format.js';
import { bi, type Html, html } from '../html.js';
import { type Column, tableHtml } from '../table.js';
import { csrfField, notice } from './layout.js';
import type { RegionNode } from '../../org/regions.js';

export const WEBHOOKS_PATH = '/console/webhooks';

const EVENT_NAMES: Record<string, { zh: string; en: string }> = {
  'ticket.created': { zh: '新诉求', en: 'ticket created' },
  'ticket.state_changed': { zh: '状态变化', en: 'state changed' },
  'ticket.rated': { zh: '群众评价', en: 'ticket rated' },
};

function stateOf(s: WebhookSubscriberRecord): Html {
  if (s.pausedAt) {
    const why = s.pauseReason === 'failing' ? bi('持续失败，自动暂停', 'failing: paused automatically') : bi('管理员暂停', 'paused by an admin');
    return html`<span class="state paused">${bi('已暂停', 'paused')} ${formatLocal(s.pausedAt)}（${why}）</span>`;
  }
  if (s.failingSince) return html`<span class="state failing">${bi('失败中', 'failing')} ${bi('自', 'since')} ${formatLocal(s.failingSince)}</span>`;
  return html`<span class="state active">${bi('运行中', 'active')}</span>`;
}

const subscriberColumns: Column<WebhookSubscriberRecord>[] = [
  { zh: '名称', en: 'name', csv: (s) => s.name, html: (s) => html`<a href="${WEBHOOKS_PATH}/${s.name}">${s.name}</a>` },
  { zh: '网址', en: 'URL', csv: (s) => s.url, html: (s) => html`<code>${s.url}</code>` },
  { zh: '事件', en: 'events', csv: (s) => s.events.join(', ') },
  { zh: '地区', en: 'region', csv: (s) => s.regionName ?? '（公示栏）public board' },
  { zh: '状态', en: 'state', csv: (s) => (s.pausedAt ? 'paused' : 'active'), html: stateOf },
  { zh: '创建', en: 'created', csv: (s) => formatLocal(s.createdAt) },
];

export interface NewSubscriberForm {
  name: string;
  url: string;
  events: string[];
  region: string;
}

/** The list of subscribers and the form; `created` shows a new subscriber's secret, once. */
export function webhooksBody(input: {
  subscribers: WebhookSubscriberRecord[];
  regions: RegionNode[];
  /** Whether a subscriber may have no region (the public board's tickets): a county admin's. */
  boardOption: boolean;
  csrf: string;
  form?: NewSubscriberForm;
  error?: string;
  created?: { name: string; secret: string };
  done?: string;
}): Html {
  const form = input.form ?? { name: '', url: '', events: [...WEBHOOK_EVENTS], region: '' };
  return html`<section class="webhooks">
<h1>${bi('推送订阅', 'Webhooks')}</h1>
${input.done ? notice('ok', input.done) : ''}${input.error ? notice('error', input.error) : ''}
${
  input.created
    ? html`<div class="notice ok" role="status"><p>${bi(`已创建推送订阅 ${input.created.name}。签名密钥只显示这一次，请复制交给对方保存：`, `Subscriber ${input.created.name} created. Its signing secret is shown this once: copy it to its owners.`)}</p>
<p><code class="secret">${input.created.secret}</code></p></div>`
    : ''
}
<p>${bi('其他系统（12345 平台、城市 App、大屏）订阅诉求事件：每个事件以签名的 POST 送达（X-Minqing-Signature），失败自动重试，按顺序送达；持续失败的订阅会自动暂停并通知管理员。', 'Other systems subscribe to ticket events: each is a signed POST (X-Minqing-Signature), retried on failure and sent in order; a subscriber that keeps failing is paused and the admins told.')}</p>
${tableHtml(subscriberColumns, input.subscribers, { empty: bi('还没有推送订阅。', 'No subscribers yet.') })}
<h2>${bi('新建订阅', 'New subscriber')}</h2>
<form method="post" action="${WEBHOOKS_PATH}" class="webhook-new">${csrfField(input.csrf)}
<label>${bi('名称', 'Name')} <input name="name" required pattern="[a-z0-9][a-z0-9.\\-]{0,63}" value="${form.name}" placeholder="city-dashboard"></label>
<label>${bi('网址', 'URL')} <input name="url" type="url" required value="${form.url}" placeholder="https://example.org/minqing-hook"></label>
<fieldset><legend>${bi('事件', 'Events')}</legend>
${WEBHOOK_EVENTS.map(
  (e) =>
    html`<label><input type="checkbox" name="events" value="${e}"${form.events.includes(e) ? html` checked` : ''}> ${bi(EVENT_NAMES[e]!.zh, EVENT_NAMES[e]!.en)} <code>${e}</code></label> `,
)}
</fieldset>
<label>${bi('地区', 'Region')} <select name="region">
${input.boardOption ? html`<option value=""${form.region === '' ? html` selected` : ''}>${bi('不限（仅公示栏上的诉求）', 'none (the public board’s tickets only)')}</option>` : ''}
${input.regions.map((r) => html`<option value="${r.code}"${form.region === r.code ? html` selected` : ''}>${r.name} ${r.code}</option>`)}
</select></label>
<button type="submit">${bi('创建', 'Create')}</button>
</form>
</section>`;
}

function logState(d: DeliveryLogRow): Html {
  if (d.skipped) return html`${bi('未发送（不在订阅范围）', 'not sent (outside its reach)')}`;
  if (d.deliveredAt) return html`${bi('已送达', 'delivered')}`;
  return html`${bi('待发送', 'waiting')}`;
}

const logColumns: Column<DeliveryLogRow>[] = [
  { zh: '时间', en: 'time', csv: (d) => formatLocal(d.createdAt) },
  { zh: '事件', en: 'event', csv: (d) => d.type, html: (d) => html`<code>${d.type}</code> ${d.ticketNumber ?? ''}<br><small><code>${d.eventId}</code></small>` },
  { zh: '结果', en: 'outcome', csv: (d) => (d.deliveredAt ? 'delivered' : 'waiting'), html: logState },
  { zh: '状态码', en: 'status', csv: (d) => d.lastStatus, className: 'num' },
  { zh: '尝试', en: 'attempts', csv: (d) => d.attempts, className: 'num' },
  { zh: '下次重试', en: 'next retry', csv: (d) => (d.deliveredAt || d.attempts === 0 ? '' : formatLocal(d.availableAt)) },
  { zh: '最近错误', en: 'last error', csv: (d) => d.lastError ?? '' },
];

/** One subscriber: its state, its actions, its delivery log (newest first). */
export function webhookBody(input: { subscriber: WebhookSubscriberRecord; log: DeliveryLogRow[]; csrf: string; done?: string }): Html {
  const s = input.subscriber;
  const action = (name: string, label: Html) =>
    html`<form method="post" action="${WEBHOOKS_PATH}/${s.name}/${name}" class="inline">${csrfField(input.csrf)}<button type="submit">${label}</button></form> `;
  return html`<section class="webhook">
<h1>${bi('推送订阅', 'Webhook')} ${s.name}</h1>
${input.done ? notice('ok', input.done) : ''}
<p><code>${s.url}</code> · ${s.events.join(', ')} · ${s.regionName ?? bi('公示栏', 'public board')} · ${stateOf(s)}</p>
<p>${s.pausedAt ? action('resume', bi('恢复（从未送达的第一条起补发）', 'Resume (from the first undelivered event)')) : action('pause', bi('暂停', 'Pause'))}${action('delete', bi('删除（连同送达记录）', 'Delete (with its log)'))}</p>
<h2>${bi('送达记录', 'Delivery log')}</h2>
${tableHtml(logColumns, input.log, { empty: bi('还没有事件。', 'No events yet.') })}
<p><a href="${WEBHOOKS_PATH}">${bi('返回推送订阅', 'Back to webhooks')}</a></p>
</section>`;
}
