/**
 * The effects flows name, performed inside the turn's transaction: what a resident or a
 * handler may see and do, and nothing more.
 */
import { closeConversation, openConversation, openConversationOf, placeConversation, residentSays } from '../conversations/conversations.js';
import { type SqlTx, sqlOf, type Tx } from '../db/client.js';
import { oneOf } from '../db/dialect.js';
import { all, defineQuery, first, one, run } from '../db/sql.js';
import { nextOfficeOpening } from '../pipeline/deadlines.js';
import type { Role } from '../org/types.js';
import type { Command } from '../pipeline/model.js';
import { adoptWaiting, enqueuePush } from '../pipeline/outbox.js';
import { homeOf, regionById, villageList } from '../pipeline/reference.js';
import { pipelineRows, ticketHistory } from '../pipeline/rows.js';
import { hasResidentToAnswer, hasResidentToAnswerSql } from '../pipeline/requester.js';
import { OPEN_STATES, type TicketState } from '../pipeline/states.js';
import { actorFor, handlerParams, type PipelineService, TicketNotFoundError } from '../pipeline/service.js';
import type { CategoryClassifier } from './classifier.js';
import type { ChatDeps, ChatModule, EffectResult, Effects, ReportDraft, Speaker, TicketLine, TicketView } from './flow.js';
import { render, renderRefusal } from './i18n.js';
import { isAnonymous, mergeAnonymous } from '../org/merge-person.js';
import { bindingCode } from '../org/invite.js';
import { eventText, shownToResident } from '../pipeline/event-view.js';
import { mapLink, placeOf } from '../pipeline/place.js';
import { maskPhone } from '../privacy.js';
import type { Inbound } from './types.js';
import { methodsOnFirstUse } from '../on-first-use.js';

export interface EffectDeps {
  tx: Tx | SqlTx;
  pipeline: PipelineService;
  classifier: CategoryClassifier;
  speaker: Speaker;
  inbound: Inbound;
  now: Date;
}

const handledDepartmentsQuery = defineQuery('effects_handled_departments', (db, p: { personId: number }) =>
  db.selectFrom('PersonRole').select('departmentId').where('personId', '=', p.personId).where('role', '=', 'department_handler').orderBy('id'),
);

const ownTicketsQuery = defineQuery('effects_own_tickets', (db, p: { residentId: number }) =>
  db
    .selectFrom('Ticket')
    .select(['number', 'summary', 'state', 'categoryCode'])
    .where('residentId', '=', p.residentId)
    .where(hasResidentToAnswerSql('channel'))
    .orderBy('createdAt', 'desc')
    .limit(10),
);

const handledTicketsQuery = defineQuery('effects_handled_tickets', (db, p: { personId: number; states: string[]; departmentIds: number[] }, dialect) =>
  db
    .selectFrom('Ticket')
    .select(['number', 'summary', 'state', 'categoryCode'])
    .where(oneOf(dialect, 'state', p.states))
    .where((eb) => eb.or([eb('assigneeId', '=', p.personId), oneOf(dialect, 'assigneeDepartmentId', p.departmentIds)]))
    .orderBy('createdAt', 'desc')
    .limit(10),
);

const setLocaleQuery = defineQuery('effects_set_locale', (db, p: { personId: number; locale: string; at: Date }) =>
  db.updateTable('Person').set({ locale: p.locale, updatedAt: p.at }).where('id', '=', p.personId),
);

/** The first household at the region with the phone whose head or a member bears the name. */
const claimedHouseholdQuery = defineQuery('effects_claimed_household', (db, p: { regionId: number; phone: string; name: string }) =>
  db
    .selectFrom('Household as h')
    .select(['h.id', 'h.address'])
    .where('h.regionId', '=', p.regionId)
    .where('h.phone', '=', p.phone)
    .where((eb) =>
      eb.or([eb('h.headName', '=', p.name), eb.exists(eb.selectFrom('Person as m').select('m.id').whereRef('m.householdId', '=', 'h.id').where('m.name', '=', p.name))]),
    )
    .orderBy('h.id')
    .limit(1),
);

const householdLiaisonQuery = defineQuery('effects_household_liaison', (db, p: { householdId: number }) =>
  db.selectFrom('Pairing').select('liaisonId').where('householdId', '=', p.householdId),
);

