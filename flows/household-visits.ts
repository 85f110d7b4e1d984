import { z } from 'zod';
import { defineFlow, handlesTickets } from '../src/engine/flow.js';
import { formatInstant, render } from '../src/engine/i18n.js';
import type { MessageKey } from './messages/zh.js';
import { visitsChat } from './households.js';

/** A visit's 签字 in the household's words. */
const STATUS: Record<string, MessageKey> = {
  pending: 'visit.status_pending',
  confirmed: 'visit.status_confirmed',
  disputed: 'visit.status_disputed',
  unconfirmed: 'visit.status_unconfirmed',
};

/** 我家的走访: a household reads its liaison's visits and how it answered each. */
export const householdVisitsFlow = defineFlow({
  id: 'household-visits',
  data: z.object({}),
  first: 'list',
  entries: [
    {
      name: 'household-visits',
      words: /^(我家的走访|走访情况|我家走访|household visits|\/visits)$/i,
      menu: { label: 'menu.household_visits', order: 35, shownTo: (speaker) => speaker.hasHousehold && !handlesTickets(speaker) },
      data: {},
    },
  ],
  steps: {
    list: {
      takes: 'view',
      ends: true,
      async ask(ctx) {
        const visits = await ctx.effects.of(visitsChat).ofMyHousehold();
        if (!visits.length) return ctx.say('visit.household_none');
        const { locale } = ctx.speaker;
        const lines = visits.map((v) => {
          const status = render(locale, STATUS[v.confirmation] ?? 'visit.status_pending');
          return `· ${formatInstant(v.visitedAt, locale)} ${v.liaison}：${v.notes}（${status}${v.rating === null ? '' : ` · ${v.rating}/5`}）`;
        });
        ctx.say('visit.household_title', { count: visits.length, lines: lines.join('\n') });
      },
      answer: () => ({ done: true }),
    },
  },
});
