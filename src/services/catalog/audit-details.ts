/** Names of the fields a partial change sets, for audit records (names only, never the values typed in). */
export function changedFields(change: object): string[] {
  return Object.entries(change).filter(([, value]) => value !== undefined).map(([field]) => field);
}
