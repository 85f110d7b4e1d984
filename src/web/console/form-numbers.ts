/**
 * How the console reads a number out of a form or a query string: one rule for every
 * section, so a value typed with a Chinese input method reads the same everywhere.
 */

/**
 * The record id (a whole number of up to nine digits) chosen or typed in a console form
 * or query string; null when it is absent, blank or not an id. Full-width digits (１２,
 * as a Chinese input method types them) are read as ASCII ones (NFKC); spaces around are
 * ignored.
 */
export function formId(text: string | null | undefined): number | null {
  const value = text?.normalize('NFKC').trim();
  return value && /^\d{1,9}$/.test(value) ? Number(value) : null;
}
