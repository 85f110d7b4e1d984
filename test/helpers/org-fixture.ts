/**
 * A small organisation written straight through Prisma, so pipeline tests do not depend
 * on the CSV importer: county → township → village, one household with its resident,
 * the paired liaison, a grid with its leader, a township department with a handler,
 * a township dispatcher and a county supervisor.
 */
import { DEFAULT_ASSISTANCE_LIMITS } from '../../src/assistance/machine.js';
import type { Db } from '../../src/db/client.js';
import { WorkCalendar } from '../../src/pipeline/calendar.js';
import { DEFAULT_OFFICE_HOURS } from '../../src/pipeline/deadlines.js';
import type { PipelineRules } from '../../src/pipeline/model.js';
import type { Clock } from '../../src/pipeline/service.js';

export const rules: PipelineRules = {
  calendar: WorkCalendar.load(),
  officeHours: DEFAULT_OFFICE_HOURS,
  callbackDays: 3,
  reminderHours: 4,
  assistance: DEFAULT_ASSISTANCE_LIMITS,
};

/** A clock that moves only when told. */
export class FakeClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advanceHours(hours: number): void {
    this.current = new Date(this.current.getTime() + hours * 3_600_000);
  }
}

export async function buildOrg(db: Db) {
  const county = await db.region.create({ data: { code: 'T', name: '测试县', level: 'county' } });
  const township = await db.region.create({ data: { code: 'T-01', name: '测试镇', level: 'township', parentId: county.id } });
  const village = await db.region.create({ data: { code: 'T-01-001', name: '测试村', level: 'village', parentId: township.id } });
  const grid = await db.grid.create({ data: { code: 'T-01-001-G1', name: '一组网格', kind: 'geographic', regionId: village.id } });
  const department = await db.department.create({
    data: { code: 'T-01-D-power', name: '供电所', kind: 'power', level: 'township', regionId: township.id },
  });
  await db.category.create({
    data: {
      code: 'power',
      nameZh: '电力照明',
      nameEn: 'Power and lighting',
      departmentKind: 'power',
      handlingClass: 'promised',
      resolveDays: 3,
    },
  });
  const household = await db.household.create({
    data: { code: 'H-1', regionId: village.id, address: '测试村一组1号', headName: '王大山', phone: '19900000001' },
  });
  await db.householdGrid.create({ data: { householdId: household.id, gridId: grid.id } });
  // Everyone has a console chat named after their code, so pushes have somewhere to go.
  const person = async (code: string, name: string, roles: { role: string; regionId: number; gridId?: number; departmentId?: number }[], householdId?: number) =>
    db.person.create({
      data: {
        code,
        name,
        householdId: householdId ?? null,
        roles: { create: roles.map((r) => ({ ...r, scopeKey: `${code}|${r.role}|${r.gridId ?? r.departmentId ?? r.regionId}` })) },
        identities: { create: { channel: 'console', platformUserId: code, chatId: code } },
      },
    });
  const resident = await person('R-1', '王大山', [{ role: 'resident', regionId: village.id }], household.id);
  const liaison = await person('L-1', '李网格', [{ role: 'liaison', regionId: village.id }]);
  const leader = await person('GL-1', '赵网长', [
    { role: 'liaison', regionId: village.id },
    { role: 'grid_leader', regionId: village.id, gridId: grid.id },
  ]);
  const handler = await person('H-power', '孙师傅', [{ role: 'department_handler', regionId: township.id, departmentId: department.id }]);
  const dispatcher = await person('DSP-1', '钱主任', [{ role: 'dispatcher', regionId: township.id }]);
  const supervisor = await person('SUP-1', '周书记', [{ role: 'supervisor', regionId: county.id }]);
  await db.pairing.create({ data: { householdId: household.id, liaisonId: liaison.id } });
  return { county, township, village, grid, department, household, resident, liaison, leader, handler, dispatcher, supervisor };
}

export type Org = Awaited<ReturnType<typeof buildOrg>>;
