import { z } from 'zod';
import { defineFlow } from '../src/engine/flow.js';
import { householdLabel, offerHouseholds, pickedHousehold } from './households.js';
/** 代填调查: on a visit, a liaison fills in a survey for one of their paired households (recorded as filled in by the liaison). */
export const surveyFillFlow = defineFlow({
    id: 'survey-fill',
    data: z.object({}),
    first: 'household',
    entries: [
        {
            name: 'survey-fill',
            words: /^(代填调查|代填问卷|代填|fill survey|\/fillsurvey)$/i,
            menu: { label: 'menu.survey_fill', order: 16, shownTo: (speaker) => speaker.roles.includes('liaison') },
            data: {},
        },
    ],
    steps: {
        household: {
            ends: true,
            starts: ['survey'],
            async ask(ctx) {
                await offerHouseholds(ctx, 'survey.pick_household');
            },
            async answer(ctx) {
                const picked = await pickedHousehold(ctx);
                if (picked === null)
                    return { done: true };
                if (!picked)
                    return { stay: true };
                return { start: { flow: 'survey', data: { householdId: picked.id, household: householdLabel(picked) } } };
            },
        },
    },
});
