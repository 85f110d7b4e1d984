/**
 * 包户 settings staff change in the console: a household's 重点 mark (why it is visited
 * weekly, or none), at `/console/households/CODE`, and a region's visit rules (null:
 * as the region above), at `/console/visit-rules`. Each form is checked with zod and
 * refused in Chinese first; each change is an audit event (who, when, from, to).
 *
 * Scope: a household is for the staff of its village's regions and the leaders of its
 * grids; a region's rules for the county and township staff whose regions hold it (a
 * village's staff follow the rules, they do not set them).
 */
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { maskName } from '../../privacy.js';
import { VISIT_RULE_DEFAULTS, type VisitRules } from '../../visits/coverage.js';
import { formatLocal } from '../format.js';
import { bi, type Html, html } from '../html.js';
import { typedWholeNumber } from '../../engine/choices.js';
import { formId } from './form-numbers.js';
import { CONSOLE_PATHS, csrfField, notice } from './layout.js';
import { type StaffScope } from './scope.js';
import { pathOf, type RegionNode } from '../../org/regions.js';

/** Where the household pages live: /console/households/CODE. */
export const HOUSEHOLD_ROUTE = /^\/console\/households\/([A-Za-z0-9-]{1,40})$/;

/** The reasons offered (others may be typed, as the roster import allows). */
const KEY_REASONS = ['困难', '低保户', '独居老人', '重病患者', '残疾人家庭', '矛盾纠纷'] as const;

/** A form the console refuses, with the words to show (Chinese first). */
export class VisitFormProblem extends Error {
  override name = 'VisitFormProblem';
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? '填写有误 the form is not right';
}

const keyReasonForm = z.object({
  keyReason: z
    .string()
    .trim()
    .max(50, '重点原因最多 50 个字 the reason is at most 50 characters')
    .transform((text) => text || null),
});

const DAYS = (zh: string, en: string, max: number) =>
  z
    .string()
    .trim()
    .transform((text, ctx) => {
      if (text === '') return null;
      const value = typedWholeNumber(text, { min: 1, max });
      if (value === null) {
        ctx.addIssue({ code: 'custom', message: `${zh}须为 1–${max} 的整数，或留空沿用上级 ${en} must be a whole number from 1 to ${max}, or empty to inherit` });
        return z.NEVER;
      }
      return value;
    });

const visitRulesForm = z.object({
  region: z.string().transform((text, ctx) => {
    const id = formId(text);
    if (id === null) {
      ctx.addIssue({ code: 'custom', message: '请选择地区 choose a region' });
      return z.NEVER;
    }
    return id;
  }),
  visitKeyEveryDays: DAYS('重点户走访间隔天数', 'the days between visits to a 重点 household', 31),
  visitDaysPerMonth: DAYS('每月走访天数', 'the visiting days a month', 31),
});

function form(params: URLSearchParams): Record<string, string> {
  return Object.fromEntries(params.entries());
}

// ─── Households ────────────────────────────────────────────────────────────────

/** A household as its page shows it (its head masked, as on the visit log). */
export interface HouseholdView {
  id: number;
  code: string;
  head: string;
  village: string;
  keyReason: string | null;
  liaison: string | null;
  grids: string[];
  lastVisitedAt: Date | null;
}

/** The household coded `code` if the user's scope reaches it, else null (404 alike). */
export async function loadHousehold(db: Db, scope: StaffScope, code: string): Promise<HouseholdView | null> {
  const h = await db.household.findUnique({
    where: { code },
    include: { region: true, grids: { include: { grid: true } }, pairing: { include: { liaison: true } } },
  });
  if (!h) return null;
  const reached = scope.everyRegion || scope.regionIds.includes(h.regionId) || h.grids.some((g) => scope.gridIds.includes(g.gridId));
  if (!reached) return null;
  const last = await db.visit.findFirst({ where: { householdId: h.id }, orderBy: { visitedAt: 'desc' }, select: { visitedAt: true } });
  return {
    id: h.id,
    code: h.code,
    head: maskName(h.headName),
    village: h.region.name,
    keyReason: h.keyReason,
    liaison: h.pairing ? `${h.pairing.liaison.name} ${h.pairing.liaison.code}` : null,
    grids: h.grids.map((g) => g.grid.name),
    lastVisitedAt: last?.visitedAt ?? null,
  };
}

