/**
 * Code loaded on first use, not at start: a serving process holds a module's code (and
 * what it imports) only once something needs it (README, "Memory"). The one way to defer
 * an import here: the console and the interfaces (src/web/on-first-request.ts), the
 * webhook payloads (src/webhooks/delivery.ts), the retention duties of the webhooks and the
 * API (loadedOnFirstRun, src/pipeline/retention.ts) and the chat modules behind the flows'
 * own effects (chatModule, made by Effects.of in src/engine/effects.ts) all go through it.
 */

/**
 * `load`'s result, loaded on the first call and kept for every later one. A load that
 * fails is forgotten, so the next call tries again (a module missing for a moment, say)
 * rather than failing for ever.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

/** An object whose members are all async methods (the effects a chat module supplies). */
export type AsyncMethods<T> = { [K in keyof T]: (...args: never[]) => Promise<unknown> };

/**
 * A stand-in for the object `load` makes, with the methods `names` lists: the first call
 * of any of them loads it (once), and each call is passed on to it. The compiler holds
 * `names` to exactly the methods of T, so a method added to the module cannot be missed.
 */
export function methodsOnFirstUse<T extends AsyncMethods<T>>(names: { readonly [K in keyof T]: true }, load: () => Promise<T>): T {
  const target = onFirstUse(load);
  const stand = {} as Record<keyof T, (...args: never[]) => Promise<unknown>>;
  for (const name of Object.keys(names) as (keyof T)[]) {
    stand[name] = async (...args) => ((await target())[name] as (...args: never[]) => Promise<unknown>)(...args);
  }
  return stand as T;
}
