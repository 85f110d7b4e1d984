/** A ticket's handler acting on it, as tests that follow a ticket through its life need. */
import type { App } from '../../src/app.js';
import { actorFor } from '../../src/pipeline/service.js';

/** The ticket's handler (its liaison, or a handler of the department it went to) does `command` on it. */
export async function handle(app: App, number: string, command: Parameters<App['pipeline']['execute']>[1]): Promise<void> {
  const { db } = app.database;
  const ticket = await db.ticket.findUniqueOrThrow({ where: { number } });
  const handlerId = ticket.assigneeId ?? (await db.personRole.findFirstOrThrow({ where: { role: 'department_handler', departmentId: ticket.assigneeDepartmentId } })).personId;
  const outcome = await app.pipeline.execute(number, command, await actorFor(db, handlerId));
  if (!outcome.ok) throw new Error(`${command.type} refused: ${JSON.stringify(outcome.refusal)}`);
}
