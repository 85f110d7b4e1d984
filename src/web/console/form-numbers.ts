/**
 * How the console reads a number out of a form or a query string: one rule for every
 * section, so a value typed with a Chinese input method reads the same everywhere.
 */

import { typedWholeNumber } from '../../engine/choices.js';

/**
 * The record id (a whole number of up to nine digits) chosen or typed in a console form
 * or query string; null when it is absent, blank or not an id. Read as every typed number
 * is (typedWholeNumber: full-width digits too, spaces around ignored), but digits only: an
 * id is never written as a Chinese numeral.
 */
export function formId(text: string | null | undefined): number | null {
  return typedWholeNumber(text, { numerals: false });
}
