import { withPgClient } from '../../src/db/pg-client';
import { cloneTemplateDatabase } from '../helpers/test-database';

/**
 * Booking and reschedule rely on PostgreSQL inlining the slot rule into their prepared plans; a
 * STRICT flag, a SET clause or another language would silently turn it back into a function that
 * is planned again on every call. The plan says which: an inlined function leaves no Function Scan.
 */
const RULE_FUNCTIONS = ['careslot_slot_problem', 'careslot_schedule_blocks', 'careslot_schedule_closures'];

function functionScans(plan: Record<string, unknown>): string[] {
  const own = plan['Node Type'] === 'Function Scan' ? [String(plan['Function Name'])] : [];
  const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? [];
  return [...own, ...children.flatMap(functionScans)];
}

describe('the slot rule', () => {
  let database: Awaited<ReturnType<typeof cloneTemplateDatabase>>;

  beforeAll(async () => {
    database = await cloneTemplateDatabase();
  });
  afterAll(() => database.drop());

  it('is inlined into a statement that joins it LATERAL, with the opening blocks and closures it reads', async () => {
    const plan = await withPgClient(database.url, async (client) => {
      await client.query(`PREPARE slot_rule(uuid, uuid, timestamptz) AS
        SELECT slot.problem FROM (SELECT $1::uuid AS tenant_id, $2::uuid AS schedule_id) s
        CROSS JOIN LATERAL careslot_slot_problem(s.tenant_id, s.schedule_id, 'Europe/Stockholm', 15, $3, 30) AS slot`);
      await client.query(`SET plan_cache_mode = force_generic_plan`);
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) EXECUTE slot_rule(gen_random_uuid(), gen_random_uuid(), now())`);
      return (rows[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0].Plan;
    });
    const scans = functionScans(plan);
    expect(scans.filter((name) => RULE_FUNCTIONS.some((f) => name.endsWith(f)))).toEqual([]);
    // The rule's own generate_series over local days is still there: the plan did take the rule in.
    expect(scans.some((name) => name.endsWith('generate_series'))).toBe(true);
  });
});
