// The JQL hireflow sends to Jira's enhanced search. Only the query text is
// built here; the search call and its paging live in the client.

/** A JQL string literal: double-quoted, with quotes and backslashes escaped, so a project key or label cannot end the clause. */
export function jqlString(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`
}

/**
 * JQL reads an absolute date in the time zone of the calling user's profile,
 * at minute precision, and hireflow does not know that zone (it may change
 * without notice, and OAuth apps act for whichever user consented). So the
 * cursor is written in UTC and moved back a whole day: any zone on earth is
 * at most 14 hours from UTC, so the window asked for always covers `since`,
 * and the client drops what is older by the exact `updated` each issue
 * carries. A day of extra issues per reconciliation is the price; a missed
 * resume would cost more.
 */
export const USER_ZONE_ALLOWANCE_MS = 24 * 3_600_000

/** `yyyy/MM/dd HH:mm` in UTC, seconds dropped (JQL has none), so the minute holding `at` is included. */
export function jqlDate(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${at.getUTCFullYear()}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`
}

/** Issues of the hiring project carrying a filter label, changed at or after `since` (widened, see USER_ZONE_ALLOWANCE_MS). */
export function changedIssuesJql(projectKey: string, filterLabels: readonly string[], since: Date): string {
  const labels = filterLabels.map(jqlString).join(', ')
  const from = jqlDate(new Date(since.getTime() - USER_ZONE_ALLOWANCE_MS))
  return `project = ${jqlString(projectKey)} AND labels in (${labels}) AND updated >= ${jqlString(from)} ORDER BY updated ASC`
}
