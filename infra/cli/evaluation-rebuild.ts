import { parseArgs } from 'node:util';
import { DynamoCaseStore } from '../../shared/adapters/aws/dynamodb-case-store';
import { DynamoEvaluationAggregates } from '../../shared/adapters/aws/dynamodb-evaluation-aggregates';
import { districtDay } from '../../shared/domain/evaluation';
import { dynamoDocumentClient } from '../../shared/runtime/clients';
import { districtFrom, requireEnv } from '../../shared/runtime/config';
import { ENV } from '../../shared/runtime/env';
import { rebuildEvaluation } from '../../shared/usecases/evaluation';

/**
 * `npm run evaluation:rebuild -- --from YYYY-MM-DD --to YYYY-MM-DD`: recomputes the evaluation
 * aggregates of those district days from the cases (after a fix to a formula, or to repair a change
 * whose aggregate update was lost). The table and district come from the functions' own variables
 * (XT_TABLE_NAME, XT_DISTRICT_FILE; AWS_ENDPOINT_URL_DYNAMODB for the local cloud). Run it when no
 * cases change: an update racing the rebuild may be lost until that case changes again.
 */
const USAGE = 'usage: npm run evaluation:rebuild -- --from YYYY-MM-DD --to YYYY-MM-DD';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' } },
    strict: true,
  });
  const district = districtFrom();
  const today = districtDay(new Date().toISOString(), district.timezone);
  const from = values.from ?? `${today.slice(0, 7)}-01`;
  const to = values.to ?? today;
  if (!DAY.test(from) || !DAY.test(to) || from > to) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const client = dynamoDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  const started = Date.now();
  const result = await rebuildEvaluation(
    {
      store: new DynamoCaseStore({ client, tableName }),
      aggregates: new DynamoEvaluationAggregates({ client, tableName, district }),
      timezone: district.timezone,
    },
    from,
    to,
  );
  process.stdout.write(
    `rebuilt ${from} … ${to}: ${result.cases} cases read, ${result.buckets} buckets written in ${Date.now() - started} ms\n`,
  );
  return 0;
};

process.exitCode = await main();
