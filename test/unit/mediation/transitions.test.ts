import { describe, expect, it } from 'vitest';
import {
  firstDueOn,
  isOverdue,
  type MediationCommand,
  MediationRefused,
  type MediationRules,
  type MediationSnapshot,
  mediationTransition,
} from '../../../src/mediation/transitions.js';

const rules: MediationRules = { limitDays: 30, extensionDays: 30, followUpDays: [30, 90] };
const now = new Date('2026-03-02T02:00:00Z'); // 10:00 in Beijing
const base: MediationSnapshot = {
  status: 'mediating',
  dueOn: '2026-04-01',
  keptFirst: null,
  keptSecond: null,
  parties: [
    { id: 1, answer: null },
    { id: 2, answer: null },
  ],
};
const step = (snapshot: Partial<MediationSnapshot>, command: MediationCommand) => mediationTransition({ ...base, ...snapshot }, command, now);

describe('mediation transitions', () => {
  it('gives one month from the day a case opens, and an extension adds the configured days to the limit', () => {
    expect(firstDueOn(now, rules)).toBe('2026-04-01');
    expect(step({}, { type: 'extend', days: rules.extensionDays })).toEqual({ dueOn: '2026-05-01', extended: true });
    expect(isOverdue({ status: 'mediating', dueOn: '2026-03-01' }, now)).toBe(true);
    expect(isOverdue({ status: 'mediating', dueOn: '2026-03-02' }, now)).toBe(false);
    expect(isOverdue({ status: 'settled', dueOn: '2026-03-01' }, now)).toBe(false);
  });

  it('settles only when every party confirms the agreement; an objection sends it back to mediating', () => {
    expect(step({}, { type: 'agree', text: ' 赔偿 800 元 ' })).toEqual({ status: 'agreement', agreement: '赔偿 800 元', agreedAt: now, clearAnswers: true, askParties: true });
    expect(step({ status: 'agreement' }, { type: 'answer', partyId: 1, confirmed: true })).toEqual({});
    expect(
      step(
        {
          status: 'agreement',
          parties: [
            { id: 1, answer: 'confirmed' },
            { id: 2, answer: null },
          ],
        },
        { type: 'answer', partyId: 2, confirmed: true },
      ),
    ).toEqual({
      status: 'settled',
      settledAt: now,
    });
    expect(step({ status: 'agreement' }, { type: 'answer', partyId: 2, confirmed: false })).toEqual({ status: 'mediating' });
  });

  it('refuses what the state does not allow', () => {
    const refused = (snapshot: Partial<MediationSnapshot>, command: MediationCommand) => expect(() => step(snapshot, command)).toThrow(MediationRefused);
    refused({}, { type: 'answer', partyId: 1, confirmed: true });
    refused({ status: 'agreement' }, { type: 'answer', partyId: 9, confirmed: true });
    refused(
      {
        status: 'agreement',
        parties: [
          { id: 1, answer: 'confirmed' },
          { id: 2, answer: null },
        ],
      },
      { type: 'answer', partyId: 1, confirmed: true },
    );
    refused({ parties: [{ id: 1, answer: null }] }, { type: 'agree', text: '协议' });
    refused({}, { type: 'agree', text: '  ' });
    refused({ status: 'settled' }, { type: 'extend', days: 30 });
    refused({ status: 'closed' }, { type: 'session' });
    refused({}, { type: 'follow_up', kept: true });
    refused({}, { type: 'court_outcome', text: '判决' });
    refused({}, { type: 'refer', court: '', reason: '不同意' });
    // A settled agreement being kept is not the court's business.
    refused({ status: 'settled', keptFirst: true }, { type: 'refer', court: '县人民法院', reason: '反悔' });
  });

  it('follows a settled agreement up twice, closing it when kept at the second', () => {
    expect(step({ status: 'settled' }, { type: 'follow_up', kept: true })).toEqual({ keptFirst: true });
    expect(step({ status: 'settled', keptFirst: true }, { type: 'follow_up', kept: true })).toEqual({ keptSecond: true, status: 'closed', closedAt: now });
    expect(step({ status: 'settled', keptFirst: true }, { type: 'follow_up', kept: false })).toEqual({ keptSecond: false });
  });

  it('refers a failed mediation, or a broken agreement, to the court and closes it on the court’s outcome', () => {
    expect(step({}, { type: 'refer', court: '县人民法院', reason: '双方分歧大' })).toEqual({
      status: 'referred',
      referredAt: now,
      court: '县人民法院',
      referralReason: '双方分歧大',
    });
    expect(step({ status: 'settled', keptFirst: false }, { type: 'refer', court: '县人民法院', reason: '未履行' }).status).toBe('referred');
    expect(step({ status: 'referred' }, { type: 'court_outcome', text: '判决赔偿' })).toEqual({ status: 'closed', courtOutcome: '判决赔偿', closedAt: now });
  });
});