const householdGridLeadersQuery = defineQuery('effects_household_grid_leaders', (db, p: { householdId: number }) =>
  db
    .selectFrom('HouseholdGrid as hg')
    .innerJoin('PersonRole as r', 'r.gridId', 'hg.gridId')
    .select('r.personId')
    .where('hg.householdId', '=', p.householdId)
    .where('r.role', '=', 'grid_leader')
    .orderBy('hg.gridId')
    .orderBy('r.id'),
);

const rejectPendingClaimsQuery = defineQuery('effects_reject_pending_claims', (db, p: { claimantId: number; at: Date }) =>
  db.updateTable('HouseholdClaim').set({ status: 'rejected', decidedAt: p.at }).where('claimantId', '=', p.claimantId).where('status', '=', 'pending'),
);

const newClaimQuery = defineQuery('effects_new_claim', (db, p: { claimantId: number; householdId: number; name: string; at: Date }) =>
  db.insertInto('HouseholdClaim').values({ claimantId: p.claimantId, householdId: p.householdId, name: p.name, createdAt: p.at }).returning('id'),
);

const claimQuery = defineQuery('effects_claim', (db, p: { id: number }) =>
  db.selectFrom('HouseholdClaim').select(['id', 'claimantId', 'householdId', 'name', 'status']).where('id', '=', p.id),
);

const claimHouseholdQuery = defineQuery('effects_claim_household', (db, p: { id: number }) =>
  db.selectFrom('Household as h').innerJoin('Region as r', 'r.id', 'h.regionId').select(['h.id', 'h.address', 'h.regionId', 'r.code as regionCode']).where('h.id', '=', p.id),
);

const decideClaimQuery = defineQuery('effects_decide_claim', (db, p: { id: number; status: string; at: Date; deciderId: number }) =>
  db.updateTable('HouseholdClaim').set({ status: p.status, decidedAt: p.at, decidedById: p.deciderId }).where('id', '=', p.id),
);

const memberNamedQuery = defineQuery('effects_member_named', (db, p: { householdId: number; name: string }) =>
  db.selectFrom('Person').select('id').where('householdId', '=', p.householdId).where('name', '=', p.name).orderBy('id').limit(1),
);

const moveIdentitiesQuery = defineQuery('effects_move_identities', (db, p: { from: number; to: number }) =>
  db.updateTable('ChannelIdentity').set({ personId: p.to }).where('personId', '=', p.from),
);

const moveSessionsQuery = defineQuery('effects_move_sessions', (db, p: { from: number; to: number }) =>
  db.updateTable('ChatSession').set({ personId: p.to }).where('personId', '=', p.from),
);

const latestReachableChatQuery = defineQuery('effects_latest_reachable_chat', (db, p: { personId: number }) =>
  db.selectFrom('ChannelIdentity').select(['channel', 'chatId']).where('personId', '=', p.personId).where('unreachableAt', 'is', null).orderBy('lastUsedAt', 'desc').limit(1),
);

const joinHouseholdQuery = defineQuery('effects_join_household', (db, p: { personId: number; householdId: number; name: string; at: Date }) =>
  db.updateTable('Person').set({ householdId: p.householdId, name: p.name, updatedAt: p.at }).where('id', '=', p.personId).returning('code'),
);

const residentRoleQuery = defineQuery('effects_resident_role', (db, p: { personId: number; regionId: number; scopeKey: string }) =>
  db
    .insertInto('PersonRole')
    .values({ personId: p.personId, role: 'resident', regionId: p.regionId, scopeKey: p.scopeKey })
    .onConflict((oc) => oc.column('scopeKey').doNothing()),
);

const boundPersonQuery = defineQuery('effects_bound_person', (db, p: { id: number }) =>
  db
    .selectFrom('Person as p')
    .leftJoin('Household as h', 'h.id', 'p.householdId')
    .select(['p.id', 'p.name', 'p.locale', 'p.householdId', 'h.phone as householdPhone'])
    .where('p.id', '=', p.id),
);

const useBindingCodeQuery = defineQuery('effects_use_binding_code', (db, p: { code: string; at: Date }) =>
  db.updateTable('BindingCode').set({ usedAt: p.at }).where('code', '=', p.code),
);

const bindIdentityQuery = defineQuery('effects_bind_identity', (db, p: { channel: string; platformUserId: string; personId: number; chatId: string; at: Date }) =>
  db
    .updateTable('ChannelIdentity')
    .set({ personId: p.personId, chatId: p.chatId, lastUsedAt: p.at })
    .where('channel', '=', p.channel)
    .where('platformUserId', '=', p.platformUserId),
);

