/**
 * The zone name as the platform spells it ("europe/stockholm" → "Europe/Stockholm"): zone names
 * match case-insensitively, and a centre should show the same name whichever way it was typed.
 */
export function canonicalTimeZone(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}
