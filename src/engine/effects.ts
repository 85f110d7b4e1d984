/**
 * The effects flows name, performed inside the turn's transaction: what a resident or a
 * handler may see and do, and nothing more.
 */
import { closeConversation, openConversation, openConversationOf, residentSays } from '../conversations/conversations.js';
import type { Tx } from '../db/client.js';
import { nextOfficeOpening } from '../pipeline/deadlines.js';
import type { Role } from '../org/types.js';
import type { Command } from '../pipeline/model.js';
import { adoptWaiting, enqueuePush } from '../pipeline/outbox.js';
import { villageList } from '../pipeline/reference.js';
import { pipelineRows } from '../pipeline/rows.js';
import { OPEN_STATES, type TicketState } from '../pipeline/states.js';
import { actorFor, type PipelineService, TicketNotFoundError } from '../pipeline/service.js';
import type { CategoryClassifier } from './classifier.js';
import type { Effects, Speaker, TicketLine, TicketView } from './flow.js';
import { render, renderRefusal } from './i18n.js';
import { isAnonymous, mergeAnonymous } from '../org/merge-person.js';
import { eventText, shownToResident } from '../pipeline/event-view.js';
import { mapLink, placeOf } from '../pipeline/place.js';
import { maskName, maskPhone } from '../privacy.js';
import type { Inbound } from './types.js';

export interface EffectDeps {
  tx: Tx;
  pipeline: PipelineService;
  classifier: CategoryClassifier;
  speaker: Speaker;
  inbound: Inbound;
  now: Date;
}