/** Sets or clears the household's 重点 mark from the posted form; an audit event records it. */
export async function saveKeyReason(db: Db, scope: StaffScope, household: HouseholdView, posted: URLSearchParams, now: Date): Promise<void> {
  const parsed = keyReasonForm.safeParse(form(posted));
  if (!parsed.success) throw new VisitFormProblem(firstIssue(parsed.error));
  const { keyReason } = parsed.data;
  if (keyReason === household.keyReason) return;
  await db.$transaction([
    db.household.update({ where: { id: household.id }, data: { keyReason } }),
    db.auditEvent.create({
      data: { action: 'household_key_set', actorId: scope.personId, at: now, data: JSON.stringify({ household: household.code, from: household.keyReason, to: keyReason }) },
    }),
  ]);
}

export function householdBody(view: HouseholdView, csrf: string, message?: { kind: 'ok' | 'error'; text: string }): Html {
  return html`<section class="household">
<h1>${bi('住户', 'Household')} ${view.code} ${view.head}</h1>
${message ? notice(message.kind, message.text) : ''}
<dl class="facts">
<dt>${bi('村', 'Village')}</dt><dd>${view.village}</dd>
<dt>${bi('网格', 'Grids')}</dt><dd>${view.grids.join('、') || '—'}</dd>
<dt>${bi('包户网格员', 'Paired liaison')}</dt><dd>${view.liaison ?? bi('未结对', 'not paired')}</dd>
<dt>${bi('最近走访', 'Last visited')}</dt><dd>${view.lastVisitedAt ? formatLocal(view.lastVisitedAt) : bi('从未走访', 'never')}</dd>
<dt>${bi('重点户', 'Key household')}</dt><dd data-key-reason>${view.keyReason ?? bi('否', 'no')}</dd>
</dl>
<form method="post" action="${CONSOLE_PATHS.households}/${view.code}" class="filters">${csrfField(csrf)}
<label>${bi('重点原因（留空则取消重点）', 'Reason (empty: not a key household)')}<input name="keyReason" list="key-reasons" maxlength="50" value="${view.keyReason ?? ''}"></label>
<datalist id="key-reasons">${KEY_REASONS.map((r) => html`<option value="${r}"></option>`)}</datalist>
<div class="buttons"><button type="submit">${bi('保存', 'Save')}</button></div>
</form>
<p class="hint">${bi('重点户按所在地区的规则（默认每 7 天）走访一次。', 'A key household is visited by its region’s rule (every 7 days by default).')}</p>
</section>`;
}

// ─── Region visit rules ────────────────────────────────────────────────────────

/** One region's line on the rules page: its own settings (null: inherited) and the rules in force. */
export interface RegionRulesRow {
  region: RegionNode;
  depth: number;
  own: { visitKeyEveryDays: number | null; visitDaysPerMonth: number | null };
  effective: VisitRules;
}

