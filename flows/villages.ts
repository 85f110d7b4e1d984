/**
 * Asking which village, in one place for every flow that asks it (我要反映's location,
 * 绑定家庭, 代办登记's new person). A county may have hundreds of villages: past
 * VILLAGE_LIST_MAX the township is asked first (the speaker's own first), then its
 * villages. A village typed at either question goes straight through, recognised among
 * all of them (src/org/village-names.ts); a name several villages share is asked about,
 * offering only those.
 */
import type { FlowChoice, FlowReply, TurnContext, VillageChoices, VillageOption } from '../src/engine/flow.js';
import { townshipsNamed, townshipsOf, villagesNamed } from '../src/org/village-names.js';
import type { MessageKey } from './messages/zh.js';

/** The most villages offered as one list; a county with more is asked by township first. */
export const VILLAGE_LIST_MAX = 12;

const villageChoice = (v: VillageOption): FlowChoice => ({ label: { text: v.name }, payload: `village:${v.id}` });

/**
 * Says `question` with the villages to pick from: all of them when they fit one list,
 * else the townships (the speaker's own first). `first`: choices offered before them
 * (就在我家附近).
 */
export function offerVillages(ctx: TurnContext<object>, question: MessageKey, params: FlowReply['params'], choices: VillageChoices, first: FlowChoice[] = []): void {
  const { villages, home } = choices;
  if (villages.length <= VILLAGE_LIST_MAX) {
    ctx.say(question, params, [...first, ...villages.map(villageChoice)]);
    return;
  }
  const townships = townshipsOf(villages).sort((a, b) => Number(b.id === home) - Number(a.id === home));
  ctx.say(question, params);
  ctx.say('villages.pick_township', {}, [...first, ...townships.map((t) => ({ label: { text: t.name }, payload: `township:${t.id}` }))]);
}

/** Says a township's villages to pick from. */
function offerTownship(ctx: TurnContext<object>, choices: VillageChoices, township: { id: number; name: string }): void {
  ctx.say('villages.pick_village', { township: township.name }, choices.villages.filter((v) => v.townshipId === township.id).map(villageChoice));
}

/**
 * The village the message picks: tapped (`village:<id>`), or typed and recognised. A
 * township tapped or typed alone (清水镇那边), or a name several villages share, is asked
 * about here (its villages, or those sharing the name) and answers 'asked': the step stays,
 * quietly. Null: no village or township in the message (the step says what it wants).
 */
export function pickedVillage(ctx: TurnContext<object>, choices: VillageChoices): VillageOption | 'asked' | null {
  const { action, text } = ctx.input;
  if (action?.startsWith('village:')) return choices.villages.find((v) => v.id === Number(action.slice('village:'.length))) ?? null;
  if (action?.startsWith('township:')) {
    const township = townshipsOf(choices.villages).find((t) => t.id === Number(action.slice('township:'.length)));
    if (!township) return null;
    offerTownship(ctx, choices, township);
    return 'asked';
  }
  if (action || !text) return null;
  const found = villagesNamed(text, choices.villages, choices.home);
  if (found.length === 1) return found[0] ?? null;
  if (found.length > 1) {
    // Named with their township, as the resident would tell them apart: 青禾镇东湖村.
    ctx.say(
      'villages.which',
      { text },
      found.map((v) => ({ label: { text: `${v.township ?? ''}${v.name}` }, payload: `village:${v.id}` })),
    );
    return 'asked';
  }
  const [township, ...others] = townshipsNamed(text, choices.villages);
  if (!township || others.length) return null;
  offerTownship(ctx, choices, township);
  return 'asked';
}