/** A ticket's media column as a list of references. */
function mediaRefs(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function makeEffects({ tx, pipeline, classifier, speaker, inbound, now }: EffectDeps): Effects {
  // Read at each use: the speaker may switch language mid-turn.
  const locale = () => speaker.locale;

  /** Departments this speaker handles for. */
  const departmentIds = async (): Promise<number[]> =>
    (await tx.personRole.findMany({ where: { personId: speaker.personId, role: 'department_handler' } })).flatMap((r) =>
      r.departmentId === null ? [] : [r.departmentId],
    );

  /** How the speaker stands to a ticket: its resident, its handler (the person or one of the department's staff). */
  const relation = async (t: { residentId: number; assigneeId: number | null; assigneeDepartmentId: number | null }) => ({
    own: t.residentId === speaker.personId,
    handles:
      t.assigneeId === speaker.personId ||
      (t.assigneeDepartmentId !== null && speaker.roles.includes('department_handler') && (await departmentIds()).includes(t.assigneeDepartmentId)),
  });

  return {
    classify: (text) => classifier.classify(text),

    async concerns(number) {
      // The pipeline's own lookup: a plain statement on SQLite, cheap enough for every button.
      const t = await pipelineRows(tx).ticketByNumber(number);
      if (!t) return false;
      const { own, handles } = await relation(t);
      return own || handles;
    },

    async villages() {
      const township = await pipelineRows(tx).householdTownship(speaker.personId);
      const villages = await villageList(tx);
      const near = township === null ? villages : villages.filter((v) => v.parentId === township);
      return near.slice(0, 12).map((v) => ({ id: v.id, name: v.name }));
    },

    async report(draft) {
      const outcome = await pipeline.reportIn(tx, {
        residentId: speaker.personId,
        categoryCode: draft.categoryCode,
        kind: draft.kind,
        summary: draft.summary,
        description: draft.description,
        ...(draft.regionId !== null ? { regionId: draft.regionId } : {}),
        ...(draft.location ? { location: draft.location } : {}),
        ...(draft.contactPhone ? { contactPhone: draft.contactPhone } : {}),
        photos: draft.photos,
        ...(draft.latitude !== null && draft.longitude !== null ? { latitude: draft.latitude, longitude: draft.longitude } : {}),
        via: inbound.channel,
        acknowledged: true,
      });
      if (!outcome.ok) return { ok: false, text: renderRefusal(locale(), outcome.refusal) };
      const t = outcome.ticket;
      let handler = render(locale(), 'handler.dispatchers');
      if (t.assigneeId !== null) {
        handler = render(locale(), 'handler.liaison', { name: maskName(await pipelineRows(tx).personName(t.assigneeId)) });
      } else if (t.assigneeDepartmentId !== null) {
        handler = await pipelineRows(tx).departmentName(t.assigneeDepartmentId);
      }
      return { ok: true, number: t.number, handler, resolveBy: t.resolveBy };
    },

    async myTickets(scope) {
      const where =
        scope === 'own'
          ? { residentId: speaker.personId }
          : {
              state: { in: [...OPEN_STATES] },
              OR: [{ assigneeId: speaker.personId }, { assigneeDepartmentId: { in: await departmentIds() } }],
            };
      const tickets = await tx.ticket.findMany({ where, orderBy: { createdAt: 'desc' }, take: 10 });
      return tickets.map(
        (t): TicketLine => ({ number: t.number, summary: t.summary, state: t.state as TicketState, categoryCode: t.categoryCode }),
      );
    },

    async ticket(number) {
      const t = await tx.ticket.findUnique({ where: { number }, include: { events: { orderBy: { seq: 'asc' } }, region: { select: { name: true } } } });
      if (!t) return null;
      const { own, handles } = await relation(t);
      // Anyone else is told it does not exist: residents see only their own requests.
      if (!own && !handles) return null;
      const state = t.state as TicketState;
      const events = t.events.map((e) => ({ ...e, parsed: JSON.parse(e.data) as Record<string, unknown> }));
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
        place: placeOf(t.region.name, t.location),
        map: mapLink(t.latitude, t.longitude),
        phone: handles ? (t.contactPhone ?? null) : null,
        dispatchNote: staffView && typeof lastDispatch?.parsed['note'] === 'string' ? lastDispatch.parsed['note'] : null,
        media: mediaRefs(t.media),
        history: events
          .filter((e) => staffView || shownToResident(e.type))
          .map((e) => ({ at: e.at, type: e.type, note: eventText(e.type, e.parsed, !staffView)?.slice(0, 120) ?? null })),
        can: {
          supply: own && state === 'awaiting_resident',
          withdraw: own && OPEN_STATES.includes(state),
          rate: own && state === 'resolved',
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
      await tx.person.update({ where: { id: speaker.personId }, data: { locale: next } });
      speaker.locale = next;
    },

    async claimHousehold({ regionId, name, phone }) {
      if (speaker.hasHousehold) return { ok: false, text: render(locale(), 'register.already') };
      // The phone must be the household's; the name its head's or a member's.
      const households = await tx.household.findMany({
        where: { regionId, phone },
        include: { members: { select: { name: true } }, pairing: true, grids: { include: { grid: { include: { roles: { where: { role: 'grid_leader' } } } } } } },
      });
      const household = households.find((h) => h.headName === name || h.members.some((m) => m.name === name));
      if (!household) return { ok: false, text: render(locale(), 'register.not_found') };
      await tx.householdClaim.updateMany({ where: { claimantId: speaker.personId, status: 'pending' }, data: { status: 'rejected', decidedAt: now } });
      const claim = await tx.householdClaim.create({ data: { claimantId: speaker.personId, householdId: household.id, name, createdAt: now } });
      const deciders = household.pairing
        ? [household.pairing.liaisonId]
        : household.grids.flatMap((g) => g.grid.roles.map((r) => r.personId));
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
      const claim = await tx.householdClaim.findUnique({ where: { id: claimId } });
      const household = claim
        ? await tx.household.findUnique({
            where: { id: claim.householdId },
            include: { region: true, pairing: true, grids: { include: { grid: { include: { roles: { where: { role: 'grid_leader' } } } } } } },
          })
        : null;
      if (!claim || !household) return { ok: false, text: render(locale(), 'claim.not_found') };
      const mayDecide =
        household.pairing?.liaisonId === speaker.personId ||
        household.grids.some((g) => g.grid.roles.some((r) => r.personId === speaker.personId));
      if (!mayDecide) return { ok: false, text: render(locale(), 'refusal.not_allowed') };
      if (claim.status !== 'pending') return { ok: false, text: render(locale(), 'claim.already_decided') };
      await tx.householdClaim.update({
        where: { id: claim.id },
        data: { status: confirm ? 'confirmed' : 'rejected', decidedAt: now, decidedById: speaker.personId },
      });
      let resident = claim.claimantId;
      if (confirm) {
        const member = await tx.person.findFirst({ where: { householdId: household.id, name: claim.name } });
        if (member) {
          // The household member is on the roster already: the chat becomes theirs, and
          // with it whatever the chat's anonymous first contact had (requests, messages).
          if (await isAnonymous(tx, claim.claimantId)) await mergeAnonymous(tx, claim.claimantId, member.id);
          else {
            await tx.channelIdentity.updateMany({ where: { personId: claim.claimantId }, data: { personId: member.id } });
            await tx.chatSession.updateMany({ where: { personId: claim.claimantId }, data: { personId: member.id } });
          }
          // The member may have had messages waiting for a chat: the claimant's latest is theirs now.
          const chat = await tx.channelIdentity.findFirst({ where: { personId: member.id, unreachableAt: null }, orderBy: { lastUsedAt: 'desc' } });
          if (chat) await adoptWaiting(tx, member.id, chat, now);
          resident = member.id;
        } else {
          const claimant = await tx.person.update({
            where: { id: claim.claimantId },
            data: { householdId: household.id, name: claim.name },
          });
          await tx.personRole.upsert({
            where: { scopeKey: `${claimant.code}|resident|${household.region.code}` },
            create: { personId: claimant.id, role: 'resident', regionId: household.regionId, scopeKey: `${claimant.code}|resident|${household.region.code}` },
            update: {},
          });
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
      if (!open) return false;
      await residentSays(tx, open.id, speaker.personId, text, media, now);
      return true;
    },

    async endConversation() {
      const open = await openConversationOf(tx, speaker.personId);
      if (!open) return false;
      await closeConversation(tx, open.id, 'resident', now);
      return true;
    },

    async bind(code) {
      const binding = await tx.bindingCode.findUnique({ where: { code: code.toUpperCase() } });
      if (!binding || binding.usedAt || binding.expiresAt < now) {
        return { ok: false, text: render(locale(), 'bind.invalid') };
      }
      const person = await tx.person.findUniqueOrThrow({ where: { id: binding.personId } });
      await tx.bindingCode.update({ where: { code: binding.code }, data: { usedAt: now } });
      // What this chat's anonymous first contact had (requests, messages) is the person's now.
      if (speaker.personId !== person.id && (await isAnonymous(tx, speaker.personId))) await mergeAnonymous(tx, speaker.personId, person.id);
      await tx.channelIdentity.update({
        where: { channel_platformUserId: { channel: inbound.channel, platformUserId: inbound.senderId } },
        data: { personId: person.id, chatId: inbound.chatId, lastUsedAt: now },
      });
      await tx.chatSession.updateMany({ where: { channel: inbound.channel, chatId: inbound.chatId }, data: { personId: person.id } });
      // Messages that waited for this person to have a chat now go to it.
      await adoptWaiting(tx, person.id, inbound, now);
      // The rest of this turn speaks as the person bound (the anonymous one may be gone).
      const household = person.householdId === null ? null : await tx.household.findUnique({ where: { id: person.householdId }, select: { phone: true } });
      const roles = await tx.personRole.findMany({ where: { personId: person.id }, select: { role: true }, orderBy: { id: 'asc' } });
      Object.assign(speaker, {
        personId: person.id,
        locale: person.locale === 'en' ? 'en' : 'zh',
        roles: [...new Set(roles.map((r) => r.role as Role))],
        hasHousehold: person.householdId !== null,
        householdPhone: household?.phone ?? null,
        inConversation: (await openConversationOf(tx, person.id)) !== null,
      });
      return { ok: true, name: person.name };
    },
  };
}