const bindChatSessionQuery = defineQuery('effects_bind_chat_session', (db, p: { channel: string; chatId: string; personId: number }) =>
  db.updateTable('ChatSession').set({ personId: p.personId }).where('channel', '=', p.channel).where('chatId', '=', p.chatId),
);

/** A ticket's media column as a list of references. */
function mediaRefs(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function makeEffects({ tx, pipeline, classifier, speaker, inbound, now }: EffectDeps): Effects {
  const sql = sqlOf(tx);
  // Read at each use: the speaker may switch language mid-turn.
  const locale = () => speaker.locale;

  /** Departments this speaker handles for. */
  const departmentIds = async (): Promise<number[]> =>
    (await all(sql, handledDepartmentsQuery, { personId: speaker.personId })).flatMap((r) => (r.departmentId === null ? [] : [r.departmentId]));

  /** Who decides a claim on the household: its liaison, or else its grids' leaders. */
  const claimDeciders = async (householdId: number): Promise<number[]> => {
    const pairing = await first(sql, householdLiaisonQuery, { householdId });
    if (pairing) return [pairing.liaisonId];
    return (await all(sql, householdGridLeadersQuery, { householdId })).map((r) => r.personId);
  };

  /** How the speaker stands to a ticket: its resident, its handler (the person or one of the department's staff). */
  const relation = async (t: { residentId: number; channel: string | null; assigneeId: number | null; assigneeDepartmentId: number | null }) => ({
    own: hasResidentToAnswer(t.channel) && t.residentId === speaker.personId,
    handles:
      t.assigneeId === speaker.personId ||
      (t.assigneeDepartmentId !== null && speaker.roles.includes('department_handler') && (await departmentIds()).includes(t.assigneeDepartmentId)),
  });

  /**
   * Files a request for `residentId` through the pipeline and says who handles it: the
   * speaker's own (acknowledged in this conversation), or one a liaison registers for a
   * household on a visit (the resident gets the receipt in their own chat).
   */
  const reportFor = async (
    residentId: number,
    draft: ReportDraft,
    onBehalf: { registeredBy?: number; via?: string; settled?: string | null },
  ): Promise<EffectResult<{ number: string; handler: string; resolveBy: Date | null }>> => {
    const outcome = await pipeline.reportIn(tx, {
      residentId,
      categoryCode: draft.categoryCode,
      kind: draft.kind,
      summary: draft.summary,
      description: draft.description,
      ...(draft.regionId !== null ? { regionId: draft.regionId } : {}),
      ...(draft.location ? { location: draft.location } : {}),
      ...(draft.contactPhone ? { contactPhone: draft.contactPhone } : {}),
      photos: draft.photos,
      ...(draft.latitude !== null && draft.longitude !== null ? { latitude: draft.latitude, longitude: draft.longitude } : {}),
      via: onBehalf.via ?? inbound.channel,
      ...(onBehalf.registeredBy === undefined ? { acknowledged: true } : { registeredBy: onBehalf.registeredBy }),
      // 即办: the pipeline settles it in the same step, as the console's 受理登记 does.
      ...(onBehalf.settled ? { settled: { result: onBehalf.settled } } : {}),
    });
    if (!outcome.ok) return { ok: false, text: renderRefusal(locale(), outcome.refusal) };
    const t = outcome.ticket;
    return { ok: true, number: t.number, handler: render(locale(), 'handler', await handlerParams(tx, t)), resolveBy: t.resolveBy };
  };

  /** What a flow's own effects are made from (`chatModule`), and those made this turn, once each. */
  const chatDeps: ChatDeps = {
    tx,
    speakerId: speaker.personId,
    now,
    locale,
    text: (key) => render(locale(), key),
    rules: pipeline.rules,
    reportFor: (residentId, draft, via, settled) => reportFor(residentId, draft, { registeredBy: speaker.personId, via, settled }),
  };
  const chats = new Map<object, object>();

  return {
    classify: (text) => classifier.classify(text),

    of<E>(module: ChatModule<E>): E {
      let made = chats.get(module);
      if (!made) {
        made = methodsOnFirstUse(module.methods as Record<string, true>, () => module.make(chatDeps) as Promise<Record<string, () => Promise<unknown>>>);
        chats.set(module, made);
      }
      return made as E;
    },

    async concerns(number) {
      // The pipeline's own lookup: a plain statement on SQLite, cheap enough for every button.
      const t = await pipelineRows(tx).ticketByNumber(number);
      if (!t) return false;
      const { own, handles } = await relation(t);
      return own || handles;
    },

    async villages() {
      const home = await homeOf(tx, speaker.personId);
      return { villages: await villageList(tx), home: home.township, ...(home.village === null ? {} : { household: home.village }) };
    },

    report: (draft) => reportFor(speaker.personId, draft, {}),

    async myTickets(scope) {
      const tickets =
        scope === 'own'
          ? await all(sql, ownTicketsQuery, { residentId: speaker.personId })
          : await all(sql, handledTicketsQuery, { personId: speaker.personId, states: [...OPEN_STATES], departmentIds: await departmentIds() });
      return tickets.map((t): TicketLine => ({ number: t.number, summary: t.summary, state: t.state as TicketState, categoryCode: t.categoryCode }));
    },

    async ticket(number) {
      const t = await pipelineRows(tx).ticketByNumber(number);
      if (!t) return null;
      const { own, handles } = await relation(t);
      // Anyone else is told it does not exist: residents see only their own requests.
      if (!own && !handles) return null;
      const state = t.state as TicketState;
      const region = await regionById(tx, t.regionId);
      const events = (await ticketHistory(tx, t.id)).map((e) => ({ ...e, parsed: JSON.parse(e.data) as Record<string, unknown> }));
      // The handler is staff and reads the whole history; the resident what is meant for them.
      const staffView = handles && !own;
      const lastDispatch = events.filter((e) => e.type === 'dispatched' || e.type === 'reassigned').at(-1);
      const view: TicketView = {
        number: t.number,
        summary: t.summary,
        state,
        categoryCode: t.categoryCode,
        createdAt: t.createdAt,
        resolveBy: t.resolveBy,
        place: placeOf(region?.name ?? '', t.location),
        map: mapLink(t.latitude, t.longitude),
        handler: t.assigneeId === null && t.assigneeDepartmentId === null ? null : render(locale(), 'handler', await handlerParams(tx, t)),
        phone: handles ? (t.contactPhone ?? null) : null,
        dispatchNote: staffView && typeof lastDispatch?.parsed['note'] === 'string' ? lastDispatch.parsed['note'] : null,
        media: mediaRefs(t.media),
        history: events
          .filter((e) => staffView || shownToResident(e.type))
          .map((e) => ({ at: e.at, type: e.type, note: eventText(e.type, e.parsed, !staffView)?.slice(0, 120) ?? null })),
        can: {
          supply: own && state === 'awaiting_resident',
          urge: own && OPEN_STATES.includes(state),
          withdraw: own && OPEN_STATES.includes(state),
          rate: own && state === 'resolved',
          // Dispatched to them and not accepted yet: 签收 / 退回 here too, not only on the ping (which may be long buried).
          accept: handles && state === 'dispatched',
          handle: handles && (state === 'accepted' || state === 'in_progress'),
        },
      };
      return view;
    },

    async command(number: string, command: Command) {
      try {
        const outcome = await pipeline.executeIn(tx, number, command, await actorFor(tx, speaker.personId));
        return outcome.ok ? { ok: true } : { ok: false, text: renderRefusal(locale(), outcome.refusal) };
      } catch (error) {
        if (error instanceof TicketNotFoundError) return { ok: false, text: render(locale(), 'ticket.not_found', { number }) };
        throw error;
      }
    },

    async setLocale(next) {
      await run(sql, setLocaleQuery, { personId: speaker.personId, locale: next, at: now });
      speaker.locale = next;
    },

    async claimHousehold({ regionId, name, phone }) {
      if (speaker.hasHousehold) return { ok: false, text: render(locale(), 'register.already') };
      // The phone must be the household's; the name its head's or a member's.
      const household = await first(sql, claimedHouseholdQuery, { regionId, phone, name });
      if (!household) return { ok: false, text: render(locale(), 'register.not_found') };
      await run(sql, rejectPendingClaimsQuery, { claimantId: speaker.personId, at: now });
      const claim = await one(sql, newClaimQuery, { claimantId: speaker.personId, householdId: household.id, name, at: now });
      const deciders = await claimDeciders(household.id);
      if (!deciders.length) return { ok: false, text: render(locale(), 'register.no_liaison') };
      await enqueuePush(
        tx,
        deciders,
        {
          template: 'claim.ask_liaison',
          params: { name, address: household.address, phone: maskPhone(phone) },
          actions: [
            { label: 'claim.confirm', payload: `claim:${claim.id}:confirm` },
            { label: 'claim.reject', payload: `claim:${claim.id}:reject` },
          ],
        },
        now,
      );
      return { ok: true };
    },

    async decideClaim(claimId, confirm) {
      const claim = await first(sql, claimQuery, { id: claimId });
      const household = claim ? await first(sql, claimHouseholdQuery, { id: claim.householdId }) : undefined;
      if (!claim || !household) return { ok: false, text: render(locale(), 'claim.not_found') };
      if (!(await claimDeciders(household.id)).includes(speaker.personId)) return { ok: false, text: render(locale(), 'refusal.not_allowed') };
      if (claim.status !== 'pending') return { ok: false, text: render(locale(), 'claim.already_decided') };
      await run(sql, decideClaimQuery, { id: claim.id, status: confirm ? 'confirmed' : 'rejected', at: now, deciderId: speaker.personId });
      let resident = claim.claimantId;
      if (confirm) {
        const member = await first(sql, memberNamedQuery, { householdId: household.id, name: claim.name });
        if (member) {
          // The household member is on the roster already: the chat becomes theirs, and
          // with it whatever the chat's anonymous first contact had (requests, messages).
          if (await isAnonymous(tx, claim.claimantId)) await mergeAnonymous(tx, claim.claimantId, member.id);
          else {
            await run(sql, moveIdentitiesQuery, { from: claim.claimantId, to: member.id });
            await run(sql, moveSessionsQuery, { from: claim.claimantId, to: member.id });
          }
          // The member may have had messages waiting for a chat: the claimant's latest is theirs now.
          const chat = await first(sql, latestReachableChatQuery, { personId: member.id });
          if (chat) await adoptWaiting(tx, member.id, chat, now);
          resident = member.id;
        } else {
          const claimant = await one(sql, joinHouseholdQuery, { personId: claim.claimantId, householdId: household.id, name: claim.name, at: now });
          await run(sql, residentRoleQuery, { personId: claim.claimantId, regionId: household.regionId, scopeKey: `${claimant.code}|resident|${household.regionCode}` });
        }
      }
      await enqueuePush(tx, [resident], { template: confirm ? 'claim.confirmed' : 'claim.rejected', params: { address: household.address } }, now);
      return { ok: true };
    },

    async openConversation() {
      const opened = await openConversation(tx, speaker.personId, inbound.channel, now);
      return { region: opened.regionName, created: opened.created, answerFrom: nextOfficeOpening(pipeline.rules.calendar, now, pipeline.rules.officeHours) };
    },

    async relay(text, media) {
      const open = await openConversationOf(tx, speaker.personId);
      if (!open) return null;
      return residentSays(tx, open, speaker.personId, text, media, now);
    },

    async endConversation() {
      const open = await openConversationOf(tx, speaker.personId);
      if (!open) return false;
      await closeConversation(tx, open.id, 'resident', now);
      return true;
    },

    async bind(code) {
      const binding = await bindingCode(tx, code.toUpperCase());
      if (!binding || binding.usedAt || binding.expiresAt < now) {
        return { ok: false, text: render(locale(), 'bind.invalid') };
      }
      const person = await one(sql, boundPersonQuery, { id: binding.personId });
      await run(sql, useBindingCodeQuery, { code: binding.code, at: now });
      // What this chat's anonymous first contact had (requests, messages) is the person's now.
      if (speaker.personId !== person.id && (await isAnonymous(tx, speaker.personId))) await mergeAnonymous(tx, speaker.personId, person.id);
      const bound = { channel: inbound.channel, platformUserId: inbound.senderId, personId: person.id, chatId: inbound.chatId, at: now };
      // The speaker's identity was recorded earlier in this turn: it is there to bind.
      if ((await run(sql, bindIdentityQuery, bound)) !== 1) throw new Error(`no identity ${inbound.channel}:${inbound.senderId} to bind`);
      await run(sql, bindChatSessionQuery, { channel: inbound.channel, chatId: inbound.chatId, personId: person.id });
      // Messages that waited for this person to have a chat now go to it.
      await adoptWaiting(tx, person.id, inbound, now);
      // The rest of this turn speaks as the person bound (the anonymous one may be gone).
      const roles = await pipelineRows(tx).rolesOf(person.id);
      // A conversation the county held goes to the household's township now that it is known.
      const open = await openConversationOf(tx, person.id);
      if (open) await placeConversation(tx, open, person.id, '', now);
      Object.assign(speaker, {
        personId: person.id,
        locale: person.locale === 'en' ? 'en' : 'zh',
        roles: [...new Set(roles.map((r) => r.role as Role))],
        hasHousehold: person.householdId !== null,
        householdPhone: person.householdPhone,
        inConversation: open !== null,
      });
      return { ok: true, name: person.name };
    },
  };
}