/** The regions whose rules the user may set: the county and townships of their regions (not villages). */
function rulesRegions(scope: StaffScope, regions: Map<number, RegionNode>): RegionNode[] {
  return scope.regionIds
    .map((id) => regions.get(id))
    .filter((r): r is RegionNode => r !== undefined && r.level !== 'village')
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** The editable regions with their own and effective rules (resolved up the tree, as the reminders resolve them). */
export async function loadRulesRows(db: Db, scope: StaffScope, regions: Map<number, RegionNode>): Promise<RegionRulesRow[]> {
  const editable = rulesRegions(scope, regions);
  const ids = new Set(editable.flatMap((r) => pathOf(regions, r.id)));
  const settings = new Map(
    (await db.region.findMany({ where: { id: { in: [...ids] } }, select: { id: true, visitKeyEveryDays: true, visitDaysPerMonth: true } })).map((r) => [r.id, r]),
  );
  return editable.map((region) => {
    // From the top down to the region: the nearest setting (the last) wins.
    const path = pathOf(regions, region.id);
    const nearest = (key: 'visitKeyEveryDays' | 'visitDaysPerMonth') =>
      path
        .map((id) => settings.get(id)?.[key] ?? null)
        .filter((v) => v !== null)
        .at(-1) ?? null;
    const own = settings.get(region.id);
    return {
      region,
      depth: path.length - 1,
      own: { visitKeyEveryDays: own?.visitKeyEveryDays ?? null, visitDaysPerMonth: own?.visitDaysPerMonth ?? null },
      effective: { keyEveryDays: nearest('visitKeyEveryDays') ?? VISIT_RULE_DEFAULTS.keyEveryDays, daysPerMonth: nearest('visitDaysPerMonth') ?? VISIT_RULE_DEFAULTS.daysPerMonth },
    };
  });
}

/** Saves a region's rules from the posted form (the region must be one of `rows`); an audit event records it. Returns the region. */
export async function saveVisitRules(db: Db, scope: StaffScope, rows: readonly RegionRulesRow[], posted: URLSearchParams, now: Date): Promise<RegionNode> {
  const parsed = visitRulesForm.safeParse(form(posted));
  if (!parsed.success) throw new VisitFormProblem(firstIssue(parsed.error));
  const { region: regionId, ...rules } = parsed.data;
  const row = rows.find((r) => r.region.id === regionId);
  // Not one the user may set: as if it did not exist.
  if (!row) throw new VisitFormProblem('请选择您辖区内的乡镇或县 choose a township or county of your area');
  await db.$transaction([
    db.region.update({ where: { id: regionId }, data: rules }),
    db.auditEvent.create({ data: { action: 'visit_rules_set', actorId: scope.personId, at: now, data: JSON.stringify({ region: row.region.code, from: row.own, to: rules }) } }),
  ]);
  return row.region;
}

export function visitRulesBody(rows: readonly RegionRulesRow[], csrf: string, message?: { kind: 'ok' | 'error'; text: string }): Html {
  const input = (name: string, value: number | null, inherited: number) =>
    html`<input name="${name}" inputmode="numeric" size="3" value="${value ?? ''}" placeholder="${inherited}" aria-label="${name}">`;
  return html`<section class="visit-rules">
<h1>${bi('走访规则', 'Visit rules')}</h1>
${message ? notice(message.kind, message.text) : ''}
<p class="hint">${bi(
    `留空则沿用上级地区的规则（全县默认：重点户每 ${VISIT_RULE_DEFAULTS.keyEveryDays} 天走访一次，网格员每月至少走访 ${VISIT_RULE_DEFAULTS.daysPerMonth} 天；每户每月至少走访一次）。`,
    `Empty: as the region above (the county's defaults: a key household every ${VISIT_RULE_DEFAULTS.keyEveryDays} days, a liaison on at least ${VISIT_RULE_DEFAULTS.daysPerMonth} days a month; every household monthly).`,
  )}</p>
<div class="table-wrap"><table class="data">
<thead><tr><th>${bi('地区', 'Region')}</th><th>${bi('重点户走访间隔（天）', 'Key household every (days)')}</th><th>${bi('每月走访天数', 'Visiting days a month')}</th><th>${bi('现行规则', 'In force')}</th><th></th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr data-region="${row.region.code}"><td>${'　'.repeat(row.depth)}${row.region.name}</td>
<td colspan="3"><form method="post" action="${CONSOLE_PATHS.visitRules}" class="inline" id="rules-${row.region.id}">${csrfField(csrf)}<input type="hidden" name="region" value="${row.region.id}">
${input('visitKeyEveryDays', row.own.visitKeyEveryDays, row.effective.keyEveryDays)} ${input('visitDaysPerMonth', row.own.visitDaysPerMonth, row.effective.daysPerMonth)}
<span class="effective">${bi(`每 ${row.effective.keyEveryDays} 天；每月 ${row.effective.daysPerMonth} 天`, `every ${row.effective.keyEveryDays} days; ${row.effective.daysPerMonth} days a month`)}${row.own.visitKeyEveryDays === null && row.own.visitDaysPerMonth === null ? html` <span class="hint">${bi('沿用上级', 'inherited')}</span>` : ''}</span></form></td>
<td><button type="submit" form="rules-${row.region.id}">${bi('保存', 'Save')}</button></td></tr>`,
  )}</tbody></table></div>
</section>`;
}
