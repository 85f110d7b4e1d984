/**
 * Prisma's query compiler (WebAssembly) as the generated clients load it, without
 * keeping its base64 text. The generated code imports a module that exports the binary
 * as one base64 string: an ES module stays loaded, so its source (2.1 MiB) and the
 * string (2.1 MiB again) stayed in the heap for the life of the process. Here the file
 * is read as text, decoded and compiled, and the text is garbage.
 * `src/cli/generate.ts` points the generated clients here.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { Module: WasmModuleClass } = globalThis.WebAssembly;
/** Compiles the WebAssembly module whose base64 text `specifier` (a `…wasm-base64.mjs` of @prisma/client) exports. */
export async function compileBase64Module(specifier) {
    const text = await readFile(require.resolve(specifier), 'utf8');
    const base64 = /"([A-Za-z0-9+/=]+)"/.exec(text)?.[1];
    if (!base64)
        throw new Error(`no base64 WebAssembly in ${specifier}`);
    return new WasmModuleClass(Buffer.from(base64, 'base64'));
}
