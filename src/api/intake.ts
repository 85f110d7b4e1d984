/**
 * POST /api/v1/tickets: 受理登记 through the REST API. The key's console user registers the
 * request as they would on the console's intake page (src/web/console/intake.ts), with the
 * same function (src/intake/intake.ts registerIntake): the same checks, the channel of
 * receipt, 即办 when settled on the spot, within the villages where they dispatch (and
 * within the key's region). The first event names the key.
 */
import type { z } from 'zod';
import { type Matcher, registerIntake } from '../intake/intake.js';
import type { ApiKeyRecord } from '../open311/keys.js';
import type { Open311App } from '../open311/requests.js';
import { mayRegister, registrarOf, residentVillage } from '../web/console/intake.js';
import { loadRegions, subtreeIds } from '../org/regions.js';
import { staffOfKey } from './actions.js';
import type { registerAnswer, registerBody } from './schemas.js';
import { ApiError } from './errors.js';

/** Registers the request the body describes; a 400 names each field that is wrong. */
export async function registerRequest(
  app: Open311App,
  matcher: Matcher | undefined,
  key: ApiKeyRecord,
  body: z.infer<typeof registerBody>,
): Promise<z.infer<typeof registerAnswer>> {
  const db = app.database.db;
  const regions = await loadRegions(db);
  const scope = await staffOfKey(db, key, regions);
  if (!mayRegister(scope)) throw new ApiError(403, `${scope.username} 不办理受理登记（非群众工作室人员） ${scope.username} registers no requests (not a dispatcher)`);
  const own = registrarOf(scope, regions);
  const keyRegions = key.regionId === null ? null : new Set(subtreeIds(regions, key.regionId));
  const registrar = { ...own, regionIds: own.regionIds.filter((id) => keyRegions === null || keyRegions.has(id)) };
  const resident = 'code' in body.resident ? { personId: (await db.person.findUnique({ where: { code: body.resident.code }, select: { id: true } }))?.id ?? 0 } : body.resident;
  const village = body.village === undefined ? undefined : await db.region.findUnique({ where: { code: body.village }, select: { id: true } });
  const regionId = village?.id ?? ('personId' in resident && body.village === undefined ? ((await residentVillage(db, registrar, resident.personId)) ?? 0) : 0);
  const outcome = await registerIntake(app.pipeline, matcher, registrar, {
    resident,
    regionId,
    channel: body.channel,
    categoryCode: body.category,
    description: body.description,
    location: body.location ?? '',
    urgent: body.urgent ?? false,
    settled: body.settled ?? null,
    apiKey: key.name,
  });
  if (!outcome.ok) {
    throw new ApiError(
      400,
      Object.entries(outcome.errors)
        .map(([field, message]) => `${field}: ${message}`)
        .join('; '),
    );
  }
  return { number: outcome.number, settled: outcome.settled };
}
