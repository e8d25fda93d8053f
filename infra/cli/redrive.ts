import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redriveDeadLetters } from '../../shared/adapters/aws/sqs-redrive';
import type { LocalCloudInfo } from '../local/cloud';

/**
 * `npm run redrive`: moves the intake DLQ's messages back to the intake queue after a fix.
 *   local cloud (running):  npm run redrive -- [--data .data]
 *   AWS:                    npm run redrive -- --dlq <IntakeDeadLetterQueueUrl> --source <IntakeQueueUrl>
 * (the stack outputs both URLs; credentials and region from the usual AWS environment).
 * Idempotent: a second run finds the DLQ empty; a message sent twice is routed once.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    data: { type: 'string' },
    dlq: { type: 'string' },
    source: { type: 'string' },
    max: { type: 'string' },
  },
  strict: true,
});

const local = !values.dlq;
let sqs: SQSClient;
let deadLetterQueueUrl: string;
let sourceQueueUrl: string;
if (local) {
  const infoFile = join(values.data ?? '.data', 'local-cloud.json');
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as LocalCloudInfo;
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: info.sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  deadLetterQueueUrl = info.dlqUrl;
  sourceQueueUrl = info.intakeQueueUrl;
} else {
  if (!values.source) throw new Error('--dlq needs --source (the queue the messages go back to)');
  sqs = new SQSClient({});
  deadLetterQueueUrl = values.dlq!;
  sourceQueueUrl = values.source;
}

const result = await redriveDeadLetters({
  sqs,
  deadLetterQueueUrl,
  sourceQueueUrl,
  ...(values.max && { maxMessages: Number(values.max) }),
});
console.log(
  `redrive ${deadLetterQueueUrl} → ${sourceQueueUrl}: ${result.moved} moved, ${result.skipped} seen twice, ${result.failed} failed`,
);
sqs.destroy();
process.exit(result.failed > 0 ? 1 : 0);
