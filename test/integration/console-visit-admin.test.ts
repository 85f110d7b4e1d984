/**
 * 包户 settings in the console (src/web/console/visit-admin.ts), on both databases: a
 * household's 重点 mark set and cleared from its page, a region's visit rules set with
 * the inherited values shown, zod's refusals in Chinese first, the scope (another
 * township's household or township is 404 / refused, a village's rules are not staff's to
 * set), and an audit event for each change.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { coverageNow } from '../../src/visits/coverage.js';
import { loadHousehold } from '../../src/web/console/visit-admin.js';
import { loadScope } from '../../src/web/console/scope.js';
import { type ConsoleClient, consoleWorldFor, loggedIn } from '../helpers/console-client.js';
import { eachDatabase } from '../helpers/db.js';

eachDatabase((kind) => {
  describe('重点户 and visit rules', () => {
    const world = consoleWorldFor(kind);
    let db: Db;
    let dsp: ConsoleClient;

    beforeAll(async () => {
      db = world.db;
      dsp = await loggedIn(world.base, 'dsp-qh-01');
    });

    test('a township dispatcher marks a household of the township 重点 and clears it; recorded; another township’s household is 404', async () => {
      const household = await db.household.findUniqueOrThrow({ where: { code: 'QH-01-001-H002' } });
      await db.household.update({ where: { id: household.id }, data: { keyReason: null } });
      const page = await dsp.page(`/console/households/${household.code}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('重点原因');
      // The head masked, never the address.
      expect(page.text).not.toContain(household.address);

      const set = await dsp.post(`/console/households/${household.code}`, { keyReason: ' 独居老人 ' });
      expect(set.status).toBe(303);
      expect((await db.household.findUniqueOrThrow({ where: { id: household.id } })).keyReason).toBe('独居老人');
      const dspPerson = await db.person.findUniqueOrThrow({ where: { code: 'DSP-QH-01' } });
      const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'household_key_set' }, orderBy: { id: 'desc' } });
      expect(audit).toMatchObject({ actorId: dspPerson.id, ticketId: null, at: world.clock.now() });
      expect(JSON.parse(audit.data)).toEqual({ household: household.code, from: null, to: '独居老人' });
      expect((await dsp.page(`/console/households/${household.code}?done=1`)).text).toContain('已保存');
      // The reminders take it: a 重点 household never visited is due as such.
      const due = (await coverageNow(db, world.clock.now())).flatMap((c) => c.due).find((h) => h.id === household.id);
      expect(due).toMatchObject({ why: 'key', keyReason: '独居老人' });

      // Too long: refused in Chinese first, nothing changed.
      const long = await dsp.post(`/console/households/${household.code}`, { keyReason: '很'.repeat(51) });
      expect(long.status).toBe(422);
      expect(await long.text()).toContain('重点原因最多 50 个字');
      expect((await db.household.findUniqueOrThrow({ where: { id: household.id } })).keyReason).toBe('独居老人');

      // Empty clears it.
      expect((await dsp.post(`/console/households/${household.code}`, { keyReason: '' })).status).toBe(303);
      expect((await db.household.findUniqueOrThrow({ where: { id: household.id } })).keyReason).toBeNull();
      expect(await db.auditEvent.count({ where: { action: 'household_key_set' } })).toBe(2);

      // Another township's household: 404, as one that does not exist; nothing changed.
      const foreign = await db.household.findUniqueOrThrow({ where: { code: 'QH-02-001-H001' } });
      for (const path of [`/console/households/${foreign.code}`, '/console/households/NOPE-1']) {
        const res = await dsp.page(path);
        expect(res.status, path).toBe(404);
        expect(res.text, path).toContain('没有这一户');
      }
      expect((await dsp.post(`/console/households/${foreign.code}`, { keyReason: '越权' })).status).toBe(404);
      expect((await db.household.findUniqueOrThrow({ where: { id: foreign.id } })).keyReason).toBe(foreign.keyReason);

      // A grid leader reaches the households of their grid only.
      const leader = await db.person.findUniqueOrThrow({ where: { code: 'L-QH-01-001-01' }, include: { roles: true } });
      const scope = (await loadScope(db, { id: leader.id, username: 'leader', personId: leader.id }))!;
      const gridId = leader.roles.find((r) => r.role === 'grid_leader')!.gridId!;
      const inGrid = await db.householdGrid.findFirstOrThrow({ where: { gridId }, include: { household: true } });
      const outside = await db.household.findFirstOrThrow({ where: { regionId: inGrid.household.regionId, grids: { none: { gridId } } } });
      expect(await loadHousehold(db, scope, inGrid.household.code)).not.toBeNull();
      expect(await loadHousehold(db, scope, outside.code)).toBeNull();
    });

    test('visit rules: county staff set the county’s and the townships’, a township its own only; inherited values shown; bad values refused; recorded', async () => {
      const [county, qh01, qh02] = await Promise.all(['QH', 'QH-01', 'QH-02'].map((code) => db.region.findUniqueOrThrow({ where: { code } })));
      await db.region.updateMany({ data: { visitKeyEveryDays: null, visitDaysPerMonth: null } });
      const sup = await loggedIn(world.base, 'sup-qh');
      const countyPage = await sup.page('/console/visit-rules');
      expect(countyPage.status).toBe(200);
      expect(countyPage.text).toContain('data-region="QH-02"');
      // Villages are not set here.
      expect(countyPage.text).not.toMatch(/data-region="QH-01-001"/);
      expect(countyPage.text).toContain('每 7 天；每月 4 天');

      // The county asks for 重点 households every 10 days: the townships inherit it.
      expect((await sup.post('/console/visit-rules', { region: String(county!.id), visitKeyEveryDays: '10', visitDaysPerMonth: '' })).status).toBe(303);
      const township = await dsp.page('/console/visit-rules');
      expect(township.status).toBe(200);
      expect(township.text).toContain('data-region="QH-01"');
      expect(township.text).not.toContain('data-region="QH-02"');
      expect(township.text).not.toContain('data-region="QH"');
      expect(township.text).toContain('每 10 天；每月 4 天');
      expect(township.text).toContain('沿用上级');

      // The township sets 6 days a month; then clears it again.
      expect((await dsp.post('/console/visit-rules', { region: String(qh01!.id), visitKeyEveryDays: '', visitDaysPerMonth: '6' })).status).toBe(303);
      expect(await db.region.findUniqueOrThrow({ where: { id: qh01!.id } })).toMatchObject({ visitKeyEveryDays: null, visitDaysPerMonth: 6 });
      expect((await dsp.page('/console/visit-rules?done=QH-01')).text).toContain('每 10 天；每月 6 天');
      const audit = await db.auditEvent.findFirstOrThrow({ where: { action: 'visit_rules_set' }, orderBy: { id: 'desc' } });
      expect(JSON.parse(audit.data)).toEqual({
        region: 'QH-01',
        from: { visitKeyEveryDays: null, visitDaysPerMonth: null },
        to: { visitKeyEveryDays: null, visitDaysPerMonth: 6 },
      });

      // Bad values: named in Chinese first, nothing stored.
      for (const [field, value] of [
        ['visitDaysPerMonth', '0'],
        ['visitDaysPerMonth', '32'],
        ['visitKeyEveryDays', '三十二'],
        ['visitKeyEveryDays', '七天'],
      ] as const) {
        const res = await dsp.post('/console/visit-rules', { region: String(qh01!.id), visitKeyEveryDays: '', visitDaysPerMonth: '', [field]: value });
        expect(res.status, `${field}=${value}`).toBe(422);
        expect(await res.text()).toMatch(/须为 1–31 的整数，或留空沿用上级/);
      }
      expect((await db.region.findUniqueOrThrow({ where: { id: qh01!.id } })).visitDaysPerMonth).toBe(6);
      // Typed as people type numbers (typedWholeNumber): full-width digits, a Chinese numeral, the region's id in full width.
      expect(
        (
          await dsp.post('/console/visit-rules', {
            region: String(qh01!.id).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
            visitKeyEveryDays: '七',
            visitDaysPerMonth: '１２',
          })
        ).status,
      ).toBe(303);
      expect(await db.region.findUniqueOrThrow({ where: { id: qh01!.id } })).toMatchObject({ visitKeyEveryDays: 7, visitDaysPerMonth: 12 });
      expect((await dsp.post('/console/visit-rules', { region: String(qh01!.id), visitKeyEveryDays: '', visitDaysPerMonth: '6' })).status).toBe(303);

      // Another township, or the county above: refused, nothing stored.
      for (const other of [qh02!, county!]) {
        const res = await dsp.post('/console/visit-rules', { region: String(other.id), visitKeyEveryDays: '3', visitDaysPerMonth: '9' });
        expect(res.status).toBe(422);
        expect(await res.text()).toContain('请选择您辖区内的乡镇或县');
      }
      expect(await db.region.findUniqueOrThrow({ where: { id: qh02!.id } })).toMatchObject({ visitKeyEveryDays: null, visitDaysPerMonth: null });
      expect((await db.region.findUniqueOrThrow({ where: { id: county!.id } })).visitKeyEveryDays).toBe(10);
      // The county's, the township's, and the township's typed full-width then set back.
      expect(await db.auditEvent.count({ where: { action: 'visit_rules_set' } })).toBe(4);
    });
  });
});
