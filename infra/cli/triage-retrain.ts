import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoTriageFeedbackStore } from '../../shared/adapters/aws/dynamodb-triage-feedback-store';
import { retrainTriage } from '../../shared/usecases/retrain-triage';
import type { LocalCloudInfo } from '../local/cloud';
import { districtFileFrom } from './triage-args';

/**
 * `npm run triage:retrain -- --district sandun [--local DATA_DIR | --table NAME [--region R]]`
 *
 * Reads the command centre's feedback from the district's table — the running local cloud's
 * (`<data>/local-cloud.json`, default `.data`) when there is one, else the AWS table
 * `xietong-<district>-cases` with the operator's own credentials — merges it into
 * `districts/<district>.examples.json` and rebuilds the model. Redeploy afterwards
 * (`cdk deploy -c district=<id>`; locally restart `npm start`): the router trains from the
 * bundled examples file at cold start.
 */

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const districtFile = districtFileFrom(args);
const districtId = districtFile.replace(/^.*\//, '').replace(/\.json$/, '');
const localInfo = join(flag('--local') ?? '.data', 'local-cloud.json');

const tableOf = (): { client: DynamoDBClient; tableName: string; where: string } => {
  const table = flag('--table');
  if (!table && existsSync(localInfo)) {
    const info = JSON.parse(readFileSync(localInfo, 'utf8')) as LocalCloudInfo;
    return {
      client: new DynamoDBClient({
        endpoint: info.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      tableName: info.tableName,
      where: `local cloud ${info.dynamodbEndpoint}`,
    };
  }
  const region = flag('--region');
  return {
    client: new DynamoDBClient(region ? { region } : {}),
    tableName: table ?? `xietong-${districtId}-cases`,
    where: 'AWS',
  };
};

const { client, tableName, where } = tableOf();
const report = await retrainTriage({
  districtFile,
  feedback: new DynamoTriageFeedbackStore({ client: DynamoDBDocumentClient.from(client), tableName }),
});
client.destroy();

console.log(
  `triage retrain — ${districtId}: ${report.feedback} feedback entries from ${tableName} (${where})`,
);
console.log(
  `  examples  ${report.before} → ${report.after}: ${report.added} added, ${report.relabelled} relabelled, ${report.unchanged} already there`,
);
if (report.heldOut > 0)
  console.log(`  left out  ${report.heldOut} whose text is in a held-out or the calibration set`);
if (report.unknownCategory > 0)
  console.log(`  left out  ${report.unknownCategory} for categories the district no longer has`);
console.log(`  model     ${report.model.examples} examples, ${report.model.features} features`);
console.log(`  wrote     ${report.examplesFile}`);
console.log(
  '  next      review the diff, commit it, run `npm run triage:eval`, and redeploy (cdk deploy -c district=…; locally restart npm start)',
);
