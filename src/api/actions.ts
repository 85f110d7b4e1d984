/**
 * The REST API's write side. A key with the `write` scope acts as the console account it
 * was made for (`npm run apikey -- create --scope write --as USERNAME`), as a personal
 * access token does: with that person's roles and regions as the console gives them
 * (src/web/console/scope.ts), narrowed to the key's region, and only while the account
 * is live. An action goes the console's own way (src/web/console/actions.ts): the same
 * fields make the same command, the pipeline checks and runs it as that person, and the
 * events name the key besides.
 */
import type { z } from 'zod';
import type { Db } from '../db/client.js';
import type { ApiKeyRecord } from '../open311/keys.js';
import type { Open311App } from '../open311/requests.js';
import { isPermitted } from '../pipeline/machine.js';
import { actionContext, commandOf, dispatchOptions, FormProblem, mergeTargetProblem, refusalText, runAction } from '../web/console/actions.js';
import { categoryNames } from '../web/console/queue-page.js';
import { inScope, loadScope, type StaffScope } from '../web/console/scope.js';
import { loadRegions, type RegionNode, subtreeIds } from '../org/regions.js';
import type { actionAnswer, ticketActionBody } from './schemas.js';
import { ApiError } from './errors.js';

/** The console user a key acts as, with their reach now; a 403 when there is none. */
export async function staffOfKey(db: Db, key: ApiKeyRecord, regions: Map<number, RegionNode>): Promise<StaffScope> {
  const account =
    key.actsAsId === null ? null : await db.staffAccount.findUnique({ where: { id: key.actsAsId }, select: { id: true, username: true, personId: true, disabledAt: true } });
  if (!account) throw new ApiError(403, '此密钥不代表任何控制台用户（账号已删除） this key acts as no console user (the account was removed)');
  if (account.disabledAt !== null) throw new ApiError(403, `此密钥代表的控制台用户 ${account.username} 已停用 the console user ${account.username} this key acts as is disabled`);
  const scope = await loadScope(db, account, regions);
  if (!scope) throw new ApiError(403, `${account.username} 已没有工作人员角色 ${account.username} holds no staff role any more`);
  return scope;
}

type Place = { regionId: number; gridId: number | null; assigneeDepartmentId: number | null };

/** Whether a ticket is within the key's reach: its person's scope, and the key's region when it has one. */
function reachOf(key: ApiKeyRecord, scope: StaffScope, regions: Map<number, RegionNode>): (ticket: Place) => boolean {
  const keyRegions = key.regionId === null ? null : new Set(subtreeIds(regions, key.regionId));
  return (ticket) => inScope(scope, ticket) && (keyRegions === null || keyRegions.has(ticket.regionId));
}

/** The console form the body stands for: the same field names, `dispatch`'s handler as the console lists it. */
async function formOf(db: Db, body: z.infer<typeof ticketActionBody>): Promise<URLSearchParams> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    if (name === 'action' || name === 'target' || value === undefined) continue;
    form.set(name, typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
  }
  if (body.action === 'dispatch') {
    const target = body.target;
    const found =
      'person' in target
        ? await db.person.findUnique({ where: { code: target.person }, select: { id: true } })
        : await db.department.findUnique({ where: { code: target.department }, select: { id: true } });
    // An unknown code is no option of the list: commandOf refuses it as the console does.
    form.set('target', found ? `${'person' in target ? 'p' : 'd'}${found.id}` : '');
  }
  return form;
}

/** How the pipeline's refusals answer: who may not is a 403, the state not allowing it a 409. */
const REFUSAL_STATUS = {
  not_allowed: 403,
  invalid: 400,
  wrong_state: 409,
  no_level_above: 409,
  no_level_below: 409,
  callback_required: 409,
  recently_urged: 409,
  too_early_to_urge: 409,
  not_found: 404,
} as const;

/** POST /api/v1/tickets/{number}/actions. */
export async function ticketAction(app: Open311App, key: ApiKeyRecord, number: string, body: z.infer<typeof ticketActionBody>): Promise<z.infer<typeof actionAnswer>> {
  const db = app.database.db;
  const regions = await loadRegions(db);
  const scope = await staffOfKey(db, key, regions);
  const reaches = reachOf(key, scope, regions);
  const ticket = await db.ticket.findUnique({ where: { number }, select: { id: true, regionId: true, gridId: true, assigneeDepartmentId: true } });
  if (!ticket || !reaches(ticket)) throw new ApiError(404, `没有找到这件诉求 no ticket ${number} within this key's reach`);
  // Who may not act hears so before anything about the fields, as the pipeline would say it.
  const context = await actionContext(db, scope.personId, ticket.id);
  if (context && !isPermitted(context.snapshot, body.action, context.actor)) {
    throw new ApiError(403, refusalText({ code: 'not_allowed', command: body.action }));
  }
  const options = body.action === 'dispatch' ? await dispatchOptions(db, scope, regions, ticket) : [];
  const categories = body.action === 'recategorise' ? [...(await categoryNames(db)).keys()] : [];
  let command;
  try {
    command = commandOf(body.action, await formOf(db, body), options, categories);
  } catch (error) {
    if (error instanceof FormProblem) throw new ApiError(400, error.message);
    throw error;
  }
  const mergeProblem = command.type === 'merge' ? await mergeTargetProblem(db, command, reaches) : null;
  if (mergeProblem) throw new ApiError(409, mergeProblem);
  const outcome = await runAction(app.pipeline, number, command, scope.personId, key.name);
  if (!outcome.ok) throw new ApiError(REFUSAL_STATUS[outcome.code], outcome.message);
  return { number, action: body.action, state: outcome.state as z.infer<typeof actionAnswer>['state'] };
}
